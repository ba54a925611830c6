/**
 * Makes test/fixtures/gps-photo.jpg once: Chromium paints a gradient and a
 * pattern on a canvas and encodes it as JPEG, then a hand-built EXIF block
 * with a GPS position is inserted after SOI. Run after `tsc -b`:
 * `node packages/web/dist-test/support/makeGpsPhoto.js`.
 */
import { writeFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { CHROMIUM } from "./browserPage.js";
import { exifSegment, insertSegment } from "./exif.js";
import { gpsPhotoPath, gpsPhotoSize } from "./fixtures.js";

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox"] });
try {
  const page = await browser.newPage();
  const bytes = await page.evaluate(async ({ width, height }) => {
    const canvas = new OffscreenCanvas(width, height);
    const c = canvas.getContext("2d")!;
    const sky = c.createLinearGradient(0, 0, 0, height);
    sky.addColorStop(0, "#5b8fd6");
    sky.addColorStop(0.6, "#d9e6f5");
    sky.addColorStop(0.6, "#8a7a5c");
    sky.addColorStop(1, "#4e4430");
    c.fillStyle = sky;
    c.fillRect(0, 0, width, height);
    // A scaffold: a grid of beams, so the picture has edges and is not trivial to compress.
    c.strokeStyle = "#c8531e";
    c.lineWidth = 14;
    for (let x = 300; x <= 2100; x += 200) {
      c.beginPath();
      c.moveTo(x, 300);
      c.lineTo(x, 1100);
      c.stroke();
    }
    for (let y = 300; y <= 1100; y += 160) {
      c.beginPath();
      c.moveTo(300, y);
      c.lineTo(2100, y);
      c.stroke();
    }
    c.fillStyle = "#f2c230";
    c.beginPath();
    c.arc(1950, 180, 110, 0, 2 * Math.PI);
    c.fill();
    c.fillStyle = "#1d2733";
    c.font = "bold 120px sans-serif";
    c.fillText("Bote · Baustelle Mitte", 320, 1500);
    const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
    return Array.from(new Uint8Array(await blob.arrayBuffer()));
  }, gpsPhotoSize);
  const exif = exifSegment({ orientation: 1, gps: { latitude: [52, 31, 12], longitude: [13, 24, 18] } });
  const photo = insertSegment(Uint8Array.from(bytes), exif);
  await writeFile(gpsPhotoPath, photo);
  console.log(`${gpsPhotoPath}: ${photo.length} bytes`);
} finally {
  await browser.close();
}
