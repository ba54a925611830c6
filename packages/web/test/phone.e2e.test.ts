/**
 * On the crew's phones (issue 11): the frictions found at 360×740 in
 * Chromium, each a step here, against one `bote serve` process. Anna, the
 * first admin, has a phone-sized window with a mouse; Ben has a phone with
 * a touch screen (a coarse pointer and touch events).
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Browser, Locator, Page } from "playwright-core";
import { jpegHasMetadata } from "@bote/web/media/jpegMetadata";
import { chromiumSkipReason } from "./support/browserPage.js";
import { gpsPhotoPath } from "./support/fixtures.js";
import {
  PHONE,
  chatListItem,
  decryptedBytes,
  launchChromium,
  openChat,
  openPerson,
  screen,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web app on phones end-to-end");
const GROUP = "Dach Lindenweg 4";

describe("web app on phones, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let ben: Person;
  let benLink = "";

  before(async () => {
    server = await startBote("Dachdeckerei Sturm");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    ben = await openPerson(browser, "Ben Bauer", PHONE, server.url, { touch: true });
    // Headless Chromium on Linux has no share sheet: a stand-in records what the app hands to it.
    await anna.context.addInitScript(() => {
      const shared: unknown[] = [];
      Object.assign(globalThis, { __boteShared: shared });
      Object.defineProperty(navigator, "share", {
        value: (data: unknown) => {
          shared.push(data);
          return Promise.resolve();
        },
      });
    });
    for (const person of [anna, ben]) {
      await person.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
    }
  });

  afterEach(async (t) => {
    for (const person of [anna, ben]) {
      await screenshot(person.page, `steps/phone ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("the admin's empty chat list offers to invite colleagues: link, QR code, copy and share", async () => {
    const page = anna.page;
    await page.goto(server.adminInvitation);
    await page.getByLabel("Ihr Name").fill(anna.name);
    await page.getByRole("button", { name: "Beitreten" }).click();
    // The first admin's link opens the setup; it stays offered in the chat list.
    await page.getByText("Schritt 1 von 5").waitFor();
    await setUpLater(page);
    // Nobody to chat with yet: the first screen points to inviting, not to "Neuer Chat".
    await page.getByText("Noch niemand da.").waitFor();
    await screenshot(page, "chat-list-empty-admin-phone", false);
    await page.getByRole("link", { name: "Kolleg:innen einladen" }).click();
    await page.getByLabel("Name der Person").fill(ben.name);
    await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
    await page.getByRole("heading", { name: `Einladung für ${ben.name}` }).waitFor();
    const qr = page.getByRole("img", { name: `QR-Code der Einladung für ${ben.name}` });
    await qr.waitFor();
    assert.match((await qr.getAttribute("src")) ?? "", /^data:image\/png;base64,/, "drawn here, not fetched");
    benLink = await page.locator("#invite-link").inputValue();
    assert.match(benLink, /\/join#t=[^&]+&/);

    await page.getByRole("button", { name: "Link kopieren" }).click();
    await page.getByText("Link kopiert.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), benLink);
    await page.getByRole("button", { name: "Teilen" }).click();
    const shared = await page.evaluate(
      () => (globalThis as unknown as { __boteShared: { url: string }[] }).__boteShared,
    );
    assert.deepEqual(
      shared.map((s) => s.url),
      [benLink],
    );
    await page.locator(".notices .notice").waitFor({ state: "detached" });
    await screen(page, "invite-qr-phone");
  });

  it("a used, revoked or garbled invitation link says so at once, before a name is asked", async () => {
    const page = ben.page;
    // The first admin's link, already used by Anna: it would ask for a name.
    await page.goto(server.adminInvitation);
    await expectRefused(page, "schon verwendet");
    await screen(page, "join-used-phone");

    const carlaLink = await inviteIn(anna.page, "Carla Kranich");
    await anna.page.goto(`${server.url}/#/admin`);
    const row = anna.page.locator(".admin-invitations li", { hasText: "Carla Kranich" });
    await row.getByRole("button", { name: "Einladung für Carla Kranich widerrufen" }).click();
    await row.getByText("widerrufen", { exact: true }).waitFor();
    await page.goto("about:blank");
    await page.goto(carlaLink);
    await expectRefused(page, "gilt nicht mehr");

    await page.goto("about:blank");
    await page.goto(`${server.url}/join#t=${"A".repeat(43)}`);
    await expectRefused(page, "gilt nicht mehr");
  });

  it("Ben joins with his link on his phone", async () => {
    const page = ben.page;
    // A new document, as opening a link from a messenger gives (another hash alone would not load the page).
    await page.goto("about:blank");
    await page.goto(benLink);
    await page.getByText(`Sie werden als „${ben.name}“ eingeladen.`).waitFor();
    await page.getByRole("button", { name: "Beitreten" }).click();
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
  });

  it("Enter makes a new line on a touch phone, where the send button sends; on a desktop Enter sends", async () => {
    const page = anna.page;
    await page.goto(`${server.url}/#/new`);
    await page.getByLabel("Kollegin oder Kollegen suchen").fill("Ben");
    await page.getByRole("button", { name: ben.name }).click();
    // With a mouse and a keyboard: Shift+Enter makes a new line, Enter sends.
    const box = page.getByRole("textbox", { name: "Nachricht" });
    await box.fill("Hallo Ben,");
    await box.press("Shift+Enter");
    await box.pressSequentially("die Leiter steht im Hof.");
    await box.press("Enter");
    await page.locator(".line.out .text", { hasText: "die Leiter steht im Hof." }).waitFor();
    assert.equal(await box.inputValue(), "");

    await openChat(ben.page, anna.name);
    const benLine = ben.page.locator(".line.in .text", { hasText: "die Leiter steht im Hof." });
    assert.equal(await benLine.innerText(), "Hallo Ben,\ndie Leiter steht im Hof.");
    // A phone's keyboard has one Enter key, and it makes a new line; the send button sends.
    const phoneBox = ben.page.getByRole("textbox", { name: "Nachricht" });
    await phoneBox.tap();
    await phoneBox.pressSequentially("Komme gleich.");
    await phoneBox.press("Enter");
    await phoneBox.pressSequentially("Bringe Ziegel mit.");
    assert.equal(await phoneBox.inputValue(), "Komme gleich.\nBringe Ziegel mit.");
    assert.equal(await ben.page.locator(".line.out").count(), 0, "nothing sent by Enter");
    await ben.page.getByRole("button", { name: "Senden" }).tap();
    const annaLine = page.locator(".line.in .text", { hasText: "Bringe Ziegel mit." });
    await annaLine.waitFor();
    assert.equal(await annaLine.innerText(), "Komme gleich.\nBringe Ziegel mit.");
  });

  it("a long press on the last message opens its menu, fully on screen and above the composer", async () => {
    const page = ben.page;
    // A screenful of lines, so the last one sits right above the composer.
    for (let i = 1; i <= 8; i++) await send(anna.page, `Material ${i}: Dachlatten`);
    await page.locator(".line.in .text", { hasText: "Material 8: Dachlatten" }).waitFor();
    const box = page.getByRole("textbox", { name: "Nachricht" });
    await box.fill("Bin unterwegs.");
    await page.getByRole("button", { name: "Senden" }).tap();
    // The last line is Ben's own; a long press, as a thumb does it.
    const own = page.locator(".line.out", { hasText: "Bin unterwegs." });
    await own.locator(".status-delivered, .status-read").waitFor();
    // Anna's first line came while Ben was in the chat list: its notice has to go, or the thumb lands on it.
    await page.locator(".notices .notice").waitFor({ state: "detached" });
    await longPress(ben, own.locator(".bubble"));
    await expectMenuOnScreen(page);
    await screenshot(page, "message-menu-phone", false);
    // A long press selects no text, so the menu copies it.
    await page.getByRole("menuitem", { name: "Kopieren" }).tap();
    await page.getByText("Text kopiert.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "Bin unterwegs.");

    // The last line is Anna's: the actions button still opens the same menu.
    await send(anna.page, "Danke!");
    const theirs = page.locator(".line.in", { hasText: "Danke!" });
    await theirs.waitFor();
    await theirs.getByRole("button", { name: "Aktionen für diese Nachricht" }).tap();
    await expectMenuOnScreen(page);
    await page.keyboard.press("Escape");
    await page.getByRole("menu").waitFor({ state: "detached" });
    await longPress(ben, theirs.locator(".bubble"));
    await expectMenuOnScreen(page);
    await page.getByRole("menuitem", { name: "Mit 👍 reagieren" }).tap();
    await anna.page.locator(".line.out .reactions", { hasText: "👍" }).waitFor();
  });

  it('an edited message says "bearbeitet" on both sides, also after a reload', async () => {
    const page = ben.page;
    const own = page.locator(".line.out", { hasText: "Bin unterwegs." });
    await longPress(ben, own.locator(".bubble"));
    await page.getByRole("menuitem", { name: "Bearbeiten" }).tap();
    const box = page.getByRole("textbox", { name: "Nachricht" });
    await box.fill("Bin in zehn Minuten da.");
    await page.getByRole("button", { name: "Senden" }).tap();
    const edited = page.locator(".line.out", { hasText: "Bin in zehn Minuten da." });
    await edited.getByText("bearbeitet", { exact: true }).waitFor();
    const theirs = anna.page.locator(".line.in", { hasText: "Bin in zehn Minuten da." });
    await theirs.getByText("bearbeitet", { exact: true }).waitFor();
    // Only the edited one says so.
    assert.equal(await anna.page.locator(".line", { hasText: "bearbeitet" }).count(), 1);
    await anna.page.reload();
    await theirs.getByText("bearbeitet", { exact: true }).waitFor();
  });

  it('a 1:1 chat does not say "Sie wurden hinzugefügt": nobody added anyone', async () => {
    await openChat(ben.page, anna.name);
    await ben.page.locator(".line", { hasText: "Bin in zehn Minuten da." }).waitFor();
    assert.equal(await ben.page.locator(".line.event", { hasText: "hinzugefügt" }).count(), 0);
  });

  it("a group says who added you", async () => {
    const page = anna.page;
    await page.goto(`${server.url}/#/new-group`);
    await page.getByLabel("Gruppenname").fill(GROUP);
    await page.getByRole("checkbox", { name: ben.name }).check();
    await page.getByRole("button", { name: "Gruppe erstellen" }).click();
    await page.locator(".chat-title-name", { hasText: GROUP }).waitFor();
    await openChat(ben.page, GROUP);
    await ben.page.locator(".line.event", { hasText: `${anna.name} hat Sie hinzugefügt` }).waitFor();
  });

  it("group previews in the chat list name the sender; 1:1 previews do not", async () => {
    await send(anna.page, "Gerüst steht.");
    await ben.page.locator(".line.in .text", { hasText: "Gerüst steht." }).waitFor();
    const preview = async (person: Person, chat: string) => {
      await person.page.goto(`${server.url}/#/`);
      return (await chatListItem(person.page, chat).locator(".chat-item-preview").textContent()) ?? "";
    };
    assert.equal(await preview(ben, GROUP), `${anna.name}: Gerüst steht.`);
    assert.equal(await preview(anna, GROUP), "Sie: Gerüst steht.");
    assert.equal(await preview(ben, anna.name), "Danke!");
    assert.equal(await preview(anna, ben.name), "Sie: Danke!");
    await screenshot(ben.page, "chat-list-group-preview-phone", false);
  });

  it("a photo sent as the original shows its recipient a preview, made without the location data", async () => {
    await openChat(ben.page, GROUP);
    await ben.page.locator('input[data-testid="file-input"]').setInputFiles([gpsPhotoPath]);
    const dialog = ben.page.getByRole("dialog");
    await dialog.getByRole("checkbox", { name: /Als Datei senden \(Original\)/ }).check();
    await dialog.getByLabel("Bildunterschrift").fill("Dachrinne, Original");
    await dialog.getByRole("button", { name: "Senden" }).tap();

    await openChat(anna.page, GROUP);
    const line = anna.page.locator(".line.in", { hasText: "Dachrinne, Original" });
    const preview = line.locator(".photo img");
    await preview.waitFor();
    assert.equal(await line.locator(".photo-placeholder").count(), 0, "no empty box");
    const bytes = await decryptedBytes(anna.page, await preview.getAttribute("src"));
    assert.deepEqual([bytes[0], bytes[1]], [0xff, 0xd8], "a JPEG");
    assert.deepEqual(jpegHasMetadata(bytes), { exif: false, gps: false }, "the preview carries no location");
    const size = await preview.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight]);
    assert.ok(Math.max(size[0]!, size[1]!) <= 320, `a small preview, not the photo: ${size.join("×")}`);
    // The original itself is the file as it was: the person chose to keep its metadata.
    await preview.click();
    const full = anna.page.locator('.viewer img[data-full="1"]');
    await full.waitFor();
    const original = await decryptedBytes(anna.page, await full.getAttribute("src"));
    assert.ok(Buffer.from(original).equals(readFileSync(gpsPhotoPath)), "the original, byte for byte");
    await anna.page.keyboard.press("Escape");
  });

  it("made no third-party request and threw no error", () => {
    assert.deepEqual(anna.problems, [], anna.name);
    // The browser itself logs the answers to the invitation checks of the refused links (409 used, 404 gone).
    assert.deepEqual(
      ben.problems.filter((p) => !/status of 40[49] /.test(p)),
      [],
      ben.name,
    );
  });
});

/** Touches `target` and holds it for 0.8 s, through Chromium's touch input (not synthetic DOM events). */
async function longPress(person: Person, target: Locator): Promise<void> {
  const box = await target.boundingBox();
  if (box === null) assert.fail("nothing to press");
  const cdp = await person.context.newCDPSession(person.page);
  try {
    const point = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [point] });
    await person.page.waitForTimeout(800);
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  } finally {
    await cdp.detach();
  }
}

