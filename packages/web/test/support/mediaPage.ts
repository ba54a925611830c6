/**
 * What the media test page runs (bundled by esbuild): it prepares photos in
 * the page and answers with what the Node side checks, as JSON.
 */
import { isPhoto, jpegHasMetadata, preparePhoto, type PhotoOptions } from "../../src/media/photo.js";

export interface PreparedSummary {
  readonly width: number;
  readonly height: number;
  readonly mediaType: string;
  readonly fileName: string;
  readonly size: number;
  readonly soi: boolean;
  readonly metadata: { exif: boolean; gps: boolean };
  /** The prepared bytes decoded again by the browser. */
  readonly decoded: { width: number; height: number };
  readonly thumbnailSize: number;
  readonly thumbnailMetadata: { exif: boolean; gps: boolean };
  readonly thumbnail: { width: number; height: number };
}

export type Outcome = { ok: PreparedSummary } | { error: { name: string; code: unknown; message: string } };

async function fetchBytes(url: string): Promise<Blob> {
  const response = await fetch(url);
  return response.blob();
}

async function sizeOf(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  const bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  const size = { width: bitmap.width, height: bitmap.height };
  bitmap.close();
  return size;
}

async function summarise(file: Blob, options?: PhotoOptions): Promise<Outcome> {
  try {
    const photo = await preparePhoto(file, options);
    return {
      ok: {
        width: photo.width,
        height: photo.height,
        mediaType: photo.mediaType,
        fileName: photo.fileName,
        size: photo.bytes.length,
        soi: photo.bytes[0] === 0xff && photo.bytes[1] === 0xd8,
        metadata: jpegHasMetadata(photo.bytes),
        decoded: await sizeOf(photo.bytes),
        thumbnailSize: photo.thumbnail.length,
        thumbnailMetadata: jpegHasMetadata(photo.thumbnail),
        thumbnail: await sizeOf(photo.thumbnail),
      },
    };
  } catch (error) {
    const e = error as { name?: unknown; code?: unknown; message?: unknown };
    return { error: { name: String(e.name), code: e.code, message: String(e.message) } };
  }
}

/** Prepares the file served at `url`, named `name`. */
async function prepareUrl(url: string, name: string, type: string, options?: PhotoOptions): Promise<Outcome> {
  const blob = await fetchBytes(url);
  return summarise(new File([blob], name, { type }), options);
}

/** Prepares a PNG of the given size, painted here, half of it transparent. */
async function preparePainted(width: number, height: number): Promise<Outcome> {
  const canvas = new OffscreenCanvas(width, height);
  const c = canvas.getContext("2d")!;
  c.fillStyle = "#204080";
  c.fillRect(0, 0, width / 2, height);
  return summarise(await canvas.convertToBlob({ type: "image/png" }));
}

/** As preparePainted, with OffscreenCanvas hidden, as in Safari before 16.4. */
async function preparePaintedOnCanvas(width: number, height: number): Promise<Outcome> {
  const canvas = new OffscreenCanvas(width, height);
  canvas.getContext("2d")!.fillRect(0, 0, width, height / 2);
  const png = await canvas.convertToBlob({ type: "image/png" });
  const scope = globalThis as { OffscreenCanvas?: unknown };
  const saved = scope.OffscreenCanvas;
  delete scope.OffscreenCanvas;
  try {
    if (typeof OffscreenCanvas !== "undefined") throw new Error("OffscreenCanvas could not be hidden");
    return await summarise(png, { maxSide: 500 });
  } finally {
    scope.OffscreenCanvas = saved;
  }
}

/** Prepares bytes that are no image at all. */
function prepareGarbage(bytes: number[]): Promise<Outcome> {
  return summarise(new File([Uint8Array.from(bytes)], "kaputt.jpg", { type: "image/jpeg" }));
}

async function metadataOf(url: string): Promise<{ exif: boolean; gps: boolean }> {
  return jpegHasMetadata(new Uint8Array(await (await fetchBytes(url)).arrayBuffer()));
}

const api = { prepareUrl, preparePainted, preparePaintedOnCanvas, prepareGarbage, metadataOf, isPhoto };
export type MediaPageApi = typeof api;
(globalThis as unknown as { boteMedia: MediaPageApi }).boteMedia = api;
