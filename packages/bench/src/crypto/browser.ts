/**
 * Runs the crypto benchmark in Debian's Chromium (never a downloaded
 * browser): browserPage.ts bundled with esbuild, served from a fake HTTPS
 * origin that Playwright answers itself, so WebCrypto has the secure
 * context it needs and no server or port is involved.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import type { Options } from "./options.js";
import type { CryptoResult } from "./report.js";

export const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];
const ORIGIN = "https://bench.bote.invalid";

async function bundlePage(): Promise<string> {
  const built = await build({
    entryPoints: [fileURLToPath(new URL("./browserPage.js", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "chrome111",
    write: false,
    logLevel: "warning",
  });
  return built.outputFiles[0]!.text;
}

export async function runInChromium(
  o: Options,
  log: (text: string) => void,
): Promise<{ result: CryptoResult; browser: string }> {
  const script = await bundlePage();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    page.on("console", (message) => log(message.text()));
    await page.route(`${ORIGIN}/**`, (route) => {
      const isScript = new URL(route.request().url()).pathname === "/bench.js";
      return route.fulfill(
        isScript
          ? { contentType: "text/javascript", body: script }
          : { contentType: "text/html", body: '<!doctype html><script type="module" src="/bench.js"></script>' },
      );
    });
    await page.goto(`${ORIGIN}/`);
    await page.waitForFunction(() => "boteCryptoBench" in globalThis);
    const result = await page.evaluate(
      (options) =>
        (globalThis as unknown as { boteCryptoBench: (o: Options) => Promise<CryptoResult> }).boteCryptoBench(options),
      o,
    );
    return { result, browser: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
  }
}
