import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createDecipheriv, createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import fc from "fast-check";
import {
  AttachmentError,
  ciphertextSize,
  decryptAttachment,
  DEFAULT_CHUNK_SIZE,
  encryptAttachment,
  type AttachmentErrorCode,
  type AttachmentSecrets,
} from "@bote/core";

const KiB = 1024;
const SMALL = 4 * KiB;

function* cut(bytes: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = Math.max(1, sizes[i % sizes.length]!);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** A Node stream, as a file would come in, of `bytes` in pieces of the given sizes (cycling). */
const piecesOf = (bytes: Uint8Array, sizes: readonly number[] = [bytes.length || 1]): AsyncIterable<Uint8Array> =>
  Readable.from(cut(bytes, sizes), { objectMode: true });

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return new Uint8Array(Buffer.concat(parts));
}

async function encrypt(plaintext: Uint8Array, chunkSize?: number, sizes?: readonly number[]) {
  const { ciphertext, done } = encryptAttachment(
    piecesOf(plaintext, sizes),
    chunkSize === undefined ? {} : { chunkSize },
  );
  const bytes = await collect(ciphertext);
  return { bytes, secrets: await done };
}

const decrypt = (bytes: Uint8Array, secrets: AttachmentSecrets, sizes?: readonly number[]) =>
  collect(decryptAttachment(piecesOf(bytes, sizes), secrets));

