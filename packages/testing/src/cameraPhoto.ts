/**
 * Photos as a phone's camera writes them, made in the test: real image data
 * (jpeg-js encodes the JPEG, zlib compresses the PNG) with the metadata a
 * phone adds — EXIF with camera, time and GPS position, XMP, a comment, an
 * MPF block with a second image after the first — and a colour profile that
 * belongs to the picture. MARKERS are strings that only the metadata holds.
 */
import { crc32, deflateSync } from "node:zlib";
import jpeg from "jpeg-js";

export const CAMERA_MARKERS = {
  make: "Bote-Testkamera",
  model: "Baustellenhandy 7",
  xmp: "xmp-Standort-Lindenstrasse",
  comment: "Kommentar-mit-Kundenname",
  trailer: "Zweitbild-nach-EOI",
  pngText: "Aufnahmeort-Lindenstrasse-12",
} as const;

/** Bytes of a colour profile segment: kept by a metadata stripper, since it changes how the picture looks. */
export const ICC_MARKER = "Bote-Farbprofil";

const ascii = (text: string) => Buffer.from(text, "latin1");

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function segment(marker: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.of(0xff, marker), u16(body.length + 2), body]);
}

/**
 * A big-endian EXIF block: IFD0 with Make, Model, Orientation and a GPS IFD
 * pointer; the GPS IFD with latitude and longitude (52°31'N, 13°24'E).
 */
function exifBlock(orientation: number): Buffer {
  const make = ascii(`${CAMERA_MARKERS.make}\0`);
  const model = ascii(`${CAMERA_MARKERS.model}\0`);
  const ifd0Entries = 4;
  const ifd0Size = 2 + ifd0Entries * 12 + 4;
  const makeAt = 8 + ifd0Size;
  const modelAt = makeAt + make.length;
  const gpsAt = modelAt + model.length;
  const gpsEntries = 4;
  const gpsSize = 2 + gpsEntries * 12 + 4;
  const latAt = gpsAt + gpsSize;
  const lonAt = latAt + 24;
  const entry = (tag: number, type: number, count: number, value: Buffer) =>
    Buffer.concat([u16(tag), u16(type), u32(count), value]);
  const rationals = (...parts: number[]) => Buffer.concat(parts.flatMap((p) => [u32(p), u32(1)]));
  const tiff = Buffer.concat([
    ascii("MM\0*"),
    u32(8),
    u16(ifd0Entries),
    entry(0x010f, 2, make.length, u32(makeAt)),
    entry(0x0110, 2, model.length, u32(modelAt)),
    entry(0x0112, 3, 1, Buffer.concat([u16(orientation), u16(0)])),
    entry(0x8825, 4, 1, u32(gpsAt)),
    u32(0),
    make,
    model,
    u16(gpsEntries),
    entry(0x0001, 2, 2, ascii("N\0\0\0")),
    entry(0x0002, 5, 3, u32(latAt)),
    entry(0x0003, 2, 2, ascii("E\0\0\0")),
    entry(0x0004, 5, 3, u32(lonAt)),
    u32(0),
    rationals(52, 31, 12),
    rationals(13, 24, 36),
  ]);
  return Buffer.concat([ascii("Exif\0\0"), tiff]);
}

/** Pixels of a little test picture: a gradient, so a decoder that loses data shows it. */
function pixels(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      data[at] = (x * 255) / width;
      data[at + 1] = (y * 255) / height;
      data[at + 2] = 128;
      data[at + 3] = 255;
    }
  }
  return data;
}

/** A JPEG as a phone camera writes it; `orientation` is the EXIF orientation (6: turned 90° clockwise). */
export function cameraJpeg(width = 64, height = 48, orientation = 6): Buffer {
  const plain = jpeg.encode({ data: pixels(width, height), width, height }, 90).data;
  const afterSoi = plain.subarray(2);
  const xmp = Buffer.concat([
    ascii("http://ns.adobe.com/xap/1.0/\0"),
    ascii(`<x:xmpmeta><rdf:Description photoshop:City="${CAMERA_MARKERS.xmp}"/></x:xmpmeta>`),
  ]);
  const second = jpeg.encode({ data: pixels(8, 8), width: 8, height: 8 }, 50).data;
  return Buffer.concat([
    Buffer.of(0xff, 0xd8),
    segment(0xe1, exifBlock(orientation)),
    segment(0xe1, xmp),
    segment(0xe2, Buffer.concat([ascii("ICC_PROFILE\0"), Buffer.of(1, 1), ascii(ICC_MARKER)])),
    segment(0xe2, Buffer.concat([ascii("MPF\0"), ascii("MM\0*")])),
    segment(0xfe, ascii(CAMERA_MARKERS.comment)),
    afterSoi,
    // A second picture after the first one's EOI, as MPF puts previews and depth maps.
    second,
    ascii(CAMERA_MARKERS.trailer),
  ]);
}

/** The pixels a JPEG decodes to (RGBA), to show that a stripped photo is still the same picture. */
export function decodeJpeg(bytes: Uint8Array): { width: number; height: number; data: Uint8Array } {
  return jpeg.decode(bytes, { useTArray: true });
}

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([ascii(type), data]);
  return Buffer.concat([u32(data.length), body, u32(crc32(body))]);
}

/** A PNG with the text, XMP, EXIF and time chunks image editors and phones write. */
export function cameraPng(width = 16, height = 12): Buffer {
  const rgba = pixels(width, height);
  const rows = Buffer.concat(
    Array.from({ length: height }, (_, y) =>
      Buffer.concat([Buffer.of(0), rgba.subarray(y * width * 4, (y + 1) * width * 4)]),
    ),
  );
  return Buffer.concat([
    Buffer.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    pngChunk("IHDR", Buffer.concat([u32(width), u32(height), Buffer.of(8, 6, 0, 0, 0)])),
    pngChunk("sRGB", Buffer.of(0)),
    pngChunk("eXIf", exifBlock(1).subarray(6)),
    pngChunk("tEXt", ascii(`Location\0${CAMERA_MARKERS.pngText}`)),
    pngChunk("iTXt", ascii(`XML:com.adobe.xmp\0\0\0\0\0${CAMERA_MARKERS.xmp}`)),
    pngChunk("tIME", Buffer.of(0x07, 0xea, 5, 4, 9, 30, 0)),
    pngChunk("IDAT", deflateSync(rows)),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}
