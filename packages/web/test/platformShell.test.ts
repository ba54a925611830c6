/**
 * The PWA shell: the manifest and its icons are what browsers need to
 * install Bote, and the service worker, in a real Chromium, caches exactly
 * the shell of its build, answers shell files from the cache, never touches
 * /v1/* or other requests, and drops the old cache when a new build takes
 * over. Without /usr/bin/chromium the browser part skips and says why;
 * under CI=true it fails.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromiumSkipReason, openBrowserPage, packageDir, type BrowserPage } from "./support/browserPage.js";
import type { ShellPageApi } from "./support/shellPage.js";

declare global {
  var boteShell: ShellPageApi;
}

const publicDir = join(packageDir, "public");

interface ManifestIcon {
  src: string;
  sizes: string;
  type: string;
  purpose: string;
}

describe("PWA manifest and icons", () => {
  const manifest = JSON.parse(readFileSync(join(publicDir, "manifest.webmanifest"), "utf8")) as Record<string, unknown>;

  it("names Bote, starts at / in its own window, in German", () => {
    assert.equal(manifest.name, "Bote");
    assert.equal(manifest.short_name, "Bote");
    assert.equal(manifest.lang, "de");
    assert.equal(manifest.start_url, "/");
    assert.equal(manifest.display, "standalone");
    assert.match(String(manifest.theme_color), /^#[0-9a-f]{6}$/);
    assert.match(String(manifest.background_color), /^#[0-9a-f]{6}$/);
  });

  it("lists icons that exist: an SVG, PNGs of the stated size, maskable ones at 192 and 512", () => {
    const icons = manifest.icons as ManifestIcon[];
    for (const icon of icons) {
      const file = join(publicDir, icon.src);
      assert.ok(existsSync(file), icon.src);
      if (icon.type === "image/png") {
        const [width, height] = icon.sizes.split("x").map(Number);
        assert.deepEqual(pngSize(readFileSync(file)), { width, height }, icon.src);
      } else {
        assert.equal(icon.type, "image/svg+xml");
        assert.match(readFileSync(file, "utf8"), /^<svg [^>]*viewBox="0 0 512 512"/);
      }
    }
    const sizes = (purpose: string) =>
      icons.filter((i) => i.purpose === purpose && i.type === "image/png").map((i) => i.sizes);
    assert.deepEqual(sizes("any"), ["192x192", "512x512"]);
    assert.deepEqual(sizes("maskable"), ["192x192", "512x512"]);
  });
});

const skip = chromiumSkipReason("service worker tests");

describe("service worker in Chromium", { ...(skip === undefined ? {} : { skip }) }, () => {
  let browser: BrowserPage;
  let worker = "";
  let shellText = "build one";
  let apiHits = 0;
  let otherHits = 0;
  let pushScriptHits = 0;
  const pushScript = (mark: string) =>
    `self.botePush = async () => { await (await caches.open("push-ran")).put("/pushed", new Response("${mark}")); };`;
  let pushScriptText = pushScript("installed");
  const shell = ["/", "/page.js", "/shell.txt"];

  const buildWorker = async (id: string) => {
    const bundle = await build({
      entryPoints: [join(packageDir, "src/sw.ts")],
      bundle: true,
      format: "iife",
      target: "chrome120",
      write: false,
      logLevel: "silent",
      define: {
        BOTE_SHELL_FILES: JSON.stringify(shell),
        BOTE_BUILD_ID: JSON.stringify(id),
        BOTE_PUSH_SCRIPT: JSON.stringify("/sw-push.js"),
      },
    });
    return bundle.outputFiles[0]!.text;
  };

  before(async () => {
    worker = await buildWorker("one");
    browser = await openBrowserPage("test/support/shellPage.ts", {
      global: "boteShell",
      routes: {
        "/sw.js": (_, response) => {
          response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" }).end(worker);
        },
        "/sw-push.js": (_, response) => {
          pushScriptHits++;
          response
            .writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" })
            .end(pushScriptText);
        },
        "/shell.txt": (_, response) => {
          response.writeHead(200, { "content-type": "text/plain", "cache-control": "no-store" }).end(shellText);
        },
        "/v1/ping": (_, response) => {
          apiHits++;
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ hits: apiHits }));
        },
        "/other.txt": (_, response) => {
          otherHits++;
          response.writeHead(200, { "content-type": "text/plain" }).end(`other ${otherHits}`);
        },
      },
    });
    await browser.page.evaluate(() => boteShell.register());
  });
  after(async () => {
    await browser?.close();
  });

  it("caches exactly the shell of its build", async () => {
    assert.deepEqual(await browser.page.evaluate(() => boteShell.cacheState()), {
      "bote-shell-one": [...shell].sort(),
    });
  });

  it("answers shell files from the cache, even when the server has changed them", async () => {
    shellText = "build two";
    assert.deepEqual(await browser.page.evaluate(() => boteShell.get("/shell.txt")), {
      status: 200,
      body: "build one",
    });
  });

  it("sends /v1/* and other requests to the network every time and stores none of them", async () => {
    const page = browser.page;
    assert.equal((await page.evaluate(() => boteShell.get("/v1/ping"))).body, '{"hits":1}');
    assert.equal((await page.evaluate(() => boteShell.get("/v1/ping"))).body, '{"hits":2}');
    assert.equal((await page.evaluate(() => boteShell.get("/other.txt"))).body, "other 1");
    assert.equal((await page.evaluate(() => boteShell.get("/other.txt"))).body, "other 2");
    assert.equal(
      (await page.evaluate(() => boteShell.get("/shell.txt?x=1"))).body,
      "build two",
      "a query is not the shell",
    );
    assert.deepEqual(await page.evaluate(() => boteShell.cacheState()), { "bote-shell-one": [...shell].sort() });
  });

  it("a new build takes over with a fresh cache and deletes the old one", async () => {
    worker = await buildWorker("two");
    await browser.page.evaluate(() => boteShell.update());
    assert.deepEqual(await browser.page.evaluate(() => boteShell.cacheState()), {
      "bote-shell-two": [...shell].sort(),
    });
    assert.equal((await browser.page.evaluate(() => boteShell.get("/shell.txt"))).body, "build two");
  });

  it("a push to a restarted worker runs the push script it loaded at install, not the network's", async () => {
    const page = browser.page;
    const hitsAtInstall = pushScriptHits;
    assert.ok(hitsAtInstall >= 1, "the install loaded the push script");
    pushScriptText = pushScript("from the network");
    const cdp = await page.context().newCDPSession(page);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const live = registrations.find((r) => !r.isDeleted);
        if (live !== undefined) resolve(live.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.stopAllWorkers");
    const origin = new URL(page.url()).origin;
    await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: await registrationId, data: "{}" });
    let pushed: string | undefined;
    for (let tries = 0; pushed === undefined && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      pushed = await page.evaluate(async () => (await (await caches.open("push-ran")).match("/pushed"))?.text());
    }
    assert.equal(pushed, "installed");
    assert.equal(pushScriptHits, hitsAtInstall);
    await page.evaluate(() => caches.delete("push-ran"));
  });
});

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(png.subarray(12, 16).toString("latin1"), "IHDR");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
