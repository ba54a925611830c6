/** Both blob stores, one behaviour: whole blobs or nothing, streamed both ways. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { BoteError } from "@bote/protocol";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "@bote/testing";
import type { BlobStore } from "../../src/store/BlobStore.js";
import { FileBlobStore } from "../../src/blobs/FileBlobStore.js";
import { PostgresBlobStore } from "../../src/blobs/PostgresBlobStore.js";

interface BlobFixture {
  blobs: BlobStore;
  /** Everything the backend holds, to prove that a refused write left nothing behind. */
  leftovers(): Promise<number>;
  cleanup(): Promise<void>;
}

const MB = 1024 * 1024;

/** Yields size bytes in pieces of an odd size, as a network upload would arrive. */
async function* upload(content: Buffer, piece = 64 * 1024 + 7): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < content.length; offset += piece) {
    await Promise.resolve();
    yield new Uint8Array(content.subarray(offset, offset + piece));
  }
}

async function readAll(content: AsyncIterable<Uint8Array>): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of content) parts.push(Buffer.from(chunk));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function blobContract(name: string, open: () => Promise<BlobFixture>, skip?: string): void {
  describe(`BlobStore: ${name}`, skip === undefined ? {} : { skip }, () => {
    let f: BlobFixture;
    before(async () => {
      f = await open();
    });
    after(async () => {
      await f?.cleanup();
    });

    it("round-trips a multi-chunk blob, streamed", async () => {
      const id = randomBytes(32);
      const content = randomBytes(3 * MB + 12345);
      assert.equal(await f.blobs.write(id, upload(content), 4 * MB), content.length);
      const stream = await f.blobs.read(id);
      assert.ok(stream);
      const { bytes, chunks } = await readAll(stream);
      assert.equal(bytes.length, content.length);
      assert.equal(sha(bytes), sha(content));
      assert.ok(chunks > 1, "read in more than one chunk");
    });

    it("rejects a blob over maxBytes and leaves nothing behind", async () => {
      const before = await f.leftovers();
      const id = randomBytes(32);
      await assert.rejects(
        f.blobs.write(id, upload(randomBytes(MB + 1)), MB),
        (error: unknown) => error instanceof BoteError && error.code === "blob_too_large",
      );
      assert.equal(await f.blobs.read(id), undefined);
      assert.equal(await f.leftovers(), before);
    });

    it("leaves nothing behind when the upload fails midway", async () => {
      const before = await f.leftovers();
      const id = randomBytes(32);
      async function* broken(): AsyncGenerator<Uint8Array> {
        yield randomBytes(300 * 1024);
        await Promise.resolve();
        throw new Error("connection reset");
      }
      await assert.rejects(f.blobs.write(id, broken(), MB), /connection reset/);
      assert.equal(await f.blobs.read(id), undefined);
      assert.equal(await f.leftovers(), before);
    });

    it("stores an empty blob, answers undefined for a missing id, and deletes", async () => {
      const empty = randomBytes(32);
      assert.equal(await f.blobs.write(empty, upload(Buffer.alloc(0)), MB), 0);
      const stream = await f.blobs.read(empty);
      assert.ok(stream);
      assert.equal((await readAll(stream)).bytes.length, 0);

      assert.equal(await f.blobs.read(randomBytes(32)), undefined);

      const id = randomBytes(32);
      await f.blobs.write(id, upload(randomBytes(1000)), MB);
      await f.blobs.delete(id);
      await f.blobs.delete(id);
      await f.blobs.delete(empty);
      assert.equal(await f.blobs.read(id), undefined);
      assert.equal(await f.blobs.read(empty), undefined);
    });

    it("replaces the content when an id is written again", async () => {
      const id = randomBytes(32);
      await f.blobs.write(id, upload(randomBytes(2 * MB)), 4 * MB);
      const second = randomBytes(1000);
      await f.blobs.write(id, upload(second), 4 * MB);
      const stream = await f.blobs.read(id);
      assert.ok(stream);
      assert.equal(sha((await readAll(stream)).bytes), sha(second));
    });
  });
}

blobContract("files", async () => {
  const dir = join(await mkdtemp(join(tmpdir(), "bote-blobs-")), "nested", "blobs");
  const blobs = new FileBlobStore(dir);
  return {
    blobs,
    leftovers: async () => (await readdir(dir).catch(() => [])).length,
    async cleanup() {
      await blobs.close();
      await rm(join(dir, "..", ".."), { recursive: true, force: true });
    },
  };
});

const skip = await postgresSkipReason();
blobContract(
  "postgres",
  async () => {
    const database: TestDatabase = await createTestDatabase();
    const blobs = await PostgresBlobStore.open(database.url);
    const inspector = new pg.Pool({ connectionString: database.url, max: 1 });
    // The drop WITH (FORCE) can reach a client still closing after end(); its error must not crash the run.
    inspector.on("error", () => undefined);
    return {
      blobs,
      leftovers: async () =>
        Number((await inspector.query<{ n: string }>("SELECT count(*) AS n FROM blob_chunks")).rows[0]?.n),
      async cleanup() {
        await inspector.end();
        await blobs.close();
        await database.drop();
      },
    };
  },
  skip,
);

describe("file blob store modes", () => {
  it("creates its directory 0700 and every blob file 0600, whatever the umask allows", async () => {
    const root = await mkdtemp(join(tmpdir(), "bote-blob-modes-"));
    try {
      const dir = join(root, "blobs");
      const blobs = new FileBlobStore(dir);
      await blobs.write(new Uint8Array([1, 2, 3]), upload(randomBytes(100)), 1000);
      assert.equal(((await stat(dir)).mode & 0o777).toString(8), "700");
      for (const name of await readdir(dir)) {
        assert.equal(((await stat(join(dir, name))).mode & 0o777).toString(8), "600", name);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
