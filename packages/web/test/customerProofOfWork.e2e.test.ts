/**
 * A contact point under attack (docs/PROTOCOL.md §18, the puzzle): the
 * server asks every new customer's device to solve a puzzle first, which
 * takes a phone seconds. The customer page at 360×740 in Debian's Chromium
 * says why it waits instead of showing a button that seems to hang, and the
 * inquiry still arrives. The server runs with `--proof-of-work-always`; an
 * admin set up by the CLI publishes the contact point.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import { runBote, startBoteServer, type BoteServer } from "./support/boteServer.js";
import { PHONE, launchChromium, openPerson, screenshot, webRoot, type Person } from "./support/webApp.js";

const skip = chromiumSkipReason("customer page under attack");
const SLUG = "notdienst";
const WAITING = "Einen Moment …";
const EXPLAINED = /gegen Missbrauch geschützt/;
const SENDING = "Wird verschlüsselt und gesendet …";

describe("the customer page while the device solves the server's puzzle", { skip, timeout: 180_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let customer: Person;
  let profile: string;

  before(async () => {
    // The default 18 bits: about 262,000 hashes, seconds of WebCrypto, as a customer would wait.
    const extraArgs = ["--proof-of-work-always", "--proof-of-work-bits", "18"];
    server = await startBoteServer({ orgName: "Heizung Huber", webRoot, extraArgs });
    profile = mkdtempSync(join(tmpdir(), "bote-pow-admin-"));
    await runBote(["join", server.adminInvitation, "--name", "Anna Admin", "--profile", profile]);
    const staff = ["--staff", "Anna Admin"];
    await runBote(["contact-point", "create", "--name", "Notdienst", "--slug", SLUG, ...staff, "--profile", profile]);
    browser = await launchChromium();
    customer = await openPerson(browser, "Kunde", PHONE, server.url, { touch: true });
    // What the page shows while it sends, however briefly: the texts of its status lines and send
    // button as they change, how long the puzzle's explanation was in the page, and whether a frame
    // was painted with it (a page whose main thread never yields paints nothing until it is done).
    await customer.page.addInitScript(() => {
      const record = { texts: [] as string[], shownAt: 0, shownMs: 0, painted: false };
      (globalThis as unknown as { __boteRecord: typeof record }).__boteRecord = record;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('[role="status"], button[type="submit"]')) {
          const text = el.textContent ?? "";
          if (record.texts.at(-1) !== text) record.texts.push(text);
        }
        const shown = document.querySelector(".k-protecting") !== null;
        if (shown && record.shownAt === 0) record.shownAt = performance.now();
        if (!shown && record.shownAt !== 0 && record.shownMs === 0) record.shownMs = performance.now() - record.shownAt;
      }).observe(document, { subtree: true, childList: true, characterData: true });
      const frame = () => {
        if (document.querySelector(".k-protecting") !== null) record.painted = true;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    assert.deepEqual(customer?.problems ?? [], [], "problems seen by the customer");
  });

  it("says why it waits, then sends", async () => {
    const page = customer.page;
    await page.goto(`${server.url}/k/${SLUG}`);
    await page.getByLabel("Ihr Anliegen").fill("Die Heizung ist ausgefallen, es wird kalt.");
    await page.getByRole("checkbox", { name: /Ich bin einverstanden/ }).check();
    await page.getByRole("button", { name: "Anfrage senden" }).click();
    const status = page.getByRole("status").filter({ hasText: EXPLAINED });
    // Seconds on most runs, so a screenshot for the docs; only a best effort, since the puzzle may be
    // solved meanwhile. What the page said and painted is checked from the record below.
    if (
      await status.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await status
        .scrollIntoViewIfNeeded({ timeout: 1_000 })
        .then(() => screenshot(page, "customer-proof-of-work-phone"))
        .catch(() => undefined);
    }
    await page.getByRole("heading", { name: "Ihre Anfrage ist angekommen" }).waitFor({ timeout: 120_000 });
    const record = await page.evaluate(
      () =>
        (globalThis as unknown as { __boteRecord: { texts: string[]; shownMs: number; painted: boolean } })
          .__boteRecord,
    );
    const said = JSON.stringify(record);
    assert.ok(
      record.texts.some((text) => EXPLAINED.test(text)),
      `the page said why it waits: ${said}`,
    );
    assert.ok(record.texts.includes(WAITING), `the button said so too: ${said}`);
    assert.ok(record.painted || record.shownMs < 50, `shown on screen, not only in the page: ${said}`);
    // Once the puzzle is solved, the rest of the send looks as always.
    assert.ok(record.texts.indexOf(WAITING) < record.texts.lastIndexOf(SENDING), `then it sends: ${said}`);
  });
});
