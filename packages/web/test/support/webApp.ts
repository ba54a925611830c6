/**
 * The web app end to end: a real `bote serve` process (SQLite in a temp
 * directory) serving the built app, and one real Chromium with a context per
 * person — exactly what a person gets from `npm start` and a browser.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { startBoteServer, type BoteServer } from "./boteServer.js";
export { launchChromium } from "./browserPage.js";
export type { BoteServer } from "./boteServer.js";
export const webRoot = fileURLToPath(new URL("../../dist/www", import.meta.url));
export const artifactsDir = fileURLToPath(new URL("../../../../test-artifacts/web", import.meta.url));
export const docsScreenshotsDir = fileURLToPath(new URL("../../../../docs/screenshots", import.meta.url));

export const PHONE = { width: 360, height: 740 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;

/** Bote as `npm start` runs it, serving this build of the web app. */
export function startBote(orgName: string): Promise<BoteServer> {
  return startBoteServer({ orgName, webRoot });
}

export interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and failed requests to other origins, checked at the end. */
  readonly problems: string[];
}

export async function openPerson(
  browser: Browser,
  name: string,
  viewport: { width: number; height: number },
  origin: string,
  options: { touch?: boolean } = {},
) {
  // With touch, the page sees a phone: a coarse pointer, touch events and the mobile viewport.
  const touch = options.touch === true ? { hasTouch: true, isMobile: true } : {};
  const context = await browser.newContext({ viewport, locale: "de-DE", timezoneId: "Europe/Berlin", ...touch });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith("blob:") && !url.startsWith("data:")) {
      problems.push(`third-party request: ${url}`);
    }
  });
  page.on("console", (message) => {
    // The browser itself logs refused connections while a test has the server stopped.
    if (message.type() === "error" && !message.text().includes("ERR_CONNECTION_REFUSED")) {
      problems.push(`console: ${message.text()} ${message.location().url}`);
    }
  });
  // Test instrumentation (injected by the browser, outside the page's CSP): keep each blob behind a
  // blob: URL, so a test can read the bytes the app decrypted without the page fetching blob: URLs.
  await page.addInitScript(() => {
    const blobs = new Map<string, Blob>();
    const create = URL.createObjectURL.bind(URL);
    URL.createObjectURL = (object: Blob | MediaSource) => {
      const url = create(object);
      if (object instanceof Blob) blobs.set(url, object);
      return url;
    };
    (globalThis as unknown as { __boteBlobs: Map<string, Blob> }).__boteBlobs = blobs;
  });
  page.setDefaultTimeout(20_000);
  return { name, context, page, problems } satisfies Person;
}

/** Saves a screenshot as a test artifact, and into docs/screenshots when BOTE_UPDATE_SCREENSHOTS=1. */
export async function screenshot(page: Page, name: string, forDocs = true): Promise<void> {
  const path = join(artifactsDir, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  const shot = await page.screenshot({ path });
  if (forDocs && process.env.BOTE_UPDATE_SCREENSHOTS === "1") {
    mkdirSync(docsScreenshotsDir, { recursive: true });
    writeFileSync(join(docsScreenshotsDir, `${name}.png`), shot);
  }
}

/**
 * Every visible control has a name a screen reader can say (its label,
 * aria-label or text), and every image an alt text (empty for decoration):
 * the controls' names are the ones a blind person hears.
 */
export async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const visible = (el: Element) => (el as HTMLElement).offsetParent !== null || el.closest(".viewer") !== null;
    const named = (el: Element) => {
      const labelled = (el as HTMLInputElement).labels?.length ?? 0;
      const text = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
      return labelled > 0 || text !== "" || (el.getAttribute("title") ?? "") !== "";
    };
    const problems: string[] = [];
    for (const el of document.querySelectorAll("button, a[href], input:not([type=hidden]), textarea, select")) {
      if (visible(el) && !named(el) && !(el as HTMLInputElement).hidden) problems.push(el.outerHTML.slice(0, 120));
    }
    for (const img of document.querySelectorAll("img")) {
      if (!img.hasAttribute("alt")) problems.push(img.outerHTML.slice(0, 120));
    }
    return problems;
  });
}

