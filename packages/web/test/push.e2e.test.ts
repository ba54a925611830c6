/**
 * A push wakes a closed chat, end to end in Debian's Chromium at phone
 * size: Anna writes to Bernd while no page of the app is open in Bernd's
 * browser; a push reaches Bernd's service worker (delivered through the
 * DevTools protocol, as headless Chromium has no push service of its own),
 * the worker logs in with the device key from IndexedDB, fetches, decrypts
 * and stores the message, and shows "Anna Admin: Fotos kommen gleich" —
 * or only "Neue Nachricht" once Bernd turned the preview off. Opened
 * again, Bernd's app shows the message it did not receive itself.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  launchChromium,
  openPerson,
  screenshot,
  startBote,
  unnamedControls,
  type BoteServer,
  type Person,
  joinTeam,
} from "./support/webApp.js";

const skip = chromiumSkipReason("web push end-to-end");

interface ShownNotification {
  title: string;
  body: string;
  tag: string;
  data: { url?: string } | null;
}

describe("a push wakes a closed chat, in Chromium", { skip, timeout: 180_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;
  let bernd: Person;
  let conversationUrl: string;

  before(async () => {
    server = await startBote("Müller Bau GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
    bernd = await openPerson(browser, "Bernd Bau", PHONE, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("Anna and Bernd have a chat, and Bernd's settings offer notifications", async () => {
    await joinTeam(server, anna, [bernd]);

    await anna.page.goto(`${server.url}/#/`);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).click();
    await anna.page.getByLabel("Kollegin oder Kollegen suchen").fill("Bernd");
    await anna.page.getByRole("button", { name: bernd.name }).click();
    await send(anna.page, "Guten Morgen!");
    await bernd.page
      .locator(".chat-list")
      .getByRole("link", { name: /Anna Admin/ })
      .click();
    await bernd.page.locator(".line.in .text", { hasText: "Guten Morgen!" }).waitFor();
    conversationUrl = bernd.page.url();

    await bernd.context.grantPermissions(["notifications"], { origin: server.url });
    await bernd.page.goto(`${server.url}/#/settings`);
    await bernd.page.getByRole("group", { name: "Benachrichtigungen" }).waitFor();
    const preview = bernd.page.getByLabel("Absender und Text in der Benachrichtigung zeigen");
    assert.equal(await preview.isChecked(), true);
    assert.deepEqual(await unnamedControls(bernd.page), []);
    // The in-app notice of Anna's first message has gone by then.
    await bernd.page.locator(".notices .notice").waitFor({ state: "detached" });
    await bernd.page.getByRole("group", { name: "Benachrichtigungen" }).scrollIntoViewIfNeeded();
    await screenshot(bernd.page, "notifications-settings-phone");
    // The service worker is in charge now and stays after the page is gone.
    await bernd.page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  });

  it("with no page of the app open, a push shows the sender and the text, and the message is stored", async () => {
    await closeAppPages(bernd.context);
    await send(anna.page, "Fotos kommen gleich");
    const shown = await pushAndRead(bernd.context, server.url, (n) => n.body === "Fotos kommen gleich");
    assert.equal(shown.title, "Anna Admin");
    assert.match(shown.data?.url ?? "", /^\/#\/chat\/[A-Za-z0-9_-]+$/);
    assert.equal(new URL(shown.data!.url!, server.url).href, conversationUrl, "a click opens the chat");

    // Opened again, the app shows what the worker fetched and stored: the server holds it no more.
    const page = await bernd.context.newPage();
    await page.goto(conversationUrl);
    await page.locator(".line.in .text", { hasText: "Fotos kommen gleich" }).waitFor();
    assert.equal(await page.locator(".line.in .text", { hasText: "Fotos kommen gleich" }).count(), 1);
  });

  it("without the preview, the notification says only “Neue Nachricht”", async () => {
    const page = bernd.context.pages().find((p) => p.url().startsWith(server.url)) ?? (await bernd.context.newPage());
    await page.goto(`${server.url}/#/settings`);
    await page.getByLabel("Absender und Text in der Benachrichtigung zeigen").uncheck();
    // Stored where the worker reads it before the page goes.
    await page.waitForFunction(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open("bote-push");
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error ?? new Error("no database"));
      });
      const settings = await new Promise<{ preview?: boolean } | undefined>((resolve) => {
        const get = db.transaction("settings").objectStore("settings").get("push");
        get.onsuccess = () => resolve(get.result as { preview?: boolean } | undefined);
      });
      db.close();
      return settings?.preview === false;
    });
    await closeAppPages(bernd.context);
    await send(anna.page, "Das Angebot ist fertig");
    const shown = await pushAndRead(bernd.context, server.url, (n) => n.body === "Neue Nachricht");
    assert.equal(shown.title, "Bote");
    const all = await notifications(bernd.context);
    assert.equal(
      all.some((n) => n.body.includes("Angebot")),
      false,
      "no notification names the text",
    );
    const opened = await bernd.context.newPage();
    await opened.goto(conversationUrl);
    await opened.locator(".line.in .text", { hasText: "Das Angebot ist fertig" }).waitFor();
  });
});

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Nachricht" });
  await box.fill(text);
  await box.press("Enter");
  // Stored on the server ("Gesendet") before any push is delivered.
  await page.locator(".line.out", { hasText: text }).locator(".status-sent, .status-delivered, .status-read").waitFor();
}

/** Closes every page, so the service worker has no window of the app; a blank page keeps the context alive. */
async function closeAppPages(context: BrowserContext): Promise<void> {
  if (!context.pages().some((p) => p.url() === "about:blank")) await context.newPage();
  for (const page of context.pages()) if (page.url() !== "about:blank") await page.close();
}

/** Delivers a push to the origin's service worker through the DevTools protocol, then waits for the notification. */
async function pushAndRead(
  context: BrowserContext,
  origin: string,
  match: (n: ShownNotification) => boolean,
): Promise<ShownNotification> {
  const blank = context.pages().find((p) => p.url() === "about:blank") ?? (await context.newPage());
  const cdp: CDPSession = await context.newCDPSession(blank);
  const registration = new Promise<string>((resolve) => {
    cdp.on(
      "ServiceWorker.workerRegistrationUpdated",
      (event: { registrations: { registrationId: string; scopeURL: string }[] }) => {
        const found = event.registrations.find((r) => r.scopeURL.startsWith(origin));
        if (found !== undefined) resolve(found.registrationId);
      },
    );
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  // The payload a Bote server sends: it names nothing.
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: '{"v":1}' });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = (await notifications(context)).find(match);
    if (found !== undefined) {
      await cdp.detach();
      return found;
    }
    if (Date.now() > deadline) throw new Error(`no such notification: ${JSON.stringify(await notifications(context))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The notifications the service worker shows, read inside the worker itself (no page of the app needed). */
async function notifications(context: BrowserContext): Promise<ShownNotification[]> {
  for (const worker of context.serviceWorkers().reverse()) {
    try {
      return await worker.evaluate(async () => {
        const scope = self as unknown as { registration: { getNotifications(): Promise<Notification[]> } };
        return (await scope.registration.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as { url?: string } | null,
        }));
      });
    } catch {
      // A worker that stopped meanwhile; the next (newer) one answers.
    }
  }
  return [];
}
