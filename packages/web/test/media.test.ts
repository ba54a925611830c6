/**
 * The photo pipeline in a real Chromium: a camera photo with GPS comes out
 * smaller, upright and without any metadata; small images are not enlarged;
 * what does not decode is refused with photo_unreadable.
 * Without /usr/bin/chromium the tests skip and say why; under CI=true they fail.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MAX_THUMBNAIL_BYTES } from "@bote/protocol";
import { chromiumSkipReason, openBrowserPage, type BrowserPage } from "./support/browserPage.js";
import { exifSegment, insertSegment } from "./support/exif.js";
import { gpsPhotoPath, gpsPhotoSize } from "./support/fixtures.js";
import type { MediaPageApi, Outcome, PreparedSummary } from "./support/mediaPage.js";

declare global {
  var boteMedia: MediaPageApi;
}

const gpsPhoto = readFileSync(gpsPhotoPath);
/** The fixture again, with Orientation 6 ("rotate 90° clockwise") instead of 1 and no GPS. */
const rotatedPhoto = insertSegment(stripApp1(gpsPhoto), exifSegment({ orientation: 6 }));

const skip = chromiumSkipReason("photo pipeline tests");

describe("preparePhoto in Chromium", { ...(skip === undefined ? {} : { skip }) }, () => {
  let browser: BrowserPage;
  before(async () => {
    browser = await openBrowserPage("test/support/mediaPage.ts", {
      global: "boteMedia",
      files: {
        "/gps-photo.jpg": { type: "image/jpeg", body: gpsPhoto },
        "/rotated.jpg": { type: "image/jpeg", body: rotatedPhoto },
      },
    });
  });
  after(async () => {
    await browser?.close();
  });

  it("the fixture carries EXIF with a GPS position, so the stripping test means something", async () => {
    assert.deepEqual(await browser.page.evaluate(() => boteMedia.metadataOf("/gps-photo.jpg")), {
      exif: true,
      gps: true,
    });
    assert.deepEqual(await browser.page.evaluate(() => boteMedia.metadataOf("/rotated.jpg")), {
      exif: true,
      gps: false,
    });
  });

  it("scales a camera photo to 1600 px, drops EXIF and GPS, and makes a thumbnail within the limit", async () => {
    const photo = ok(
      await browser.page.evaluate(() => boteMedia.prepareUrl("/gps-photo.jpg", "IMG_0042.JPG", "image/jpeg")),
    );
    assert.equal(Math.max(photo.width, photo.height), 1600);
    assert.equal(photo.width / photo.height, gpsPhotoSize.width / gpsPhotoSize.height);
    assert.deepEqual(photo.decoded, { width: photo.width, height: photo.height });
    assert.equal(photo.mediaType, "image/jpeg");
    assert.ok(photo.soi, "JPEG bytes");
    assert.equal(photo.fileName, "IMG_0042.jpg");
    assert.deepEqual(photo.metadata, { exif: false, gps: false });
    assert.ok(photo.size < gpsPhoto.length, `smaller than the original (${photo.size} of ${gpsPhoto.length} bytes)`);
    assert.ok(
      photo.thumbnailSize > 0 && photo.thumbnailSize <= MAX_THUMBNAIL_BYTES,
      `thumbnail ${photo.thumbnailSize} B`,
    );
    assert.equal(MAX_THUMBNAIL_BYTES, 32 * 1024);
    assert.deepEqual(photo.thumbnail, { width: 320, height: 240 });
    assert.deepEqual(photo.thumbnailMetadata, { exif: false, gps: false });
  });

  it("turns a photo upright by its EXIF orientation before the metadata is dropped", async () => {
    const photo = ok(
      await browser.page.evaluate(() => boteMedia.prepareUrl("/rotated.jpg", "hochkant.jpeg", "image/jpeg")),
    );
    assert.deepEqual({ width: photo.width, height: photo.height }, { width: 1200, height: 1600 });
    assert.deepEqual(photo.metadata, { exif: false, gps: false });
    assert.deepEqual(photo.thumbnail, { width: 240, height: 320 });
    assert.equal(photo.fileName, "hochkant.jpg");
  });

  it("does not enlarge a small image and names a nameless one photo.jpg", async () => {
    const photo = ok(await browser.page.evaluate(() => boteMedia.preparePainted(800, 600)));
    assert.deepEqual({ width: photo.width, height: photo.height }, { width: 800, height: 600 });
    assert.deepEqual(photo.decoded, { width: 800, height: 600 });
    assert.equal(photo.fileName, "photo.jpg");
    assert.ok(photo.thumbnailSize <= MAX_THUMBNAIL_BYTES);
  });

  it("falls back to a <canvas> where there is no OffscreenCanvas", async () => {
    const photo = ok(await browser.page.evaluate(() => boteMedia.preparePaintedOnCanvas(1000, 400)));
    assert.deepEqual({ width: photo.width, height: photo.height }, { width: 500, height: 200 });
    assert.deepEqual(photo.decoded, { width: 500, height: 200 });
    assert.ok(photo.soi);
    assert.deepEqual(photo.metadata, { exif: false, gps: false });
  });

  it("refuses bytes that are no image with PhotoError photo_unreadable", async () => {
    const garbage = Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff);
    garbage[0] = 0xff;
    garbage[1] = 0xd8;
    const outcome = await browser.page.evaluate((bytes) => boteMedia.prepareGarbage(bytes), garbage);
    assert.ok("error" in outcome, "garbage must not decode");
    assert.equal(outcome.error.name, "PhotoError");
    assert.equal(outcome.error.code, "photo_unreadable");
  });

  it("isPhoto: the types Chromium decodes, without parameters or case; not HEIC, SVG or GIF", async () => {
    const answers = await browser.page.evaluate(() =>
      ["image/jpeg", "IMAGE/PNG", "image/webp; q=1", "image/heic", "image/svg+xml", "image/gif", "application/pdf"].map(
        (t) => boteMedia.isPhoto(t),
      ),
    );
    assert.deepEqual(answers, [true, true, true, false, false, false, false]);
  });
});

function ok(outcome: Outcome): PreparedSummary {
  if ("error" in outcome) throw new Error(`${outcome.error.name}: ${outcome.error.message}`);
  return outcome.ok;
}

/** The JPEG without its APP1 segments. */
function stripApp1(jpeg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  let at = 2;
  while (jpeg[at] === 0xff && jpeg[at + 1] !== 0xda) {
    const length = (jpeg[at + 2]! << 8) | jpeg[at + 3]!;
    if (jpeg[at + 1] !== 0xe1) parts.push(jpeg.subarray(at, at + 2 + length));
    at += 2 + length;
  }
  parts.push(jpeg.subarray(at));
  return Uint8Array.from(Buffer.concat(parts));
}
