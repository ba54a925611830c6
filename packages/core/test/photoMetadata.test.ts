/**
 * Cleaning photos of their metadata without re-encoding them: a JPEG and a
 * PNG as a phone writes them lose EXIF (GPS, camera), XMP, comments and what
 * follows the image, keep their colour profile and every pixel, and a JPEG
 * keeps its orientation. Damaged or other images are refused with a code.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import {
  jpegHasMetadata,
  matchesMediaType,
  MediaError,
  sniffImageType,
  stripPhotoMetadata,
  type MediaErrorCode,
} from "@bote/core";
import { CAMERA_MARKERS, ICC_MARKER, cameraJpeg, cameraPng, decodeJpeg } from "@bote/testing";

const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(text, 0, "latin1");
const refused = (code: MediaErrorCode) => (err: unknown) => err instanceof MediaError && err.code === code;

/** PNG chunk types in order. */
function pngChunks(bytes: Uint8Array): string[] {
  const types: string[] = [];
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = Buffer.from(bytes).readUInt32BE(at);
    types.push(Buffer.from(bytes.subarray(at + 4, at + 8)).toString("latin1"));
    at += 12 + length;
  }
  return types;
}

describe("stripPhotoMetadata", () => {
  it("a camera JPEG loses GPS, camera, XMP, comment and the image after it, keeps pixels, profile and orientation", () => {
    const original = cameraJpeg(64, 48, 6);
    assert.deepEqual(jpegHasMetadata(original), { exif: true, gps: true });
    for (const marker of Object.values(CAMERA_MARKERS).filter((m) => m !== CAMERA_MARKERS.pngText)) {
      assert.ok(has(original, marker), marker);
    }
    const clean = stripPhotoMetadata(original);
    assert.equal(clean.mediaType, "image/jpeg");
    for (const marker of Object.values(CAMERA_MARKERS)) assert.equal(has(clean.bytes, marker), false, marker);
    assert.equal(jpegHasMetadata(clean.bytes).gps, false);
    assert.ok(has(clean.bytes, ICC_MARKER), "the colour profile is part of the picture");
    // Orientation 6 (turned 90°) survives in a minimal EXIF block, so the photo shows upright.
    const exif = Buffer.from(clean.bytes).indexOf("Exif\0\0", 0, "latin1");
    assert.ok(exif > 0);
    assert.deepEqual(
      [...clean.bytes.subarray(exif + 6, exif + 6 + 26)],
      [0x4d, 0x4d, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0],
    );
    assert.deepEqual([clean.width, clean.height], [48, 64]);
    // The same picture, pixel for pixel: nothing was decoded or encoded again.
    const before = decodeJpeg(original);
    const after = decodeJpeg(clean.bytes);
    assert.deepEqual([after.width, after.height], [64, 48]);
    assert.ok(Buffer.from(after.data).equals(Buffer.from(before.data)));
    // Cleaning a clean photo changes nothing.
    assert.ok(Buffer.from(stripPhotoMetadata(clean.bytes).bytes).equals(Buffer.from(clean.bytes)));
  });

  it("an upright JPEG keeps no EXIF block at all", () => {
    const clean = stripPhotoMetadata(cameraJpeg(20, 10, 1));
    assert.deepEqual(jpegHasMetadata(clean.bytes), { exif: false, gps: false });
    assert.deepEqual([clean.width, clean.height], [20, 10]);
  });

  it("a PNG loses eXIf, tEXt, iTXt and tIME and keeps the chunks of its picture", () => {
    const original = cameraPng(16, 12);
    assert.ok(has(original, CAMERA_MARKERS.pngText) && has(original, CAMERA_MARKERS.make));
    const clean = stripPhotoMetadata(original);
    assert.equal(clean.mediaType, "image/png");
    assert.deepEqual(pngChunks(clean.bytes), ["IHDR", "sRGB", "IDAT", "IEND"]);
    for (const marker of Object.values(CAMERA_MARKERS)) assert.equal(has(clean.bytes, marker), false, marker);
    assert.deepEqual([clean.width, clean.height], [16, 12]);
    const idat = (bytes: Uint8Array) => {
      const b = Buffer.from(bytes);
      const at = b.indexOf("IDAT", 0, "latin1");
      return inflateSync(b.subarray(at + 4, at + 4 + b.readUInt32BE(at - 4)));
    };
    assert.ok(idat(clean.bytes).equals(idat(original)));
  });

  it("refuses damaged photos as not_an_image and other formats as metadata_unsupported", () => {
    const jpeg = cameraJpeg();
    assert.throws(() => stripPhotoMetadata(jpeg.subarray(0, 40)), refused("not_an_image"));
    assert.throws(() => stripPhotoMetadata(Uint8Array.of(0xff, 0xd8, 0xff, 0xd9)), refused("not_an_image"));
    assert.throws(() => stripPhotoMetadata(Buffer.from("\xff\xd8\xffKein Foto", "latin1")), refused("not_an_image"));
    const png = cameraPng();
    assert.throws(() => stripPhotoMetadata(png.subarray(0, png.length - 12)), refused("not_an_image"));
    assert.throws(
      () => stripPhotoMetadata(Buffer.from("GIF89a\x01\x00\x01\x00", "latin1")),
      refused("metadata_unsupported"),
    );
    assert.throws(() => stripPhotoMetadata(Buffer.from("Kein Foto")), refused("metadata_unsupported"));
  });
});

describe("media signatures", () => {
  it("name the image a file's first bytes show, whatever the file is called", () => {
    assert.equal(sniffImageType(cameraJpeg()), "image/jpeg");
    assert.equal(sniffImageType(cameraPng()), "image/png");
    assert.equal(sniffImageType(Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic", "latin1")), "image/heic");
    assert.equal(sniffImageType(Buffer.from("\0\0\0\x1cftypavif\0\0\0\0avifmif1", "latin1")), "image/avif");
    assert.equal(sniffImageType(Buffer.from("RIFF\0\0\0\0WEBPVP8L", "latin1")), "image/webp");
    assert.equal(sniffImageType(Buffer.from("\0\0\0\x20ftypM4A \0\0\0\0", "latin1")), undefined);
    assert.equal(sniffImageType(Buffer.from("OggS\0\x02")), undefined);
    assert.equal(sniffImageType(new Uint8Array(0)), undefined);
  });

  it("tell whether the first bytes fit a media type, and say nothing for types without a signature", () => {
    assert.equal(matchesMediaType("image/jpeg", cameraJpeg()), true);
    assert.equal(matchesMediaType("image/png", cameraJpeg()), false);
    assert.equal(matchesMediaType("audio/ogg", Buffer.from("OggS\0\x02")), true);
    assert.equal(matchesMediaType("audio/webm", Buffer.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f)), true);
    assert.equal(matchesMediaType("audio/mp4", Buffer.from("\0\0\0\x20ftypM4A \0\0\0\0", "latin1")), true);
    assert.equal(matchesMediaType("audio/mp4", Buffer.from("\0\0\0\x18ftypheic\0\0\0\0", "latin1")), false);
    assert.equal(matchesMediaType("application/pdf", Buffer.from("%PDF-1.7")), undefined);
    assert.equal(matchesMediaType("toString", Buffer.from("x")), undefined);
  });
});
