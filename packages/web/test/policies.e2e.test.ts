/**
 * The organisation's policies in Chromium at phone size, against one `bote
 * serve`: the admin lowers the largest attachment in the Verwaltung; the
 * change reaches Ben's browser, which shows what applies, who set it and
 * when, and refuses a larger file with the policy's text before uploading
 * it. Then the admin requires an app lock: Ben's app asks for a PIN of the
 * minimum length before anything else, and after five minutes without use
 * (the page's clock run forward) the app closes behind the lock screen.
 * Last, the organisation's language reaches both (neither chose one), and
 * with "wipe on deactivation" on, deactivating Ben leaves no Bote database
 * in his browser.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  joinTeam,
  launchChromium,
  openChat,
  openPerson,
  screen,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web policies end-to-end");

describe("organisation policies, end to end in Chromium", { skip, timeout: 180_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let ben: Person;

  before(async () => {
    server = await startBote("Dachbau Süd GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    ben = await openPerson(browser, "Ben Bauer", PHONE, server.url, { touch: true });
    await joinTeam(server, anna, [ben]);
    await anna.page.goto(`${server.url}/#/`);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).click();
    await anna.page.getByLabel("Kollegin oder Kollegen suchen").fill("Ben");
    await anna.page.getByRole("button", { name: ben.name }).click();
    await send(anna.page, "Schick mir bitte den Plan.");
  });

  afterEach(async (t) => {
    for (const person of [anna, ben]) {
      await screenshot(person.page, `steps/policies ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("a policy change reaches a member's client and is enforced: a too-large attachment is refused with the policy's text", async () => {
    const admin = anna.page;
    await admin.goto(`${server.url}/#/admin`);
    const section = admin.getByRole("region", { name: "Richtlinien", exact: true });
    await section.getByText("Standardwerte").waitFor();
    await section.getByLabel("Größter Anhang in MB").fill("0,1");
    await section.getByLabel("Verschwindende Nachrichten (Standard für neue Chats)").selectOption({ label: "7 Tage" });
    await section.getByRole("button", { name: "Richtlinie speichern" }).click();
    await admin.getByRole("status").getByText("Die Richtlinie ist signiert").waitFor();
    await section.getByText(/Festgelegt von Anna Admin am/).waitFor();
    await admin.locator(".notices .notice").waitFor({ state: "detached" });
    await section.getByRole("heading", { name: "Richtlinien" }).evaluate((heading) => heading.scrollIntoView());
    await screen(admin, "policies-phone");

    // Ben's client learns it from the signed log the server announces: no reload.
    const page = ben.page;
    await page.getByRole("link", { name: "Einstellungen" }).tap();
    const summary = page.getByRole("region", { name: "Richtlinien Ihrer Organisation" });
    await summary.locator("dd", { hasText: "100 kB" }).waitFor();
    await summary.locator("dd", { hasText: "7 Tage" }).waitFor();
    await summary.getByText(/Festgelegt von Anna Admin am .*signiert mit dem Organisationsschlüssel/).waitFor();
    await summary.evaluate((region) => region.scrollIntoView());
    await screen(page, "policies-member-phone");

    await page.goto(`${server.url}/#/`);
    await openChat(page, anna.name);
    const plan = { name: "Plan.pdf", mimeType: "application/pdf", buffer: Buffer.alloc(150_000, 0x25) };
    await page.locator('input[data-testid="file-input"]').setInputFiles([plan]);
    await page.getByRole("dialog").getByRole("button", { name: "Senden" }).tap();
    await page
      .getByRole("status")
      .getByText("Die Datei ist zu groß: Die Richtlinie Ihrer Organisation erlaubt Anhänge bis 100 kB.")
      .waitFor();
    assert.equal(await page.locator(".line.out", { hasText: "Plan.pdf" }).count(), 0, "nothing sent");
    // A file within the limit still goes.
    await page
      .locator('input[data-testid="file-input"]')
      .setInputFiles([{ ...plan, name: "Skizze.pdf", buffer: Buffer.alloc(50_000, 0x25) }]);
    await page.getByRole("dialog").getByRole("button", { name: "Senden" }).tap();
    await anna.page.goto(`${server.url}/#/`);
    await openChat(anna.page, ben.name);
    await anna.page.locator(".line.in .file-card", { hasText: "Skizze.pdf" }).waitFor();
  });

  it("a required inactivity lock closes the app", async () => {
    const admin = anna.page;
    await admin.goto(`${server.url}/#/admin`);
    const section = admin.getByRole("region", { name: "Richtlinien", exact: true });
    await section.getByRole("checkbox", { name: "App-Sperre (PIN) vorschreiben" }).check();
    await section.getByLabel("Kürzeste PIN (Ziffern)").fill("6");
    await section.getByRole("button", { name: "Richtlinie speichern" }).click();
    // The rule binds the admin's own device at once, too.
    await admin.getByRole("heading", { name: "Ihre Organisation verlangt eine App-Sperre" }).waitFor();
    await admin.getByLabel("PIN").fill("135790");
    await admin.getByRole("button", { name: "PIN festlegen" }).click();
    await admin.getByRole("heading", { name: "Verwaltung" }).waitFor();

    // Ben's app stops at the requirement, whatever screen it was on, and takes no shorter PIN.
    const page = ben.page;
    await page.clock.install();
    await page.getByRole("heading", { name: "Ihre Organisation verlangt eine App-Sperre" }).waitFor();
    await page.getByText("mindestens 6 Ziffern").waitFor();
    const pin = page.getByLabel("PIN");
    await pin.fill("1234");
    assert.equal(await page.getByRole("button", { name: "PIN festlegen" }).isDisabled(), true);
    await pin.fill("482913");
    await screen(page, "policies-pin-required-phone");
    await page.getByRole("button", { name: "PIN festlegen" }).tap();
    await page
      .getByRole("heading", { name: "Ihre Organisation verlangt eine App-Sperre" })
      .waitFor({ state: "detached" });
    await page.locator(".line.out .file-card", { hasText: "Skizze.pdf" }).waitFor();

    // With the page's clock installed from the reload on, five idle minutes pass in an instant.
    await page.evaluate(() => {
      location.hash = "#/";
    });
    await page.reload();
    await page.getByLabel("PIN").fill("482913");
    await page.getByRole("button", { name: "Entsperren" }).tap();
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    await page.clock.fastForward("04:00");
    assert.equal(await page.getByRole("link", { name: "Neuer Chat" }).count(), 1, "still open after four minutes");
    await page.clock.fastForward("01:01");
    await page.getByRole("button", { name: "Entsperren" }).waitFor();
    assert.equal(await page.locator(".chat-list").count(), 0, "no chat is shown behind the lock");
    // The removal the policy forbids is not offered once unlocked.
    await page.getByLabel("PIN").fill("482913");
    await page.getByRole("button", { name: "Entsperren" }).tap();
    await page.getByRole("link", { name: "Einstellungen" }).tap();
    await page.getByText("Von Ihrer Organisation vorgeschrieben").waitFor();
  });

  it("the organisation's language reaches who chose none, and a deactivated device deletes its data when the policy says so", async () => {
    const admin = anna.page;
    const section = admin.getByRole("region", { name: "Richtlinien", exact: true });
    await section.getByRole("checkbox", { name: "Deaktivierte Geräte löschen ihre Daten" }).check();
    await section.getByLabel("Sprache der Organisation").selectOption({ label: "Englisch" });
    await section.getByRole("button", { name: "Richtlinie speichern" }).click();
    // Neither Anna nor Ben chose a language in the app: both now read the organisation's.
    await admin.getByRole("heading", { name: "Administration" }).waitFor();
    const page = ben.page;
    const summary = page.getByRole("region", { name: "Your organisation's policies" });
    await summary.locator("dd", { hasText: /^yes$/ }).waitFor();
    await summary.locator("dd", { hasText: /^English$/ }).waitFor();

    await admin.getByRole("button", { name: `Deactivate ${ben.name}` }).click();
    await admin.getByRole("alertdialog").getByRole("button", { name: "Deactivate now" }).click();
    await page.getByText("Bote's data on this device was deleted").waitFor({ timeout: 15_000 });
    const databases = await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    assert.deepEqual(databases, [], "no Bote database is left in Ben's browser");
    assert.equal(await page.evaluate(() => localStorage.getItem("bote.keyChanges")), null);

    assert.deepEqual(anna.problems, [], anna.name);
    // A deactivated device's refused logins are the browser's own console lines; nothing else.
    assert.deepEqual(
      ben.problems.filter((p) => !/status of 40[13]/.test(p)),
      [],
      ben.name,
    );
  });
});
