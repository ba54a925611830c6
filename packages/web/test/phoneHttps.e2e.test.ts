/**
 * The README's path to a colleague's phone, in Chromium at phone size:
 * `bote serve --domain` gets its certificate from a real ACME CA (Debian's
 * pebble), the phone opens the invitation as someone types it, without
 * https://, is sent to HTTPS with the link's secret fragment, joins and is
 * online. "bote.test" resolves to 127.0.0.1 for this Chromium; it does not
 * know pebble's throw-away root, so certificate errors are ignored here —
 * that the chain and name are right is checked in packages/cli/test/serveDomain.test.ts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { pebbleSkipReason, startPebble, type Pebble } from "@bote/testing";
import { chromiumSkipReason } from "./support/browserPage.js";
import { freePort, startBoteServer } from "./support/boteServer.js";
import { PHONE, launchChromium, screenshot, webRoot, type BoteServer, setUpLater } from "./support/webApp.js";

const skip = chromiumSkipReason("the phone path over HTTPS") ?? pebbleSkipReason();
const DOMAIN = "bote.test";

describe("a colleague's phone, over HTTPS from bote serve --domain", { skip, timeout: 120_000 }, () => {
  let pebble: Pebble;
  let server: BoteServer;
  let browser: Browser;
  let httpPort: number;

  before(async () => {
    httpPort = await freePort();
    pebble = await startPebble({ httpPort });
    server = await startBoteServer({
      publicUrl: null,
      port: await freePort(),
      webRoot,
      orgName: "Elektro Süd",
      extraArgs: [
        ...["--domain", DOMAIN, "--http-port", String(httpPort)],
        ...["--acme-directory", pebble.directoryUrl, "--acme-ca", pebble.caFile],
      ],
    });
    browser = await launchChromium([`--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`]);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await pebble?.stop();
  });

  it("the invitation typed without https:// lands on HTTPS with its fragment; joining works and the phone is online", async () => {
    const invitation = new URL(server.adminInvitation);
    assert.equal(invitation.protocol, "https:");
    assert.equal(invitation.hostname, DOMAIN);
    const context = await browser.newContext({
      viewport: PHONE,
      locale: "de-DE",
      timezoneId: "Europe/Berlin",
      ignoreHTTPSErrors: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`http://${DOMAIN}:${httpPort}${invitation.pathname}${invitation.hash}`);
    await page.getByLabel("Ihr Name").waitFor();
    const shown = new URL(page.url());
    assert.equal(shown.origin, invitation.origin, "redirected to the public URL");
    assert.equal(shown.hash, invitation.hash, "with the invitation's secret");
    assert.equal(await page.evaluate(() => isSecureContext), true);

    await page.getByLabel("Ihr Name").fill("Erik Elektro");
    await page.getByRole("button", { name: "Beitreten" }).click();
    await setUpLater(page);
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    await page.locator("p.connection").waitFor({ state: "detached", timeout: 15_000 });
    assert.equal(existsSync(join(server.dataDir, "initial-admin-invite")), false, "redeemed");
    await screenshot(page, "steps/phone over https - joined", false);
    await context.close();
  });
});
