/**
 * The app starts without a network, chunks included: the build splits the
 * app into an entry and chunks that load with import() (the inquiry export,
 * QR codes, the post-quantum suite), and the service worker must hold every
 * one of them, or a feature opened offline would fail to load. Real server,
 * real build, Debian's Chromium at phone size.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import {
  PHONE,
  launchChromium,
  openPerson,
  startBote,
  joinTeam,
  type BoteServer,
  type Person,
} from "./support/webApp.js";

const skip = chromiumSkipReason("offline start end-to-end");

describe("the app starts offline, in Chromium", { skip, timeout: 120_000 }, () => {
  let server: BoteServer;
  let browser: Browser;
  let anna: Person;

  before(async () => {
    server = await startBote("Müller Bau GmbH");
    browser = await launchChromium();
    anna = await openPerson(browser, "Anna Admin", PHONE, server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("after one visit online, a reload without a network shows the chat list and every chunk loads", async () => {
    await joinTeam(server, anna, []);
    const page = anna.page;
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    const files = (await (await fetch(`${server.url}/build.json`)).json()) as { files: string[] };
    const chunks = files.files.filter((f) => f.startsWith("/chunks/") && f.endsWith(".js"));
    assert.ok(chunks.length > 0, "the build has chunks");

    await anna.context.setOffline(true);
    await page.reload();
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    // What import() would load later, answered by the worker with the network gone.
    const failed = await page.evaluate(async (paths) => {
      const answers = await Promise.all(paths.map(async (p) => ((await fetch(p)).ok ? undefined : p)));
      return answers.filter((p) => p !== undefined);
    }, chunks);
    assert.deepEqual(failed, []);
    await anna.context.setOffline(false);
  });
});
