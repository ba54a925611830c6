/**
 * The data protection documents in Chromium at phone size, against one
 * `bote serve` process: the join page shows the Art. 13 information before
 * anyone joins; the admin finds "Datenschutz" in the settings and
 * in the Verwaltung, opens the record of processing, which names the
 * server's own database, and the TOMs in English; the tables fit the phone's
 * width. A member sees the information only; the admin exports a
 * colleague's data, deactivates her and erases it, after which the SQLite
 * file holds no byte of her name. Screenshot docs/screenshots/privacy-phone.png.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  PHONE,
  invite,
  launchChromium,
  openPerson,
  screen,
  screenshot,
  startBote,
  unnamedControls,
  type BoteServer,
  type Person,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web privacy documents end-to-end");

describe("web data protection documents, end to end in Chromium", { skip, timeout: 120_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let dora: Person;

  before(async () => {
    server = await startBote("Sanitär Schulz GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    dora = await openPerson(browser, "Dora Datenschutz", PHONE, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin opens the record of processing from the settings, generated from the server", async () => {
    const page = anna.page;
    await page.goto(server.adminInvitation);
    // Before joining: the Art. 13 information, from the server the link names.
    await page.getByText("Datenschutzinformation (Art. 13 DSGVO)").click();
    await page.getByRole("heading", { name: /Datenschutzinformation zu Bote/ }).waitFor();
    await page.getByText("Ihre Rechte").waitFor();
    await page.getByLabel("Ihr Name").fill(anna.name);
    await page.getByRole("button", { name: "Beitreten" }).click();
    await setUpLater(page);
    await page.getByRole("link", { name: "Einstellungen" }).click();
    await page.getByRole("link", { name: "Datenschutz" }).click();
    await page.getByRole("heading", { name: "Datenschutz", level: 2 }).waitFor();
    assert.equal(await page.locator(".privacy-documents button").count(), 5, "an admin sees all five documents");
    await page.getByRole("button", { name: "Verzeichnis von Verarbeitungstätigkeiten (Art. 30)" }).click();
    const record = page.getByRole("article", { name: /Verzeichnis von Verarbeitungstätigkeiten/ });
    await record.getByRole("heading", { name: /Verzeichnis von Verarbeitungstätigkeiten/ }).waitFor();
    await record.getByText("Sanitär Schulz GmbH").first().waitFor();
    await record.getByRole("cell", { name: /^SQLite \d/ }).waitFor();
    await record.getByRole("cell", { name: "Postfächer und Zustellung" }).waitFor();
    await page.getByRole("button", { name: "Drucken" }).waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `the page fits the phone (${width}px)`);
    await screen(page, "privacy-phone");
  });

  it("opens the TOMs in English and is reachable from the Verwaltung", async () => {
    const page = anna.page;
    await page.getByLabel("Sprache der Dokumente").selectOption("en");
    await page.getByRole("button", { name: "Technische und organisatorische Maßnahmen (Art. 32)" }).click();
    const toms = page.getByRole("article", { name: /Technical and organisational measures/ });
    await toms.getByText("secure_delete").first().waitFor();
    await page.getByRole("link", { name: "Zurück" }).click();
    await page.getByRole("heading", { name: "Verwaltung" }).waitFor();
    await page.getByRole("link", { name: "Datenschutz-Dokumente öffnen" }).click();
    await page.getByRole("heading", { name: "Datenschutz", level: 2 }).waitFor();
  });

  it("a member reads the Art. 13 information; the admin exports her data, deactivates her and erases it", async () => {
    await dora.page.goto(await invite(anna.page, dora.name));
    await dora.page.getByRole("button", { name: "Beitreten" }).click();
    await dora.page.getByRole("link", { name: "Einstellungen" }).click();
    await dora.page.getByRole("link", { name: "Datenschutz" }).click();
    await dora.page
      .getByRole("article", { name: /Datenschutzinformation zu Bote/ })
      .getByText("Ihre Rechte")
      .waitFor();
    assert.equal(await dora.page.locator(".privacy-documents button").count(), 0, "a member sees the information only");

    const page = anna.page;
    await page.goto(`${server.url}/#/privacy`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: `Daten von ${dora.name} exportieren` }).click(),
    ]);
    const exported = JSON.parse(await readFile(await download.path(), "utf8")) as {
      rows: { accounts: { display_name: string }[]; devices: unknown[] };
    };
    assert.equal(exported.rows.accounts[0]?.display_name, dora.name);
    assert.equal(exported.rows.devices.length, 1);
    assert.equal(
      await page.getByRole("button", { name: `Daten von ${dora.name} löschen` }).count(),
      0,
      "an active person cannot be erased",
    );

    await page.goto(`${server.url}/#/admin`);
    await page.getByRole("button", { name: `${dora.name} deaktivieren` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Jetzt deaktivieren" }).click();
    await page.getByText(`${dora.name} ist deaktiviert.`).waitFor();
    await page.goto(`${server.url}/#/privacy`);
    const erase = page.getByRole("button", { name: `Daten von ${dora.name} löschen` });
    await erase.scrollIntoViewIfNeeded();
    // Not for the docs (the toast of the deactivation may still cover it): every control is named.
    assert.deepEqual(await unnamedControls(page), []);
    await screenshot(page, "steps/privacy-people-phone", false);
    await erase.click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Endgültig löschen" }).click();
    await page.getByText(`Die Daten von ${dora.name} sind auf dem Server gelöscht.`).waitFor();
    // The list is read again: she is no longer in it, the others are.
    await page.getByRole("button", { name: `Daten von ${dora.name} exportieren` }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: `Daten von ${anna.name} exportieren` }).waitFor();
    // The database file, read as a thief of it would: her name is gone.
    const files = (await readdir(server.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
    const raw = Buffer.concat(await Promise.all(files.map((f) => readFile(join(server.dataDir, f)))));
    assert.ok(!raw.includes(Buffer.from(dora.name, "utf8")), "no byte of her name in the database and its WAL");
    assert.ok(raw.includes(Buffer.from(anna.name, "utf8")));
  });
});
