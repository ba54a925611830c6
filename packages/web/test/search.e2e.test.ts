/**
 * Search on the phone (issue 11): the chat list's search finds messages in
 * every chat, not only chat names, and says "Keine Treffer" when nothing
 * matches. One `bote serve` process, Debian's Chromium at 360×740: Anna
 * writes to Bernd in their 1:1 chat and in a group; Bernd searches from the
 * group for a word of the 1:1 chat and lands on that very message.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  chatListItem,
  launchChromium,
  openChat,
  openPerson,
  screen,
  screenshot,
  send,
  startBote,
  type BoteServer,
  type Person,
  joinTeam,
} from "./support/webApp.js";

const skip = chromiumSkipReason("search end-to-end");
const GROUP = "Baustelle Lindenweg";
const WANTED = "Die Dachrinne über der Garage ist undicht, bitte Fotos machen";

describe("search across chats, end to end in Chromium", { skip, timeout: 240_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let bernd: Person;

  before(async () => {
    server = await startBote("Dachdeckerei Sturm");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    bernd = await openPerson(browser, "Bernd Bau", PHONE, server.url, { touch: true });
  });

  afterEach(async (t) => {
    for (const person of [anna, bernd]) {
      await screenshot(person.page, `steps/search ${t.name.slice(0, 40)} - ${person.name}`, false).catch(
        () => undefined,
      );
    }
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    for (const person of [anna, bernd]) assert.deepEqual(person.problems, [], `problems seen by ${person.name}`);
  });

  it("Anna writes to Bernd alone and in a group", async () => {
    await joinTeam(server, anna, [bernd]);

    await anna.page.goto(`${server.url}/#/new`);
    await anna.page.getByLabel("Kollegin oder Kollegen suchen").fill("Bernd");
    await anna.page.getByRole("button", { name: bernd.name }).click();
    await send(anna.page, WANTED);
    // Enough after it that the wanted line is off screen when the chat opens at its end.
    for (let i = 1; i <= 12; i++) await send(anna.page, `Nachtrag ${i}: Termin am Montag um ${6 + i} Uhr`);

    await anna.page.goto(`${server.url}/#/new-group`);
    await anna.page.getByLabel("Gruppenname").fill(GROUP);
    await anna.page.getByRole("checkbox", { name: bernd.name }).check();
    await anna.page.getByRole("button", { name: "Gruppe erstellen" }).click();
    await anna.page.locator(".chat-title-name", { hasText: GROUP }).waitFor();
    await send(anna.page, "Gerüst steht, neue Dachrinne ist bestellt");

    await openChat(bernd.page, GROUP);
    await bernd.page.locator(".line.in .text", { hasText: "Gerüst steht" }).waitFor();
  });

  it("a word from another chat is found, highlighted, and opens that chat at the message", async () => {
    const page = bernd.page;
    await page.goto(`${server.url}/#/`);
    // Every word, in any case and without the umlaut.
    await page.getByRole("searchbox", { name: "Suchen" }).fill("DACHRINNE uber");
    const hit = page.locator(".search-hits .chat-item");
    await hit.first().waitFor();
    assert.equal(await hit.count(), 1);
    assert.equal(await hit.locator(".chat-item-name").textContent(), anna.name);
    assert.match((await hit.locator(".hit-text").textContent()) ?? "", /^Anna Admin: .*Dachrinne über der Garage/);
    assert.deepEqual(await hit.locator("mark").allTextContents(), ["Dachrinne", "über"]);
    assert.ok(((await hit.locator("time").textContent()) ?? "") !== "", "the hit says when");

    await hit.click();
    await page.locator(".chat-title-name", { hasText: anna.name }).waitFor();
    const line = page.locator(".line.in", { hasText: WANTED });
    await page.locator(".line.in.focused", { hasText: WANTED }).waitFor();
    assert.ok(await isInView(page, line), "the chat is scrolled to the message");
    assert.equal(await isInView(page, page.locator(".line.in", { hasText: "Nachtrag 12" })), false);
    // The mark goes after a moment; the chat stays where it is.
    await page.locator(".line.in.focused").waitFor({ state: "detached" });
    assert.ok(await isInView(page, line), "the chat stays at the message");
  });

  it("a word that is nowhere says “Keine Treffer”", async () => {
    const page = bernd.page;
    await page.goto(`${server.url}/#/`);
    await page.getByRole("searchbox", { name: "Suchen" }).fill("Schornsteinfeger");
    await page.getByRole("status").getByText("Keine Treffer").waitFor();
    assert.equal(await page.locator(".chat-list .chat-item").count(), 0);
    // A chat's name still finds the chat.
    await page.getByRole("searchbox", { name: "Suchen" }).fill("linden");
    await page.locator(".chat-item-name", { hasText: GROUP }).waitFor();
    assert.equal(await page.getByText("Keine Treffer").count(), 0);
  });

  it("a message arriving in the open chat is merged into it: a few records read, not the chat", async () => {
    const page = bernd.page;
    await page.addInitScript(countMessageReads);
    await page.goto(`${server.url}/#/`);
    await page.reload();
    await page.locator(".chat-list .chat-item").first().waitFor();
    await chatListItem(page, anna.name).click();
    const lines = page.locator(".line.in");
    await lines.filter({ hasText: "Nachtrag 12" }).waitFor();
    const inChat = await lines.count();
    assert.ok(inChat >= 13);
    // Opening marked the chat read: Anna's last line says so.
    await anna.page.goto(`${server.url}/#/`);
    await chatListItem(anna.page, bernd.name).click();
    await anna.page.locator(".line.out", { hasText: "Nachtrag 12" }).locator(".status-read").waitFor();

    await page.evaluate(() => ((globalThis as unknown as { __boteMessageReads: number }).__boteMessageReads = 0));
    await send(anna.page, "Gerüst ist abgebaut");
    await page.locator(".line.in", { hasText: "Gerüst ist abgebaut" }).waitFor();
    // Read at once, since the chat is open: that is Bernd's last store access for this message.
    await anna.page.locator(".line.out", { hasText: "Gerüst ist abgebaut" }).locator(".status-read").waitFor();
    const reads = await page.evaluate(
      () => (globalThis as unknown as { __boteMessageReads: number }).__boteMessageReads,
    );
    assert.ok(reads <= 20, `${reads} message records read for one message in a chat of ${inChat + 1}`);
    await page.goto(`${server.url}/#/`);
    const item = chatListItem(page, anna.name);
    await item.locator(".chat-item-preview", { hasText: "Gerüst ist abgebaut" }).waitFor();
    assert.equal(await item.locator(".badge").count(), 0, "no unread badge for a message read in the open chat");
  });

  it("hits from several chats, newest first (the screenshot)", async () => {
    const page = bernd.page;
    await page.getByRole("searchbox", { name: "Suchen" }).fill("dachrinne");
    const names = page.locator(".search-hits .chat-item-name");
    await names.nth(1).waitFor();
    assert.deepEqual(await names.allTextContents(), [GROUP, anna.name]);
    await page.locator(".notices .notice").waitFor({ state: "detached" });
    await screen(page, "search-results-phone");
  });
});

/**
 * Runs in the page before the app: counts the message records the app reads
 * from IndexedDB (getAll, get and cursor steps on the messages store).
 */
