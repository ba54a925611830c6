/**
 * The first admin's setup wizard and the audit log, in Chromium at phone
 * size against one `bote serve`: Anna joins through the server's initial
 * invitation, the chat list offers the setup, and the wizard takes the
 * organisation's name, her name, the language and a recovery kit she must
 * confirm; a reload does not bring it back. Then she invites, promotes,
 * demotes and deactivates Bernd, withdraws Carla's invitation, and the
 * Protokoll lists exactly those actions, signed, filters them, and exports
 * CSV and JSON without a word of the chat.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  invite,
  launchChromium,
  openPerson,
  screen,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("setup wizard and audit log end-to-end");
const MARKER = "Dachrinne-Angebot-0815";

describe("setup wizard and audit log, end to end in Chromium", { skip, timeout: 180_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let bernd: Person;

  before(async () => {
    server = await startBote("Vorläufiger Name");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    bernd = await openPerson(browser, "Bernd Bau", PHONE, server.url);
  });

  afterEach(async (t) => {
    for (const person of [anna, bernd]) {
      await screenshot(person.page, `steps/setup ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the first admin sets the organisation up, and the wizard does not come again", async () => {
    const page = anna.page;
    await page.goto(server.adminInvitation);
    await page.getByLabel("Ihr Name").fill(anna.name);
    await page.getByRole("button", { name: "Beitreten" }).click();
    // The first admin's link opens the setup by itself.

    await page.getByText("Schritt 1 von 5").waitFor();
    const organisation = page.getByLabel("Name der Organisation");
    assert.equal(await organisation.inputValue(), "Vorläufiger Name");
    await organisation.fill("   ");
    assert.ok(await page.getByRole("button", { name: "Weiter" }).isDisabled(), "no name, no next step");
    await organisation.fill("Dachdecker Schmidt");
    await screen(page, "setup-wizard-phone");
    await page.getByRole("button", { name: "Weiter" }).click();

    await page.getByText("Schritt 2 von 5").waitFor();
    assert.equal(await page.getByLabel("Ihr Name").inputValue(), anna.name);
    await page.getByLabel("Ihr Name").fill("Anna Schmidt");
    await page.getByRole("button", { name: "Weiter" }).click();

    // The organisation's default language: English here, so the colleagues' devices start in English.
    await page.getByText("Schritt 3 von 5").waitFor();
    await page.getByRole("radio", { name: "English" }).check();
    await page.getByText("Step 3 of 5").waitFor();
    await page.getByRole("radio", { name: "Deutsch" }).check();
    await page.getByText("Schritt 3 von 5").waitFor();
    await page.getByRole("radio", { name: "English" }).check();
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByText("Step 4 of 5").waitFor();
    const next = page.getByRole("button", { name: "Next" });
    assert.ok(await next.isDisabled(), "no kit, no next step");
    await page.getByLabel("Passphrase (at least 12 characters)").fill("Schiefer-Dach-Lindenweg-12");
    await page.getByLabel("Repeat the passphrase").fill("Schiefer-Dach-Lindenweg-12");
    const [download] = await Promise.all([
      page.waitForEvent("download", { timeout: 60_000 }),
      page.getByRole("button", { name: "Create and download the kit" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "bote-wiederherstellung.json");
    const kit = JSON.parse(readFileSync(await download.path(), "utf8")) as Record<string, unknown>;
    assert.equal(kit["bote-recovery-kit"], 1);
    await page.locator(".recovery-code").waitFor();
    assert.ok(await next.isDisabled(), "the kit must be confirmed as kept");
    await screenshot(page, "steps/setup-wizard-recovery-kit-phone", false);
    await page.getByRole("checkbox", { name: /I saved the kit/ }).check();
    await next.click();

    await page.getByText("Step 5 of 5").waitFor();
    await page.getByText("Save policies here or later in the administration; until then the defaults apply.").waitFor();
    await page.getByLabel(/Largest attachment/).waitFor(); // the Verwaltung's policy form, here too
    await page.getByRole("button", { name: "Finish the setup" }).click();
    await page.getByText("Dachdecker Schmidt is set up.").waitFor();
    await page.getByRole("heading", { name: "Administration" }).waitFor();

    // Anna herself reads German; her choice is hers, the organisation's default stays English.
    await page.goto(`${server.url}/#/settings`);
    await page.getByRole("radio", { name: "Deutsch" }).check();
    await page.goto(`${server.url}/#/admin`);
    await page.getByText("Anna Schmidt (Sie)").waitFor();

    await page.goto(`${server.url}/#/`);
    await page.reload();
    await page.getByRole("heading", { name: "Dachdecker Schmidt" }).waitFor();
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    assert.equal(await page.getByRole("link", { name: /Organisation einrichten/ }).count(), 0);
  });

  it("the audit log lists each admin action, signed, filters it and exports it without content", async () => {
    const page = anna.page;
    await bernd.page.goto(await invite(page, bernd.name));
    await bernd.page.getByRole("button", { name: "Beitreten" }).click();
    // Bernd never picked a language: his device starts in the organisation's.
    await bernd.page.getByRole("link", { name: "New chat" }).waitFor();
    await page.goto(`${server.url}/#/`);
    await invite(page, "Carla Chef");

    await page.goto(`${server.url}/#/new`);
    await page.getByLabel("Kollegin oder Kollegen suchen").fill("Bernd");
    await page.getByRole("button", { name: bernd.name }).click();
    await send(page, MARKER);

    await page.goto(`${server.url}/#/admin`);
    await page.getByRole("button", { name: `${bernd.name} zur Administratorin machen` }).click();
    await page.getByRole("button", { name: `${bernd.name} zum Mitglied machen` }).click();
    await page.getByRole("button", { name: `${bernd.name} zur Administratorin machen` }).waitFor();
    await page.getByRole("button", { name: "Einladung für Carla Chef widerrufen" }).click();
    await page.getByRole("button", { name: "Einladung für Carla Chef widerrufen" }).waitFor({ state: "detached" });
    await page.getByRole("button", { name: `${bernd.name} deaktivieren` }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Jetzt deaktivieren" }).click();
    await page.getByRole("button", { name: `${bernd.name} deaktivieren` }).waitFor({ state: "detached" });

    await page.getByRole("link", { name: "Protokoll öffnen" }).click();
    await page.getByRole("heading", { name: "Protokoll" }).waitFor();
    const sentences = page.locator(".audit-entry .audit-sentence");
    await sentences.first().waitFor();
    assert.deepEqual(await sentences.allTextContents(), [
      "Anna Schmidt hat Bernd Bau deaktiviert",
      "Anna Schmidt hat die Einladung für Carla Chef widerrufen",
      "Anna Schmidt hat Bernd Bau zum Mitglied gemacht",
      "Anna Schmidt hat Bernd Bau zum Administrator gemacht",
      "Anna Schmidt hat Carla Chef als Mitglied eingeladen",
      "Bernd Bau ist als Mitglied beigetreten",
      "Anna Schmidt hat Bernd Bau als Mitglied eingeladen",
      // The setup's language (English) is signed into the policy too.
      "Anna Schmidt hat die Richtlinien geändert",
      "Anna Schmidt hat Anna Admin in Anna Schmidt umbenannt",
      "Anna Schmidt hat das Konto Anna Admin als Administrator angelegt",
    ]);
    assert.equal(await page.locator(".audit-entry .state-chip", { hasText: "Signatur geprüft" }).count(), 10);
    assert.ok(!(await page.locator(".audit-entries").innerText()).includes(MARKER));

    await page.getByLabel("Anzeigen").selectOption("invitations");
    await page.getByLabel("Nach Namen suchen").fill("carla");
    assert.deepEqual(await sentences.allTextContents(), [
      "Anna Schmidt hat die Einladung für Carla Chef widerrufen",
      "Anna Schmidt hat Carla Chef als Mitglied eingeladen",
    ]);
    await page.getByLabel("Nach Namen suchen").fill("");
    await page.getByLabel("Anzeigen").selectOption("all");
    await page.locator(".notices .notice").waitFor({ state: "detached" });
    await screen(page, "audit-log-phone");

    const [csvDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Als CSV exportieren" }).click(),
    ]);
    assert.match(csvDownload.suggestedFilename(), /^bote-protokoll-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await csvDownload.path(), "utf8");
    const rows = csv.trimEnd().split("\r\n");
    assert.equal(rows.length, 11);
    assert.match(rows[1]!, /,account_created,/);
    assert.match(rows[10]!, /,deactivated,.*,Bernd Bau,/);
    const [jsonDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Als JSON exportieren" }).click(),
    ]);
    const json = JSON.parse(readFileSync(await jsonDownload.path(), "utf8")) as { entries: { action: string }[] };
    assert.deepEqual(
      json.entries.map((e) => e.action),
      [
        "account_created",
        "renamed",
        "policy_changed",
        "invited",
        "joined",
        "invited",
        "promoted",
        "demoted",
        "invitation_revoked",
        "deactivated",
      ],
    );
    for (const text of [csv, JSON.stringify(json)]) assert.ok(!text.includes(MARKER), "no message text in exports");
    assert.deepEqual([...anna.problems, ...bernd.problems.filter((p) => !p.includes("401"))], []);
  });
});
