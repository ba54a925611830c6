/**
 * Renders the PNG app icons from the SVGs in public/icons once, with
 * Chromium: 192 and 512 px of the rounded icon (transparent corners) and of
 * the maskable one (full bleed, the mark inside the central safe circle).
 * Run after `tsc -b`: `node packages/web/dist-test/support/makeIcons.js`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM, packageDir } from "./browserPage.js";

export const icons = [
  { svg: "bote.svg", png: "bote-192.png", size: 192 },
  { svg: "bote.svg", png: "bote-512.png", size: 512 },
  { svg: "bote-maskable.svg", png: "bote-maskable-192.png", size: 192 },
  { svg: "bote-maskable.svg", png: "bote-maskable-512.png", size: 512 },
] as const;

const dir = join(packageDir, "public", "icons");

if (process.argv[1]?.endsWith("makeIcons.js")) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox"] });
  try {
    for (const icon of icons) {
      const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
      const svg = await readFile(join(dir, icon.svg), "utf8");
      const src = `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`;
      await page.setContent(
        `<style>html,body{margin:0;background:transparent}</style><img src="${src}" width="${icon.size}" height="${icon.size}">`,
      );
      await page.locator("img").evaluate((img: HTMLImageElement) => img.decode());
      const png = await page.screenshot({
        omitBackground: true,
        clip: { x: 0, y: 0, width: icon.size, height: icon.size },
      });
      await writeFile(join(dir, icon.png), png);
      console.log(`${icon.png}: ${png.length} bytes`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
}
