/**
 * The data protection documents in Chromium at phone size, against one
 * `bote serve` process: the join page shows the Art. 13 information before
 * anyone joins; the admin finds "Datenschutz" in the settings and
 * in the Verwaltung, opens the record of processing, which names the
 * server's own database, and the TOMs in English; the tables fit the phone's
 * width. Screenshot docs/screenshots/privacy-phone.png.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  launchChromium,
  openPerson,
  screen,
  startBote,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web privacy documents end-to-end");

describe("web data protection documents, end to end in Chromium", { skip, timeout: 120_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;

  before(async () => {
    server = await startBote("Sanitär Schulz GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
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
});