/** A screenshot for the docs, and the check that every control on that screen has an accessible name. */
export async function screen(page: Page, name: string): Promise<void> {
  assert.deepEqual(await unnamedControls(page), [], `unnamed controls on ${name}`);
  await screenshot(page, name);
}

/** Sends a text as a keyboard does on a desktop (Enter), and waits until it shows as sent. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: "Nachricht" });
  await box.fill(text);
  await box.press("Enter");
  await page.locator(".line.out .text", { hasText: text }).waitFor();
}

/** The chat list's entry for the chat named exactly `name` (a group's preview may name a person too). */
export function chatListItem(page: Page, name: string): Locator {
  return page.locator(".chat-list .chat-item", {
    has: page.locator(".chat-item-name").getByText(name, { exact: true }),
  });
}

/** Opens the chat named `name` from the chat list. */
export async function openChat(page: Page, name: string): Promise<void> {
  await page.goto(new URL("/#/", page.url()).toString());
  await chatListItem(page, name).click();
  await page.locator(".chat-title-name", { hasText: name }).waitFor();
}

/** The bytes behind a blob: URL of the page: the photo exactly as the receiver decrypted it. */
export async function decryptedBytes(page: Page, src: string | null): Promise<Uint8Array> {
  if (src === null || !src.startsWith("blob:")) assert.fail(`the photo is shown from memory, not ${src}`);
  const url = src;
  const numbers = await page.evaluate(async (url) => {
    const blob = (globalThis as unknown as { __boteBlobs: Map<string, Blob> }).__boteBlobs.get(url);
    return blob === undefined ? [] : [...new Uint8Array(await blob.arrayBuffer())];
  }, url);
  return Uint8Array.from(numbers);
}

/** The admin invites a colleague by name in the Verwaltung and gets the link to open in the colleague's browser. */
export async function invite(page: Page, name: string): Promise<string> {
  await page.goto(new URL("/#/admin", page.url()).toString());
  await page.getByRole("button", { name: "Kollegin oder Kollegen einladen" }).click();
  await page.getByLabel("Name der Person").fill(name);
  await page.getByRole("button", { name: "Einladungslink erstellen" }).click();
  await page.getByRole("heading", { name: `Einladung für ${name}` }).waitFor();
  return page.locator("#invite-link").inputValue();
}

/**
 * The first admin joins through the server's own invitation, then invites
 * each colleague by name, who joins in their own browser; every one of them
 * ends on the chat list.
 */
/** The first admin's link opens the setup wizard; a test that is not about it leaves it for later. */
export async function setUpLater(page: Page): Promise<void> {
  await page.getByText(/^(Schritt|Step) 1 (von|of) 5$/).waitFor();
  // On a phone the wizard has the screen and a back link; on a desktop the chat list stays beside it.
  const later = page.getByRole("link", { name: /^(Später einrichten|Set up later)$/ });
  if (await later.isVisible()) await later.click();
  else await page.evaluate(() => (location.hash = "#/"));
}

export async function joinTeam(
  server: { readonly adminInvitation: string },
  admin: Person,
  colleagues: readonly Person[],
): Promise<void> {
  await admin.page.goto(server.adminInvitation);
  await admin.page.getByLabel("Ihr Name").fill(admin.name);
  await admin.page.getByRole("button", { name: "Beitreten" }).click();
  await setUpLater(admin.page);
  await admin.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
  for (const colleague of colleagues) {
    await colleague.page.goto(await invite(admin.page, colleague.name));
    await colleague.page.getByRole("button", { name: "Beitreten" }).click();
    await colleague.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
  }
}