function countMessageReads(): void {
  const counter = globalThis as unknown as { __boteMessageReads: number };
  counter.__boteMessageReads = 0;
  const isMessages = (source: IDBObjectStore | IDBIndex) =>
    (source instanceof IDBIndex ? source.objectStore : source).name === "messages";
  const count = (request: IDBRequest) => {
    request.addEventListener("success", () => {
      const result: unknown = request.result;
      if (Array.isArray(result)) counter.__boteMessageReads += result.length;
      else if (result !== undefined && result !== null) counter.__boteMessageReads += 1;
    });
    return request;
  };
  for (const proto of [IDBObjectStore.prototype, IDBIndex.prototype] as (IDBObjectStore | IDBIndex)[]) {
    for (const name of ["get", "getAll", "openCursor"] as const) {
      const original = Reflect.get(proto, name) as (this: IDBObjectStore | IDBIndex, ...args: unknown[]) => IDBRequest;
      Object.defineProperty(proto, name, {
        value(this: IDBObjectStore | IDBIndex, ...args: unknown[]) {
          const request = original.apply(this, args);
          return isMessages(this) ? count(request) : request;
        },
      });
    }
  }
}

async function isInView(page: Page, locator: ReturnType<Page["locator"]>): Promise<boolean> {
  const box = await locator.boundingBox();
  const list = await page.locator(".messages").boundingBox();
  if (box === null || list === null) return false;
  return box.y >= list.y && box.y + box.height <= list.y + list.height;
}
