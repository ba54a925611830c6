/**
 * One canonical origin, in Chromium at phone size against `bote serve`
 * processes. Started as `npm start` does (no --public-url: the public URL is
 * http://localhost:PORT), opening the first admin's invitation on
 * http://127.0.0.1:PORT — the address the server itself used to print — must
 * not spend it: the WebSocket refuses that origin, so a device made there
 * would stay offline for good. The app moves to the public URL first, with
 * the link's secret fragment, and joining works there. A phone on the LAN
 * address is told plainly that it cannot get there, and a page on plain
 * HTTP beyond localhost says in one card why Bote needs HTTPS and what to do.
 * "lan.test" stands for the machine's LAN address: Chromium resolves it to
 * 127.0.0.1, but does not treat it as loopback.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromiumSkipReason } from "./support/browserPage.js";
import { freePort, startBoteServer } from "./support/boteServer.js";
import {
  PHONE,
  launchChromium,
  openPerson,
  screenshot,
  webRoot,
  type BoteServer,
  setUpLater,
} from "./support/webApp.js";

const skip = chromiumSkipReason("the canonical origin");

describe("the web app on another origin than the public URL", { skip, timeout: 120_000 }, () => {
  let server: BoteServer;
  let browser: Browser;

  before(async () => {
    server = await startBoteServer({ publicUrl: null, webRoot, orgName: "Dachdeckerei Ost" });
    browser = await launchChromium(["--host-resolver-rules=MAP lan.test 127.0.0.1"]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("an invitation opened on 127.0.0.1 stays unused and leads to the public URL, where joining works", async () => {
    const invitation = new URL(server.adminInvitation);
    const publicOrigin = invitation.origin;
    assert.match(publicOrigin, /^http:\/\/localhost:\d+$/, "npm start's public URL");
    const inviteFile = join(server.dataDir, "initial-admin-invite");
    const anna = await openPerson(browser, "Anna Admin", PHONE, publicOrigin);

    // A phone on the LAN address cannot reach "localhost": it is told so, and nothing is spent.
    await anna.page.goto(`http://lan.test:${invitation.port}${invitation.pathname}${invitation.hash}`);
    await anna.page.getByRole("heading", { name: "Bote ist unter einer anderen Adresse eingerichtet" }).waitFor();
    await anna.page.getByText(`Dieser Bote-Server ist für ${publicOrigin} eingerichtet.`).waitFor();
    assert.equal(await anna.page.getByRole("button", { name: "Beitreten" }).count(), 0);
    await assertHeadingWithText(anna.page);

    const foreign = `${server.url}${invitation.pathname}${invitation.hash}`;
    assert.notEqual(new URL(foreign).origin, publicOrigin);
    await anna.page.goto(foreign);
    await anna.page.getByLabel("Ihr Name").waitFor();
    const shown = new URL(anna.page.url());
    assert.equal(shown.origin, publicOrigin, "the join form is shown on the public URL only");
    assert.equal(shown.hash, invitation.hash, "with the invitation's secret fragment");
    assert.ok(existsSync(inviteFile), "the invitation is still unused (the server deletes the file once redeemed)");

    await anna.page.getByLabel("Ihr Name").fill(anna.name);
    await anna.page.getByRole("button", { name: "Beitreten" }).click();
    await setUpLater(anna.page);
    await anna.page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    // Online: the banner that says "Verbinde …" or "Offline" goes once the WebSocket is open.
    await anna.page.locator("p.connection").waitFor({ state: "detached", timeout: 15_000 });
    assert.equal(new URL(anna.page.url()).origin, publicOrigin);
    assert.equal(existsSync(inviteFile), false, "redeemed, on the public URL");
    await anna.context.close();
  });

  it("on plain HTTP beyond localhost, says in one card that Bote needs HTTPS and what to do", async () => {
    const port = await freePort();
    const lan = await startBoteServer({ publicUrl: `http://lan.test:${port}`, port, webRoot });
    try {
      const person = await openPerson(browser, "Ben Bau", PHONE, `http://lan.test:${port}`);
      await person.page.goto(new URL(lan.adminInvitation).toString());
      await person.page.getByRole("heading", { name: "Bote braucht eine sichere Verbindung" }).waitFor();
      await person.page.getByText("bote serve --domain").waitFor();
      await assertHeadingWithText(person.page);
      assert.ok(existsSync(join(lan.dataDir, "initial-admin-invite")), "nothing was spent");
      await screenshot(person.page, "steps/insecure - phone", false);
      await person.context.close();
    } finally {
      await lan.stop();
    }
  });
});

/** The heading and its explanation sit together, one under the other, not at the screen's two ends. */
async function assertHeadingWithText(page: Page): Promise<void> {
  const heading = await page.getByRole("heading").boundingBox();
  const text = await page.locator("h1 + p").boundingBox();
  assert.ok(heading !== null && text !== null, "a heading with a paragraph right after it");
  const gap = text.y - (heading.y + heading.height);
  assert.ok(gap >= 0 && gap < 48, `heading and text are ${gap} px apart`);
}
