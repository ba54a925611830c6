/**
 * Files from the command line as the crew sends them from a phone's gallery:
 * what `bote send --file` makes of photos, voice messages and other files,
 * over a real server and real client processes. The SDK's own checks are
 * tested here too, in process, against the same server.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ClientError, type BoteClient } from "@bote/client";
import { jpegHasMetadata } from "@bote/core";
import { CAMERA_MARKERS, cameraJpeg, cameraPng, decodeJpeg, oggOpusVoice } from "@bote/testing";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import { joinClient } from "./support/sdkClient.js";

let root: string;
let dataDir: string;
let server: RunningServer;
let carla: BoteClient;

const profile = (name: string) => ["--profile", join(root, name)];
const json = (name: string) => [...profile(name), "--json"];
const english = { lang: "en_US.UTF-8" };

async function invite(name: string): Promise<string> {
  const result = await boteOk(["admin", "invite", "--name", name, ...json("anna")]);
  return String(result.lines.find((l) => l.type === "invitation")?.url);
}

/** The blobs the server stores (the directory appears with the first upload). */
async function storedBlobs(): Promise<string[]> {
  const names = await readdir(join(dataDir, "blobs")).catch(() => []);
  return names.filter((f) => !f.startsWith("tmp"));
}

/** What Bernd's next `bote sync --json` received as attachments. */
async function received(): Promise<Record<string, unknown>[]> {
  const synced = await boteOk(["sync", ...json("bernd")]);
  return synced.lines.filter((l) => l.attachment !== undefined);
}

/** Bernd downloads a received attachment with `bote download` and reads the file. */
async function download(message: Record<string, unknown> | undefined, name: string): Promise<Buffer> {
  assert.ok(message);
  const out = join(root, name);
  await boteOk(["download", String(message.messageId), "--out", out, ...json("bernd")]);
  return readFile(out);
}

const metadataIn = (bytes: Uint8Array) =>
  Object.values(CAMERA_MARKERS).filter((marker) => Buffer.from(bytes).includes(marker, 0, "latin1"));

