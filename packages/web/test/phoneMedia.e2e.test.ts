/**
 * On the crew's phones (issue 11), media at 360×740 in Chromium against one
 * `bote serve` process: a picture that is no image, a photo taken while the
 * server is away, and voice messages from Chromium's fake microphone (a
 * beep). Anna, the first admin, has a mouse; Ben has a touch phone.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import { gpsPhotoPath } from "./support/fixtures.js";
import {
  PHONE,
  chatListItem,
  launchChromium,
  openChat,
  openPerson,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("media on phones end-to-end");

describe("photos, files and voice on phones, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let ben: Person;
  /** Ben's page: replaced when he closes the app and opens it again. */
  let benPage: Page;

  before(async () => {
    server = await startBote("Elektro Kaya");
    // The fake device answers getUserMedia with a tone; the fake UI grants the microphone without a prompt.
    browser = await launchChromium(["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]);
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    ben = await openPerson(browser, "Ben Bauer", PHONE, server.url, { touch: true });
    benPage = ben.page;
  });

  afterEach(async (t) => {
    for (const [name, page] of [
      [anna.name, anna.page],
      [ben.name, benPage],
    ] as const) {
      await screenshot(page, `steps/media ${t.name.slice(0, 40)} - ${name}`, false).catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("Anna and Ben have a chat", async () => {
    await anna.page.goto(server.adminInvitation);
    await anna.page.getByLabel("Ihr Name").fill(anna.name);
    await anna.page.getByRole("button", { name: "Beitreten" }).click();
    await setUpLater(anna.page);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    await anna.page.goto(`${server.url}/#/invite`);
    await anna.page.getByLabel("Name der Person").fill(ben.name);
    await anna.page.getByRole("button", { name: "Einladungslink erstellen" }).click();
    const link = await anna.page.locator("#invite-link").inputValue();
    await benPage.goto(link);
    await benPage.getByRole("button", { name: "Beitreten" }).tap();
    await benPage.getByRole("link", { name: "Neuer Chat" }).waitFor();

    await anna.page.goto(`${server.url}/#/`);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).click();
    await anna.page.getByLabel("Kollegin oder Kollegen suchen").fill("Ben");
    await anna.page.getByRole("button", { name: ben.name }).click();
    await send(anna.page, "Schick mir bitte das Aufmaß.");
    await openChat(benPage, anna.name);
    await benPage.locator(".line.in .text", { hasText: "Aufmaß" }).waitFor();
  });

  it("a file named .jpg that is no image is refused as a photo with a clear message, and goes as a file", async () => {
    const notAnImage = { name: "Aufmass.jpg", mimeType: "image/jpeg", buffer: Buffer.from("Raum 1: 4,20 × 3,10 m\n") };
    await benPage.locator('input[data-testid="file-input"]').setInputFiles([notAnImage]);
    await benPage.getByRole("dialog").getByRole("button", { name: "Senden" }).tap();
    await benPage
      .getByRole("status")
      .getByText(/kein Bild.*Senden Sie sie als Datei/)
      .waitFor();
    assert.equal(await benPage.locator(".line.out", { hasText: "Aufmass.jpg" }).count(), 0, "nothing sent");

    await benPage.locator('input[data-testid="file-input"]').setInputFiles([notAnImage]);
    const dialog = benPage.getByRole("dialog");
    await dialog.getByRole("checkbox", { name: /Als Datei senden/ }).check();
    await dialog.getByRole("button", { name: "Senden" }).tap();
    const card = anna.page.locator(".line.in .file-card", { hasText: "Aufmass.jpg" });
    await card.waitFor();
    assert.equal(await anna.page.locator(".line.in .photo", { hasText: "Aufmass" }).count(), 0, "not shown as a photo");
  });

  it("a photo picked while the server is away shows as waiting, survives closing the app, and arrives", async () => {
    await server.pause();
    await benPage.locator(".connection").waitFor({ state: "attached" });
    await benPage.locator('input[data-testid="file-input"]').setInputFiles([gpsPhotoPath]);
    const dialog = benPage.getByRole("dialog");
    await dialog.getByLabel("Bildunterschrift").fill("Verteiler im Keller");
    await dialog.getByRole("button", { name: "Senden" }).tap();
    const line = benPage.locator(".line.out", { hasText: "Verteiler im Keller" });
    await line.locator(".photo img").waitFor();
    await line.locator(".status-queued").waitFor();
    await screenshot(benPage, "photo-queued-phone", false);
    // Ben can open his own photo before it left: it is decrypted from his store.
    await line.locator(".photo").tap();
    await benPage.locator('.viewer img[data-full="1"]').waitFor();
    await benPage.keyboard.press("Escape");
    await line.locator(".status-queued").waitFor();

    // Ben closes the app before the server is back: the encrypted photo waits in his store.
    await benPage.close();
    await server.resume();
    benPage = await ben.context.newPage();
    await benPage.goto(`${server.url}/#/`);
    await openChat(benPage, anna.name);

    await openChat(anna.page, ben.name);
    const received = anna.page.locator(".line.in", { hasText: "Verteiler im Keller" });
    await received.locator(".photo img").waitFor({ timeout: 60_000 });
    await received.locator(".photo img").click();
    await anna.page.locator('.viewer img[data-full="1"]').waitFor();
    await anna.page.keyboard.press("Escape");
    await benPage
      .locator(".line.out", { hasText: "Verteiler im Keller" })
      .locator(".status-delivered, .status-read")
      .waitFor({ timeout: 60_000 });
  });

  it("Ben taps the microphone, records and sends; Anna plays the voice message and sees its length", async () => {
    await benPage.getByRole("button", { name: /Sprachnachricht aufnehmen/ }).tap();
    await benPage
      .getByRole("status")
      .getByText(/Aufnahme läuft/)
      .waitFor();
    await screenshot(benPage, "voice-recording-phone", false);
    await benPage.waitForTimeout(2_000);
    await benPage.getByRole("button", { name: "Sprachnachricht senden" }).tap();
    await benPage.locator(".line.out .voice").waitFor();

    const voice = anna.page.locator(".line.in .voice").last();
    await voice.waitFor();
    assert.match((await voice.locator(".voice-duration").textContent()) ?? "", /^0:0[23]$/, "about two seconds");
    await voice.getByRole("button", { name: "Sprachnachricht abspielen" }).click();
    await voice.getByRole("button", { name: "Anhalten" }).waitFor();
    await anna.page.waitForFunction(() => {
      const bars = document.querySelectorAll<HTMLProgressElement>(".line.in .voice progress");
      return (bars[bars.length - 1]?.value ?? 0) > 0;
    });
    await screenshot(anna.page, "voice-message-phone");
    // Played to the end, it shows its length again, ready to play once more.
    await voice.getByRole("button", { name: "Sprachnachricht abspielen" }).waitFor({ timeout: 10_000 });
    assert.match((await voice.locator(".voice-duration").textContent()) ?? "", /^0:0[23]$/);
  });

  it("Anna holds the microphone to record; letting go sends", async () => {
    const mic = anna.page.getByRole("button", { name: /Sprachnachricht aufnehmen/ });
    await mic.hover();
    await anna.page.mouse.down();
    await anna.page
      .getByRole("status")
      .getByText(/Aufnahme läuft/)
      .waitFor();
    await anna.page.waitForTimeout(1_500);
    await anna.page.mouse.up();
    await anna.page.locator(".line.out .voice").waitFor();
    const voice = benPage.locator(".line.in .voice").last();
    await voice.waitFor();
    assert.match((await voice.locator(".voice-duration").textContent()) ?? "", /^0:0[12]$/);
    await benPage.goto(`${server.url}/#/`);
    const preview = chatListItem(benPage, anna.name).locator(".chat-item-preview");
    assert.match((await preview.textContent()) ?? "", /^Sprachnachricht \(0:0[12]\)$/);
  });

  it("made no third-party request and threw no error", () => {
    assert.deepEqual(anna.problems, [], anna.name);
    assert.deepEqual(ben.problems, [], ben.name);
  });
});
