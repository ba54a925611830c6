/**
 * Three colleagues in three Chromium contexts, one `bote serve` process:
 * join through invitation links that name their person, chat 1:1 and in a group, send a photo that
 * carries GPS data (the receiver's decrypted copy has none), reload, switch
 * language, and remove a member, who then receives nothing more. Screens
 * are saved at phone and desktop size (test-artifacts/web; docs/screenshots
 * with BOTE_UPDATE_SCREENSHOTS=1).
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join as joinPath } from "node:path";
import type { Browser, Page } from "playwright-core";
import { jpegHasMetadata } from "@bote/web/media/jpegMetadata";
import { chromiumSkipReason } from "./support/browserPage.js";
import { gpsPhotoPath } from "./support/fixtures.js";
import {
  DESKTOP,
  PHONE,
  decryptedBytes,
  launchChromium,
  openChat,
  openPerson,
  screen,
  screenshot,
  startBote,
  unnamedControls,
  type BoteServer,
  type Person,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web app end-to-end");
const GROUP = "Baustelle Lindenstraße";

describe("web app, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let ben: Person;
  let carla: Person;

  before(async () => {
    server = await startBote("Müller Bau GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", DESKTOP, server.url);
    ben = await openPerson(browser, "Ben Bauer", PHONE, server.url);
    carla = await openPerson(browser, "Carla Kranich", PHONE, server.url);
  });

  // Every person's screen after each step, to read a failure from (test-artifacts/web/steps).
  afterEach(async (t) => {
    for (const person of [anna, ben, carla]) {
      await screenshot(person.page, `steps/${t.name.slice(0, 40)} - ${person.name}`, false).catch(() => undefined);
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("serves the app with a strict Content-Security-Policy", async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    const csp = response.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it("the first admin joins through the invitation link and invites two colleagues by name", async () => {
    await joinFirstAdmin(anna, server.adminInvitation);
    const links: string[] = [];
    for (const person of [ben, carla]) {
      links.push(await invite(anna.page, person.name));
    }
    assert.notEqual(links[0], links[1], "a fresh link each time");
    for (const link of links) assert.match(link, /\/join#t=/);
    await join(ben, links[0]!);
    await join(carla, links[1]!);
    // The secrets of the link are gone from the address bar once joined.
    assert.doesNotMatch(ben.page.url(), /#t=/);
  });

  it("chats 1:1 with unread count, read receipt and a reply", async () => {
    const page = anna.page;
    await page.getByRole("link", { name: "Neuer Chat" }).click();
    await page.getByLabel("Kollegin oder Kollegen suchen").fill("Ben");
    await page.getByRole("button", { name: "Ben Bauer" }).click();
    await send(anna, "Hallo Ben, bist du auf der Baustelle?");

    const item = ben.page.locator(".chat-list").getByRole("link", { name: /Anna Admin/ });
    await item.getByText("1", { exact: true }).waitFor();
    // The open tab says so too: in its title and with a notice.
    await ben.page.waitForFunction(() => document.title === "(1) Bote");
    await ben.page.getByRole("link", { name: "Neue Nachricht von Anna Admin" }).waitFor();
    await item.click();
    await ben.page.locator(".messages .text", { hasText: "bist du auf der Baustelle" }).waitFor();
    // Ben has read it: Anna's message turns to "read" through an end-to-end receipt.
    await page.locator(".line.out .status-read").first().waitFor();

    await menu(ben, ".line.in", "bist du auf der Baustelle", "Antworten");
    await send(ben, "Ja, bis 16 Uhr.");
    await page.locator(".line.in .quote", { hasText: "bist du auf der Baustelle" }).waitFor();
    await page.locator(".line.in .text", { hasText: "Ja, bis 16 Uhr." }).waitFor();
  });

  it("edits and deletes a message for both sides", async () => {
    const page = anna.page;
    await send(anna, "Treffen um 9 Uhr");
    await ben.page.locator(".line.in .text", { hasText: "Treffen um 9 Uhr" }).waitFor();
    // By keyboard: the menu opens on Enter with the first item focused, and Escape closes it again.
    const actions = page.locator(".line.out", { hasText: "Treffen um 9 Uhr" }).getByRole("button", {
      name: "Aktionen für diese Nachricht",
    });
    await actions.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menuitem", { name: "Mit 👍 reagieren" }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("menu").waitFor({ state: "detached" });
    assert.equal(await actions.evaluate((el) => el === document.activeElement), true);
    await menu(anna, ".line.out", "Treffen um 9 Uhr", "Bearbeiten");
    const box = page.getByRole("textbox", { name: "Nachricht" });
    // The composer holds the message's text before anything is typed (else a fill can land in front of it).
    await page.waitForFunction(() => document.querySelector("textarea")?.value === "Treffen um 9 Uhr");
    await box.fill("Treffen um 10 Uhr");
    await box.press("Enter");
    await ben.page.locator(".line.in .text", { hasText: "Treffen um 10 Uhr" }).waitFor();
    assert.equal(await ben.page.getByText("Treffen um 9 Uhr").count(), 0);

    page.once("dialog", (d) => void d.accept());
    await menu(anna, ".line.out", "Treffen um 10 Uhr", "Für alle löschen");
    await ben.page.locator(".line.in .text", { hasText: "Diese Nachricht wurde gelöscht." }).waitFor();
    assert.equal(await ben.page.getByText("Treffen um 10 Uhr").count(), 0);
  });

  it("queues a message while the server is away, shows it as waiting, then sends it", async () => {
    await server.pause();
    await anna.page.locator(".connection").waitFor();
    const box = anna.page.getByRole("textbox", { name: "Nachricht" });
    await box.fill("Bin im Funkloch");
    await box.press("Enter");
    const line = anna.page.locator(".line.out", { hasText: "Bin im Funkloch" });
    await line.locator(".status-queued").waitFor();
    await server.resume();
    await ben.page.locator(".line.in .text", { hasText: "Bin im Funkloch" }).waitFor({ timeout: 60_000 });
    await line.locator(".status-delivered, .status-read").waitFor({ timeout: 60_000 });
    await anna.page.locator(".connection").waitFor({ state: "detached" });
  });

  it("creates a group and everybody writes in it", async () => {
    const page = anna.page;
    await page.getByRole("link", { name: "Neue Gruppe" }).click();
    await page.getByLabel("Gruppenname").fill(GROUP);
    await page.getByRole("checkbox", { name: "Ben Bauer" }).check();
    await page.getByRole("checkbox", { name: "Carla Kranich" }).check();
    await page.getByRole("button", { name: "Gruppe erstellen" }).click();
    await page.locator(".chat-title-name", { hasText: GROUP }).waitFor();
    await send(anna, "Willkommen in der Baustellengruppe!");
    for (const person of [ben, carla]) {
      await openChat(person.page, GROUP);
      await person.page.locator(".messages .text", { hasText: "Willkommen in der Baustellengruppe" }).waitFor();
    }
    await send(carla, "Der Kran kommt morgen um 7.");
    await page.locator(".line.in .text", { hasText: "Der Kran kommt morgen" }).waitFor();
    await ben.page.locator(".line.in .text", { hasText: "Der Kran kommt morgen" }).waitFor();

    // A reaction travels too.
    await menu(ben, ".line.in", "Der Kran kommt morgen", "Mit 👍 reagieren");
    await carla.page.locator(".line.out .reactions", { hasText: "👍" }).waitFor();
  });

  it("sends a photo with GPS data; the receiver's decrypted photo has none", async () => {
    await ben.page.locator('input[data-testid="file-input"]').setInputFiles([gpsPhotoPath, gpsPhotoPath]);
    const dialog = ben.page.getByRole("dialog");
    await dialog.getByLabel("Bildunterschrift").fill("Fundament, Achse B");
    await dialog.getByRole("button", { name: "Senden" }).click();

    // Two photos in a row are one album on the other side.
    const album = carla.page.locator(".line.in .album");
    await album.waitFor();
    assert.equal(await album.locator(".photo").count(), 2);
    await carla.page.locator(".line.in .text", { hasText: "Fundament, Achse B" }).waitFor();
    await album.locator(".photo").first().click();
    const full = carla.page.locator('.viewer img[data-full="1"]');
    await full.waitFor();
    const bytes = await decryptedBytes(carla.page, await full.getAttribute("src"));
    assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8], "a JPEG");
    assert.deepEqual(jpegHasMetadata(bytes), { exif: false, gps: false });
    const size = await full.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    assert.equal(Math.max(size[0]!, size[1]!), 1600, "downsized to 1600 px on the longest side");
    await screen(carla.page, "photo-viewer-phone");
    await carla.page.setViewportSize(DESKTOP);
    await screen(carla.page, "photo-viewer-desktop");
    await carla.page.keyboard.press("Escape");
    await screen(carla.page, "chat-photos-desktop");
    await carla.page.setViewportSize(PHONE);
    await screen(carla.page, "chat-photos-phone");
  });

  it("sends a document with its name and size; the download is byte for byte the original", async () => {
    // A PDF-like file: the app does not look inside, it must only arrive unchanged.
    const pdf = Buffer.concat([Buffer.from("%PDF-1.7\n% Angebot Lindenstraße\n"), randomBytes(300_000)]);
    await ben.page
      .locator('input[data-testid="file-input"]')
      .setInputFiles({ name: "Angebot 2026-114.pdf", mimeType: "application/pdf", buffer: pdf });
    await ben.page.getByRole("dialog").getByRole("button", { name: "Senden" }).click();
    const card = carla.page.locator(".line.in .file-card", { hasText: "Angebot 2026-114.pdf" });
    await card.waitFor();
    await card.getByText(/300.*kB/).waitFor();
    const [download] = await Promise.all([
      carla.page.waitForEvent("download"),
      card.getByRole("button", { name: "Angebot 2026-114.pdf herunterladen" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "Angebot 2026-114.pdf");
    const path = await download.path();
    assert.ok(readFileSync(path).equals(pdf), "the downloaded file equals the sent one");
  });

  it("keeps the history over a reload", async () => {
    await carla.page.reload();
    await carla.page.locator(".chat-title-name", { hasText: GROUP }).waitFor();
    await carla.page.locator(".messages .text", { hasText: "Willkommen in der Baustellengruppe" }).waitFor();
    await carla.page.locator(".line.in .album").waitFor();
    await carla.page.getByRole("link", { name: "Zurück" }).first().click();
    await carla.page
      .locator(".chat-list")
      .getByRole("link", { name: new RegExp(GROUP) })
      .waitFor();
    await screen(carla.page, "chat-list-phone");
  });

  it("switches the language to English and back", async () => {
    const page = carla.page;
    await page.getByRole("link", { name: "Einstellungen" }).click();
    await page.getByRole("radio", { name: "English" }).check();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    await page.reload();
    await page.getByRole("heading", { name: "Settings" }).waitFor();
    await page.getByRole("radio", { name: "Deutsch" }).check();
    await page.getByRole("heading", { name: "Einstellungen" }).waitFor();
  });

  it("locks the app with a PIN: nothing opens before it is entered", async () => {
    const page = ben.page;
    await page.getByRole("link", { name: "Zurück" }).first().click();
    await page.getByRole("link", { name: "Einstellungen" }).click();
    await page.getByLabel("App-Sperre mit PIN einrichten").fill("4711");
    await page.getByRole("button", { name: "PIN festlegen" }).click();
    await page.getByText("App-Sperre eingerichtet.").waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Bote ist gesperrt" }).waitFor();
    assert.equal(await page.locator(".chat-list").count(), 0);
    await page.getByLabel("PIN").fill("0000");
    await page.getByRole("button", { name: "Entsperren" }).click();
    await page.getByText("Falsche PIN.").waitFor();
    await page.getByLabel("PIN").fill("4711");
    await page.getByRole("button", { name: "Entsperren" }).click();
    await page.getByRole("heading", { name: "Einstellungen" }).waitFor();
  });

  it("shows the safety number and the organisation's verification", async () => {
    const page = anna.page;
    await openChat(anna.page, "Ben Bauer");
    await page.getByRole("link", { name: "Sicherheitsnummer anzeigen" }).click();
    await page.getByText("von Ihrer Organisation bestätigt").waitFor();
    const digits = (await page.getByLabel("Sicherheitsnummer").textContent()) ?? "";
    assert.match(digits.replace(/\s/g, ""), /^\d{60}$/);
    await page.getByRole("img", { name: /QR-Code/ }).waitFor();
    await screen(page, "verification-desktop");
    await page.setViewportSize(PHONE);
    await screen(page, "verification-phone");
    await page.setViewportSize(DESKTOP);
  });

  it("removes a member from the group, who then receives nothing more", async () => {
    const page = anna.page;
    await openChat(carla.page, GROUP);
    await openChat(ben.page, GROUP);
    await openChat(anna.page, GROUP);
    await screen(page, "chat-list-desktop");
    await page.locator(".chat-title").click();
    await page.getByRole("heading", { name: "Gruppeneinstellungen" }).waitFor();
    await screen(page, "group-settings-desktop");
    await page.setViewportSize(PHONE);
    await screen(page, "group-settings-phone");
    await page.setViewportSize(DESKTOP);
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Carla Kranich entfernen" }).click();
    await page.getByText("2 Mitglieder").waitFor();
    await carla.page.locator(".line.event", { hasText: "hat Sie entfernt" }).waitFor();

    await page.getByRole("link", { name: "Zurück" }).click();
    await send(anna, "Nur noch für Ben: Schlüssel liegt im Container.");
    await ben.page.locator(".line.in .text", { hasText: "Schlüssel liegt im Container" }).waitFor();
    // Ben got it, so it has been relayed; Carla's device has nothing to decrypt it with.
    await carla.page.waitForTimeout(1500);
    assert.equal(await carla.page.getByText("Schlüssel liegt im Container").count(), 0);
  });

  it("the accessible-name check used on every screen finds an unnamed button", async () => {
    const page = anna.page;
    await page.evaluate(() => document.body.append(Object.assign(document.createElement("button"), { id: "probe" })));
    assert.equal((await unnamedControls(page)).length, 1);
    await page.evaluate(() => document.getElementById("probe")?.remove());
    assert.deepEqual(await unnamedControls(page), []);
  });

  it("left no text, caption or file name in the server's files or logs", () => {
    const secrets = [
      "bist du auf der Baustelle",
      "Willkommen in der Baustellengruppe",
      "Fundament, Achse B",
      "Schlüssel liegt im Container",
      "Angebot 2026-114.pdf",
      "%PDF-1.7",
      GROUP,
    ];
    const places = [...filesUnder(server.dataDir).map((path) => ({ path, bytes: readFileSync(path) }))];
    places.push({ path: "server output", bytes: Buffer.from(server.logs()) });
    assert.ok(
      places.some((p) => p.path.endsWith(".sqlite")),
      "the database was read",
    );
    // Not vacuous: what the server does hold in the clear (the directory's names) is found.
    assert.ok(
      places.some((p) => p.bytes.indexOf("Carla Kranich") !== -1),
      "the directory's names are readable",
    );
    for (const { path, bytes } of places) {
      for (const secret of secrets) assert.equal(bytes.indexOf(secret), -1, `${secret} in ${path}`);
    }
  });

  it("made no third-party request and threw no error", () => {
    for (const person of [anna, ben, carla]) assert.deepEqual(person.problems, [], person.name);
  });
});

/** The first admin's bare link asks for a name. */
async function joinFirstAdmin(person: Person, link: string): Promise<void> {
  await person.page.goto(link);
  await person.page.getByLabel("Ihr Name").fill(person.name);
  await person.page.getByRole("button", { name: "Beitreten" }).click();
  await setUpLater(person.page);
  await person.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
}