describe("bote send --file: photos, voice messages and files", { timeout: 300_000 }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-files-"));
    dataDir = join(root, "server");
    server = await startServer(dataDir, await freePort());
    const first = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    await boteOk(["join", first, "--name", "Anna Admin", ...json("anna")]);
    await boteOk(["join", await invite("Bernd Bau"), ...json("bernd")]);
    carla = await joinClient(root, "Carla Chef", await invite("Carla Chef"));
  });

  after(async () => {
    await carla?.close();
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("bote sync says so when nothing is new", async () => {
    await boteOk(["sync", ...profile("bernd")]);
    const german = await boteOk(["sync", ...profile("bernd")]);
    assert.equal(german.stdout, "Nichts Neues.\n");
    const inEnglish = await boteOk(["sync", ...profile("bernd")], english);
    assert.equal(inEnglish.stdout, "Nothing new.\n");
    // Scripts get one JSON object per message, so none here.
    assert.equal((await boteOk(["sync", ...json("bernd")])).stdout, "");
  });

  it("a photo from the phone arrives without GPS, camera data or XMP; with --original as it was taken", async () => {
    const photo = join(root, "site.jpg");
    const taken = cameraJpeg(64, 48, 6);
    await writeFile(photo, taken);
    assert.deepEqual(jpegHasMetadata(taken), { exif: true, gps: true });

    await boteOk(["send", "--to", "Bernd Bau", "--file", photo, "Keller", ...json("anna")]);
    const [cleaned] = await received();
    assert.equal((cleaned?.attachment as { mediaType: string }).mediaType, "image/jpeg");
    const arrived = await download(cleaned, "site-cleaned.jpg");
    assert.deepEqual(metadataIn(arrived), []);
    assert.equal(jpegHasMetadata(arrived).gps, false);
    // The same picture, turned as it was taken (its orientation is all that is left of the EXIF block).
    assert.ok(Buffer.from(decodeJpeg(arrived).data).equals(Buffer.from(decodeJpeg(taken).data)));
    assert.ok(arrived.includes("Exif\0\0MM\0*", 0, "latin1"));
    assert.ok(arrived.length < taken.length);

    await boteOk(["send", "--to", "Bernd Bau", "--file", photo, "--original", ...json("anna")]);
    const [original] = await received();
    assert.ok((await download(original, "site-original.jpg")).equals(taken));
  });

  it("a PNG goes without its text and EXIF chunks; HEIC is refused unless sent --original", async () => {
    const screenshot = join(root, "plan.png");
    await writeFile(screenshot, cameraPng());
    await boteOk(["send", "--to", "Bernd Bau", "--file", screenshot, ...json("anna")]);
    const [png] = await received();
    assert.deepEqual(metadataIn(await download(png, "plan-cleaned.png")), []);
    // Wider than the 65,535 px the protocol carries as a size: it goes without one.
    const panorama = join(root, "panorama.png");
    await writeFile(panorama, cameraPng(70_000, 1));
    await boteOk(["send", "--to", "Bernd Bau", "--file", panorama, ...json("anna")]);
    assert.equal(((await received())[0]?.attachment as { fileName: string }).fileName, "panorama.png");

    const heic = join(root, "IMG_0042.HEIC");
    await writeFile(
      heic,
      Buffer.concat([Buffer.from("\0\0\0\x18ftypheic\0\0\0\0mif1heic", "latin1"), randomBytes(2000)]),
    );
    const refused = await bote(["send", "--to", "Bernd Bau", "--file", heic, ...profile("anna")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Aus „IMG_0042\.HEIC“ kann Bote Ort und Kameradaten nicht entfernen/);
    assert.match(refused.stderr, /--original/);
    const refusedJson = await bote(["send", "--to", "Bernd Bau", "--file", heic, ...json("anna")]);
    assert.equal(
      (JSON.parse(refusedJson.stderr) as { error: { code: string } }).error.code,
      "photo_metadata_unsupported",
    );
    await boteOk(["send", "--to", "Bernd Bau", "--file", heic, "--original", ...json("anna")]);
    const [sent] = await received();
    assert.equal((sent?.attachment as { mediaType: string }).mediaType, "image/heic");
  });

  it("a file that is no image, named .jpg, is refused as a photo and goes as a file with --as-file", async () => {
    const fake = join(root, "baustelle.jpg");
    await writeFile(fake, "Kein Foto, sondern eine Notiz.\n".repeat(100));
    const blobsBefore = await storedBlobs();
    const refused = await bote(["send", "--to", "Bernd Bau", "--file", fake, ...profile("anna")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /„baustelle\.jpg“ ist kein Bild/);
    assert.match(refused.stderr, /--as-file/);
    const refusedEnglish = await bote(["send", "--to", "Bernd Bau", "--file", fake, ...profile("anna")], english);
    assert.match(refusedEnglish.stderr, /"baustelle\.jpg" is not an image/);
    const refusedJson = await bote(["send", "--to", "Bernd Bau", "--file", fake, ...json("anna")]);
    assert.equal(refusedJson.code, 1);
    assert.equal((JSON.parse(refusedJson.stderr) as { error: { code: string } }).error.code, "photo_not_an_image");
    // Refused before anything was uploaded.
    assert.deepEqual(await storedBlobs(), blobsBefore);

    await boteOk(["send", "--to", "Bernd Bau", "--file", fake, "--as-file", ...json("anna")]);
    const [file] = await received();
    assert.deepEqual(file?.attachment, {
      kind: "file",
      fileName: "baustelle.jpg",
      mediaType: "application/octet-stream",
      size: 3100,
      caption: "",
    });
  });

  it("a recording goes as a voice message with its length, and the recipient downloads it", async () => {
    const recording = join(root, "notiz.ogg");
    const voice = oggOpusVoice(3000);
    await writeFile(recording, voice);
    await boteOk(["send", "--to", "Bernd Bau", "--file", recording, ...json("anna")]);
    const [message] = await received();
    assert.deepEqual(message?.attachment, {
      kind: "voice",
      fileName: "notiz.ogg",
      mediaType: "audio/ogg",
      size: voice.length,
      caption: "",
      durationMs: 3000,
    });
    const history = await boteOk(["messages", "--chat", "Anna Admin", "--no-mark-read", ...profile("bernd")]);
    assert.match(
      history.stdout,
      new RegExp(`Anna Admin: 🎤 Sprachnachricht \\(0:03\\) \\[${String(message?.messageId)}\\]`),
    );
    assert.ok((await download(message, "notiz-received.ogg")).equals(voice));

    // A .opus file that holds no sound is refused as a voice message, and goes with --as-file.
    const notVoice = join(root, "ansage.opus");
    await writeFile(notVoice, "Das ist keine Aufnahme.");
    const refused = await bote(["send", "--to", "Bernd Bau", "--file", notVoice, ...json("anna")]);
    assert.equal(refused.code, 1);
    assert.equal((JSON.parse(refused.stderr) as { error: { code: string } }).error.code, "voice_not_audio");
    const inGerman = await bote(["send", "--to", "Bernd Bau", "--file", notVoice, ...profile("anna")]);
    assert.match(inGerman.stderr, /„ansage\.opus“ ist keine Sprachaufnahme/);
    await boteOk(["send", "--to", "Bernd Bau", "--file", notVoice, "--as-file", ...json("anna")]);
    const [asFile] = await received();
    assert.equal((asFile?.attachment as { kind: string }).kind, "file");
  });

  it("bote download takes every message id, also one that starts with a dash, and refuses what is none", async () => {
    const dashed = await bote(["download", "-AAAAAAAAAAAAAAAAAAAAA", "--out", join(root, "x"), ...json("bernd")]);
    assert.equal(dashed.code, 1, dashed.stderr);
    assert.match(dashed.stderr, /message_unknown/);
    const typo = await bote(["download", "--ouut", join(root, "x"), ...json("bernd")]);
    assert.equal(typo.code, 2);
    const notAnId = await bote(["download", "kein-id", "--out", join(root, "x"), ...json("bernd")]);
    assert.equal(notAnId.code, 2);
    assert.match(notAnId.stderr, /<message>: kein-id/);
  });

  it("the SDK refuses to send bytes that are no image under an image type, before uploading", async () => {
    const bernd = (await carla.directory()).find((d) => d.displayName === "Bernd Bau")!;
    const chat = await carla.directChat(bernd.member.accountId);
    const blobsBefore = await storedBlobs();
    const notAPhoto = randomBytes(5000);
    await assert.rejects(
      carla.sendFile(chat.conversationId, {
        stream: Readable.from([notAPhoto.subarray(0, 7), notAPhoto.subarray(7)]),
        size: notAPhoto.length,
        fileName: "IMG_0042.jpg",
        mediaType: "image/jpeg",
      }),
      (err: unknown) => err instanceof ClientError && (err.code as string) === "photo_not_an_image",
    );
    assert.deepEqual(await storedBlobs(), blobsBefore);
    // The same bytes as what they are: a file.
    const sent = await carla.sendFile(chat.conversationId, {
      stream: Readable.from([notAPhoto]),
      size: notAPhoto.length,
      fileName: "IMG_0042.jpg",
      mediaType: "application/octet-stream",
    });
    assert.equal(sent?.status, "sent");
    const [file] = await received();
    assert.equal((file?.attachment as { mediaType: string }).mediaType, "application/octet-stream");
  });
});