/** The open message menu lies wholly inside the viewport and above the composer. */
async function expectMenuOnScreen(page: Page): Promise<void> {
  const menu = page.getByRole("menu");
  await menu.waitFor();
  // Wait for it to be placed (a frame after it opens).
  await page.waitForFunction(() => document.querySelector<HTMLElement>("[role=menu]")?.dataset.placed === "1");
  const box = await menu.boundingBox();
  const composer = await page.locator(".composer").boundingBox();
  const viewport = page.viewportSize();
  if (box === null || composer === null || viewport === null) assert.fail("no menu, composer or viewport");
  const where = JSON.stringify({ box, composer, viewport });
  assert.ok(box.x >= 0 && box.y >= 0, `menu inside the top left: ${where}`);
  assert.ok(box.x + box.width <= viewport.width, `menu inside the right edge: ${where}`);
  assert.ok(box.y + box.height <= viewport.height, `menu inside the bottom: ${where}`);
  assert.ok(box.y + box.height <= composer.y, `menu above the composer: ${where}`);
  // What is on top near the menu's (rounded) corners is the menu itself: nothing covers it.
  const covered = await menu.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const corners = [
      [r.left + 12, r.top + 12],
      [r.right - 12, r.top + 12],
      [r.left + 12, r.bottom - 12],
      [r.right - 12, r.bottom - 12],
    ] as const;
    return corners.filter(([x, y]) => !el.contains(document.elementFromPoint(x, y)));
  });
  assert.deepEqual(covered, [], `menu covered at corners: ${where}`);
}

/** The link's problem shows at once: nothing to type, no button to join, and what to do about it. */
async function expectRefused(page: Page, reason: string): Promise<void> {
  await page.getByRole("heading", { name: "Diese Einladung lässt sich nicht verwenden" }).waitFor();
  await page.getByRole("alert").getByText(reason).waitFor();
  await page.getByRole("alert").getByText("um einen neuen Einladungslink").waitFor();
  assert.equal(await page.getByRole("textbox").count(), 0, "nothing to type");
  assert.equal(await page.getByRole("button", { name: "Beitreten" }).count(), 0, "nothing to press");
}

/** An invitation from the admin's invite screen. */
async function inviteIn(page: Page, name: string): Promise<string> {
  await page.goto(new URL("/#/", page.url()).toString());
  await page.goto(new URL("/#/invite", page.url()).toString());
  await page.getByLabel("Name der Person").fill(name);
  await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
  await page.getByRole("heading", { name: `Einladung für ${name}` }).waitFor();
  return page.locator("#invite-link").inputValue();
}