/** Every other invitation names its person: the newcomer sees the name and only confirms. */
async function join(person: Person, link: string): Promise<void> {
  await person.page.goto(link);
  await person.page.getByText(`Sie werden als „${person.name}“ eingeladen.`).waitFor();
  assert.equal(await person.page.getByLabel("Ihr Name").count(), 0, "no name to type");
  await person.page.getByRole("button", { name: "Beitreten" }).click();
  await person.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
}

/** The admin invites a colleague by name in the Verwaltung and reads the link. */
async function invite(page: Page, name: string): Promise<string> {
  // From the chat list, so the Verwaltung opens afresh, with its invite form folded.
  await page.goto(new URL("/#/", page.url()).toString());
  await page.goto(new URL("/#/admin", page.url()).toString());
  await page.getByRole("button", { name: "Kollegin oder Kollegen einladen" }).click();
  await page.getByLabel("Name der Person").fill(name);
  await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
  await page.getByRole("heading", { name: `Einladung für ${name}` }).waitFor();
  return page.locator("#invite-link").inputValue();
}

async function send(person: Person, text: string): Promise<void> {
  const box = person.page.getByRole("textbox", { name: "Nachricht" });
  await box.fill(text);
  await box.press("Enter");
  await person.page.locator(".line.out .text", { hasText: text }).waitFor();
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(joinPath(dir, entry.name)) : [joinPath(dir, entry.name)],
  );
}

/** Opens the actions of the message of `side` (".line.in"/".line.out") that shows `text`, and picks `item`. */
async function menu(person: Person, side: string, text: string, item: string): Promise<void> {
  const line = person.page.locator(side, { hasText: text });
  await line.getByRole("button", { name: "Aktionen für diese Nachricht" }).click();
  await person.page.getByRole("menuitem", { name: item }).click();
}