async function assertFails(promise: Promise<unknown>, code: AttachmentErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AttachmentError, `expected an AttachmentError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash("sha256").update(bytes).digest());

describe("attachment round trip", () => {
  for (const [name, length] of [
    ["0 bytes", 0],
    ["1 byte", 1],
    ["exactly one chunk", SMALL],
    ["one chunk and one byte", SMALL + 1],
    ["exactly three chunks", 3 * SMALL],
  ] as const) {
    it(name, async () => {
      const plaintext = new Uint8Array(randomBytes(length));
      const { bytes, secrets } = await encrypt(plaintext, SMALL);
      assert.equal(secrets.size, length);
      assert.equal(secrets.chunkSize, SMALL);
      assert.equal(secrets.key.length, 32);
      assert.equal(bytes.length, ciphertextSize(length, SMALL));
      assert.deepEqual(secrets.digest, sha256(bytes));
      assert.deepEqual(await decrypt(bytes, secrets), plaintext);
    });
  }

  it("frames with the documented sizes", () => {
    assert.equal(ciphertextSize(0, SMALL), 16);
    assert.equal(ciphertextSize(1, SMALL), 17);
    assert.equal(ciphertextSize(SMALL, SMALL), SMALL + 16);
    assert.equal(ciphertextSize(SMALL + 1, SMALL), SMALL + 1 + 32);
    assert.equal(ciphertextSize(100 * 1024 * 1024), 100 * 1024 * 1024 + 1600 * 16);
    assert.equal(DEFAULT_CHUNK_SIZE, 64 * KiB);
  });

  it("re-cuts a 20 MB stream fed in odd-sized pieces, with the default chunk size", async () => {
    const plaintext = new Uint8Array(randomBytes(20_000_000));
    const { bytes, secrets } = await encrypt(plaintext, undefined, [1, 65_537, 7, 300_001, 4095]);
    assert.equal(secrets.chunkSize, DEFAULT_CHUNK_SIZE);
    assert.equal(bytes.length, ciphertextSize(plaintext.length));
    const decrypted = await decrypt(bytes, secrets, [13, 999_999, 65_552]);
    assert.ok(Buffer.from(decrypted).equals(plaintext));
  });

  it("follows the framing in PROTOCOL.md §14, checked with node:crypto", async () => {
    const plaintext = new Uint8Array(randomBytes(2 * SMALL + 100));
    const { bytes, secrets } = await encrypt(plaintext, SMALL);
    const opened: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const sealed = bytes.subarray(i * (SMALL + 16), Math.min(bytes.length, (i + 1) * (SMALL + 16)));
      const nonce = Buffer.alloc(12);
      nonce.writeBigUInt64BE(BigInt(i), 4);
      const decipher = createDecipheriv("aes-256-gcm", secrets.key, nonce);
      decipher.setAAD(Buffer.concat([Buffer.from("bote-attachment-v1"), Buffer.of(i === 2 ? 1 : 0)]));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      opened.push(decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final());
    }
    assert.deepEqual(new Uint8Array(Buffer.concat(opened)), plaintext);
    assert.equal(ciphertextSize(104_832_000), 100 * 1024 * 1024);
  });

  it("uses a fresh key for every file", async () => {
    const plaintext = new Uint8Array(10);
    const a = await encrypt(plaintext);
    const b = await encrypt(plaintext);
    assert.notDeepEqual(a.secrets.key, b.secrets.key);
    assert.notDeepEqual(a.bytes, b.bytes);
  });

  it("round-trips random data cut into random pieces (seeded)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 5 * SMALL }),
        fc.array(fc.integer({ min: 1, max: 3 * SMALL }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 3 * SMALL }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom(SMALL, SMALL + 1, 8 * KiB),
        async (plaintext, inPieces, outPieces, chunkSize) => {
          const { bytes, secrets } = await encrypt(plaintext, chunkSize, inPieces);
          assert.equal(bytes.length, ciphertextSize(plaintext.length, chunkSize));
          assert.deepEqual(await decrypt(bytes, secrets, outPieces), plaintext);
        },
      ),
      { seed: 20261126, numRuns: 100 },
    );
  });
});

describe("attachment tampering", () => {
  const sealed = SMALL + 16;
  const threeChunks = async () => encrypt(new Uint8Array(randomBytes(2 * SMALL + 100)), SMALL);

  it("a flipped byte in a chunk is corrupt_chunk", async () => {
    const { bytes, secrets } = await threeChunks();
    for (const at of [0, sealed - 1, sealed + 5, bytes.length - 1]) {
      const copy = bytes.slice();
      copy[at]! ^= 1;
      await assertFails(decrypt(copy, secrets), "corrupt_chunk");
    }
  });

  it("a dropped last chunk is truncated", async () => {
    const { bytes, secrets } = await threeChunks();
    await assertFails(decrypt(bytes.subarray(0, 2 * sealed), secrets), "truncated");
    await assertFails(decrypt(bytes.subarray(0, bytes.length - 1), secrets), "truncated");
    await assertFails(decrypt(new Uint8Array(0), secrets), "truncated");
  });

  it("swapped chunks are corrupt_chunk", async () => {
    const { bytes, secrets } = await threeChunks();
    const swapped = new Uint8Array(
      Buffer.concat([bytes.subarray(sealed, 2 * sealed), bytes.subarray(0, sealed), bytes.subarray(2 * sealed)]),
    );
    await assertFails(decrypt(swapped, secrets), "corrupt_chunk");
  });

  it("a full last chunk moved in front of an empty file's chunk is not final", async () => {
    // A file of exactly two chunks; the attacker drops the second and claims one chunk.
    const { bytes, secrets } = await encrypt(new Uint8Array(randomBytes(2 * SMALL)), SMALL);
    const first = bytes.subarray(0, sealed);
    const forged = { ...secrets, size: SMALL, digest: sha256(first) };
    await assertFails(decrypt(first, forged), "corrupt_chunk");
  });

  it("appended bytes are size_mismatch", async () => {
    const { bytes, secrets } = await threeChunks();
    for (const extra of [1, 16, sealed]) {
      await assertFails(
        decrypt(new Uint8Array(Buffer.concat([bytes, new Uint8Array(extra)])), secrets),
        "size_mismatch",
      );
    }
  });

  it("a wrong key is corrupt_chunk", async () => {
    const { bytes, secrets } = await threeChunks();
    await assertFails(decrypt(bytes, { ...secrets, key: new Uint8Array(randomBytes(32)) }), "corrupt_chunk");
  });

  it("a wrong digest is digest_mismatch, and the last chunk is held back", async () => {
    const { bytes, secrets } = await threeChunks();
    const yielded: Uint8Array[] = [];
    const run = async () => {
      for await (const chunk of decryptAttachment(piecesOf(bytes), { ...secrets, digest: new Uint8Array(32) })) {
        yielded.push(chunk);
      }
    };
    await assertFails(run(), "digest_mismatch");
    assert.equal(yielded.length, 2);
  });

  it("a wrong size is size_mismatch", async () => {
    const { bytes, secrets } = await threeChunks();
    for (const size of [secrets.size - 1, secrets.size + 1, secrets.size + SMALL, 0, 3 * SMALL]) {
      await assertFails(decrypt(bytes, { ...secrets, size }), "size_mismatch");
    }
  });

  it("a wrong size on a file of exactly two chunks is size_mismatch, not corrupt_chunk", async () => {
    const { bytes, secrets } = await encrypt(new Uint8Array(randomBytes(2 * SMALL)), SMALL);
    await assertFails(decrypt(bytes, { ...secrets, size: 3 * SMALL }), "size_mismatch");
  });

  it("secrets out of bounds are invalid_secrets, at once", () => {
    const secrets: AttachmentSecrets = {
      key: new Uint8Array(32),
      digest: new Uint8Array(32),
      size: 0,
      chunkSize: SMALL,
    };
    const invalid: AttachmentSecrets[] = [
      { ...secrets, key: new Uint8Array(16) },
      { ...secrets, digest: new Uint8Array(31) },
      { ...secrets, size: -1 },
      { ...secrets, size: 1.5 },
      { ...secrets, size: 2 ** 53 },
      { ...secrets, chunkSize: 0 },
      { ...secrets, chunkSize: SMALL - 1 },
      { ...secrets, chunkSize: 16 * 1024 * 1024 + 1 },
    ];
    for (const bad of invalid) {
      assert.throws(() => decryptAttachment(piecesOf(new Uint8Array(16)), bad), { code: "invalid_secrets" });
    }
  });

  it("a chunk size out of bounds is invalid_chunk_size", () => {
    assert.throws(() => encryptAttachment(piecesOf(new Uint8Array(0)), { chunkSize: 1024 }), {
      code: "invalid_chunk_size",
    });
    assert.throws(() => ciphertextSize(10, 32 * 1024 * 1024), { code: "invalid_chunk_size" });
    assert.throws(() => ciphertextSize(-1), { code: "invalid_size" });
  });

  it("done rejects with incomplete when the upload stops early", async () => {
    const { ciphertext, done } = encryptAttachment(piecesOf(new Uint8Array(3 * SMALL)), { chunkSize: SMALL });
    for await (const chunk of ciphertext) {
      assert.equal(chunk.length, SMALL + 16);
      break;
    }
    await assertFails(done, "incomplete");
  });

  it("done rejects with the source's error", async () => {
    let reads = 0;
    const failing: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          reads++ === 0
            ? Promise.resolve({ value: new Uint8Array(SMALL + 1), done: false })
            : Promise.reject(new Error("disk gone")),
      }),
    };
    const { ciphertext, done } = encryptAttachment(failing, { chunkSize: SMALL });
    await assert.rejects(collect(ciphertext), /disk gone/);
    await assert.rejects(done, /disk gone/);
  });
});
