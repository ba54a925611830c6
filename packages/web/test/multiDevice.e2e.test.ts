/**
 * A person's second device in Chromium at phone size, against one `bote
 * serve` process: Anna (first admin) and Bernd chat in a group; Anna links
 * her phone to her PC through "Weiteres Gerät verbinden" (the phone opens
 * the QR code's link), both screens show the same comparison code, Anna
 * confirms, and the phone shows the group. Messages then reach both of
 * Anna's devices, what the phone sends is Anna's own on her PC, and Bernd
 * sees a calm "uses another device" line rather than a key-change warning.
 * An unknown or garbled code says so. Screens of both steps at phone and
 * desktop size.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  DESKTOP,
  PHONE,
  launchChromium,
  openChat,
  openPerson,
  screen,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
  invite,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web multi-device end-to-end");
const GROUP = "Baustelle Lindenstraße";

describe("a second device of the same person, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let annaPc: Person;
  let annaPhone: Person;
  let bernd: Person;
  let stranger: Person;

  before(async () => {
    server = await startBote("Müller Bau GmbH");
    browser = await launchChromium();
    annaPc = await openPerson(browser, "Anna Admin", PHONE, server.url);
    annaPhone = await openPerson(browser, "Anna Admin (Handy)", PHONE, server.url);
    bernd = await openPerson(browser, "Bernd Bau", PHONE, server.url);
    stranger = await openPerson(browser, "Unbekannt", PHONE, server.url);
  });

  afterEach(async (t) => {
    for (const person of [annaPc, annaPhone, bernd, stranger]) {
      await screenshot(person.page, `steps/devices ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("Anna and Bernd write in a group", async () => {
    const page = annaPc.page;
    await page.goto(server.adminInvitation);
    await page.getByLabel("Ihr Name").fill(annaPc.name);
    await page.getByRole("button", { name: "Beitreten" }).click();
    await setUpLater(page);
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    const link = await invite(page, bernd.name);
    await bernd.page.goto(link);
    await bernd.page.getByText(`Sie werden als „${bernd.name}“ eingeladen.`).waitFor();
    await bernd.page.getByRole("button", { name: "Beitreten" }).click();
    await bernd.page.getByRole("link", { name: "Neuer Chat" }).waitFor();

    await page.goto(`${server.url}/#/`);
    await page.getByRole("link", { name: "Neue Gruppe" }).click();
    await page.getByLabel("Gruppenname").fill(GROUP);
    await page.getByRole("checkbox", { name: bernd.name }).check();
    await page.getByRole("button", { name: "Gruppe erstellen" }).click();
    await page.locator(".chat-title-name", { hasText: GROUP }).waitFor();
    await send(page, "Morgen um 7 an der Baustelle.");
    await openChat(bernd.page, GROUP);
    await bernd.page.locator(".line.in .text", { hasText: "Morgen um 7" }).waitFor();
  });

  it("Anna links her phone: both screens show the same comparison code, she confirms, the phone shows the group", async () => {
    const pc = annaPc.page;
    await pc.goto(`${server.url}/#/settings`);
    await pc.getByRole("link", { name: "Weiteres Gerät verbinden" }).click();
    await pc.getByRole("heading", { name: "Weiteres Gerät verbinden" }).waitFor();
    await pc.getByRole("img", { name: "QR-Code zum Verbinden eines weiteren Geräts" }).waitFor();
    const code = (await pc.getByTestId("device-link-code").textContent())?.trim() ?? "";
    assert.match(code, /^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const url = await pc.locator("#device-link-url").inputValue();
    assert.equal(url, `${server.url}/link#c=${code}`);
    await pc.getByRole("button", { name: "Link kopieren" }).waitFor();
    await screen(pc, "link-device-offer-phone");
    await pc.setViewportSize(DESKTOP);
    await screen(pc, "link-device-offer-desktop");
    await pc.setViewportSize(PHONE);

    // The phone's camera opens the QR code's link.
    const phone = annaPhone.page;
    await phone.goto(url);
    const phoneCode = phone.getByTestId("comparison-code");
    await phoneCode.waitFor();
    assert.doesNotMatch(phone.url(), /#c=/, "the code is gone from the address bar");
    const pcCode = pc.getByTestId("comparison-code");
    await pcCode.waitFor();
    const shown = [await pcCode.textContent(), await phoneCode.textContent()];
    assert.match(shown[0] ?? "", /^\d{3} \d{3}$/);
    assert.equal(shown[0], shown[1], "the same comparison code on both screens");
    await phone.getByText("Vergleichen Sie diesen Code mit dem anderen Gerät und bestätigen Sie dort.").waitFor();
    await pc.getByText("Zeigt das neue Gerät denselben Code?").waitFor();
    await screen(phone, "link-new-device-compare-phone");
    await screen(pc, "link-device-compare-phone");
    await pc.setViewportSize(DESKTOP);
    await screen(pc, "link-device-compare-desktop");
    await pc.setViewportSize(PHONE);

    await pc.getByRole("button", { name: "Bestätigen" }).click();
    await pc.getByText("Das neue Gerät ist verbunden.", { exact: true }).first().waitFor({ timeout: 60_000 });
    await phone
      .locator(".chat-list")
      .getByRole("link", { name: new RegExp(GROUP) })
      .waitFor({ timeout: 60_000 });
    await phone.getByRole("link", { name: "Einstellungen" }).click();
    await phone.locator(".facts dd", { hasText: annaPc.name }).waitFor();
  });

  it("Bernd's group message reaches both of Anna's devices", async () => {
    await send(bernd.page, "Kran ist bestellt.");
    for (const page of [annaPc.page, annaPhone.page]) {
      await openChat(page, GROUP);
      await page.locator(".line.in .text", { hasText: "Kran ist bestellt." }).waitFor({ timeout: 30_000 });
    }
  });

  it("what the phone sends is Anna's own message on her PC and hers for Bernd", async () => {
    await send(annaPhone.page, "Vom Handy: bin unterwegs.");
    await annaPc.page.locator(".line.out .text", { hasText: "Vom Handy: bin unterwegs." }).waitFor({ timeout: 30_000 });
    assert.equal(await annaPc.page.locator(".line.in", { hasText: "Vom Handy" }).count(), 0);
    await bernd.page.locator(".line.in .text", { hasText: "Vom Handy: bin unterwegs." }).waitFor({ timeout: 30_000 });
    await screen(annaPhone.page, "chat-second-device-phone");
  });

  it("Bernd sees that Anna uses another device, calmly, without a key-change warning", async () => {
    const page = bernd.page;
    await page.locator(".line.event", { hasText: "Anna Admin nutzt jetzt ein weiteres Gerät" }).waitFor();
    assert.equal(await page.getByText("Der Sicherheitsschlüssel von").count(), 0);
    assert.equal(await page.getByText("Schlüssel geändert").count(), 0);
    assert.equal(await page.locator(".warning").count(), 0);
  });

  it("an unknown code, opened as a link or typed, says so; a garbled one asks to check it", async () => {
    const page = stranger.page;
    await page.goto(`${server.url}/link#c=ABCDE-23456`);
    await page.getByText("Diesen Code kennt der Server nicht, oder er ist abgelaufen").waitFor();
    await page.getByLabel("Code vom anderen Gerät").waitFor();

    await page.goto(`${server.url}/`);
    await page.getByRole("heading", { name: "Willkommen bei Bote" }).waitFor();
    await screen(page, "welcome-link-offer-phone");
    await page.getByRole("button", { name: "Ich habe schon ein Konto auf einem anderen Gerät" }).click();
    await page.getByRole("heading", { name: "Dieses Gerät verbinden" }).waitFor();
    const box = page.getByLabel("Code vom anderen Gerät");
    await box.fill("1234");
    await page.getByRole("button", { name: "Verbinden" }).click();
    await page.getByText("Der Code hat zehn Zeichen").waitFor();
    // Lower case, a space instead of the dash: typed as it is read out.
    await box.fill("zzzzz 23456");
    assert.equal(await page.getByText("Der Code hat zehn Zeichen").count(), 0, "typing again clears the problem");
    await screen(page, "link-new-device-enter-phone");
    await page.getByRole("button", { name: "Verbinden" }).click();
    await page.getByText("Diesen Code kennt der Server nicht, oder er ist abgelaufen").waitFor();
    // In English too, the same problem worded again.
    await page.getByRole("radio", { name: "English" }).check();
    await page.getByText("The server does not know this code, or it has expired").waitFor();
    await page.getByRole("radio", { name: "Deutsch" }).check();
    await page.getByRole("button", { name: "Zurück" }).click();
    await page.getByRole("heading", { name: "Willkommen bei Bote" }).waitFor();
  });

  it("the pages logged no errors", () => {
    for (const person of [annaPc, annaPhone, bernd]) assert.deepEqual(person.problems, [], person.name);
    // The unknown code is answered 404, which the browser itself logs.
    assert.deepEqual(
      stranger.problems.filter((p) => !/status of 404/.test(p)),
      [],
      stranger.name,
    );
  });
});
