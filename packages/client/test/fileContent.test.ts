/** The SDK's content check for files sent under a photo type: the first bytes decide, not the name. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { checkFileContent, ClientError } from "@bote/client";

const jpeg = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0);
const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13);
const text = new TextEncoder().encode("Kein Foto, sondern eine Notiz.");
const refused = (err: unknown) => err instanceof ClientError && err.code === "photo_not_an_image";

it("accepts photos whose bytes are the image their type names", () => {
  checkFileContent("image/jpeg", jpeg);
  checkFileContent("image/png", png);
  checkFileContent("image/gif", new TextEncoder().encode("GIF89a\x01\x00"));
  checkFileContent("image/webp", new TextEncoder().encode("RIFF\x10\x00\x00\x00WEBPVP8 "));
});

it("refuses text, an empty file or another image's bytes under a photo type", () => {
  assert.throws(() => checkFileContent("image/jpeg", text), refused);
  assert.throws(() => checkFileContent("image/jpeg", new Uint8Array(0)), refused);
  assert.throws(() => checkFileContent("image/jpeg", png), refused);
  assert.throws(() => checkFileContent("image/png", jpeg.subarray(0, 2)), refused);
  assert.equal(new ClientError("photo_not_an_image").text("de").includes("Senden Sie sie als Datei"), true);
});

it("leaves files of other types alone: they are shown as files, whatever they hold", () => {
  checkFileContent("application/pdf", text);
  checkFileContent("application/octet-stream", jpeg);
  checkFileContent("image/heic", text);
});

it("a voice message must be in a voice container, and its bytes must be that container", () => {
  const voiceRefused = (err: unknown) => err instanceof ClientError && err.code === "voice_not_audio";
  checkFileContent("audio/ogg", new TextEncoder().encode("OggS\0\x02"), "voice");
  checkFileContent("audio/webm", Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3, 0x9f), "voice");
  checkFileContent("audio/mp4", new TextEncoder().encode("\0\0\0\x20ftypM4A \0\0\0\0"), "voice");
  assert.throws(() => checkFileContent("audio/ogg", text, "voice"), voiceRefused);
  assert.throws(() => checkFileContent("audio/mpeg", new TextEncoder().encode("ID3\x04"), "voice"), voiceRefused);
  assert.throws(() => checkFileContent("image/jpeg", jpeg, "voice"), voiceRefused);
  // The same bytes as a plain file: nothing to check.
  checkFileContent("audio/ogg", text);
});
