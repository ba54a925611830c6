/**
 * Blob content as files under one directory, each named by the hex id. A
 * blob is written to a temporary file and renamed into place, so a reader
 * sees either nothing or the whole blob, never a half-written one.
 */
import { mkdir, open, rename, rm } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { BoteError } from "@bote/protocol";
import type { BlobStore } from "../store/BlobStore.js";

/** Temporary files carry this prefix, which no hex id has, so a cleanup can find what a crash left behind. */
export const TEMP_PREFIX = "tmp-";

/** One page: a file system with a few bytes left but no free block fails the probe as it would fail a blob. */
const PROBE_CONTENT = Buffer.alloc(4096, 0x42);

export class FileBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  async write(id: Uint8Array, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number> {
    const target = this.path(id);
    // Every time, not once: an operator may have moved the directory since.
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `${TEMP_PREFIX}${randomBytes(8).toString("hex")}`);
    // Owner-only like everything else the server keeps (docs/THREAT-MODEL.md, "At rest").
    const file = await open(temp, "wx", 0o600);
    let size = 0;
    try {
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BoteError("blob_too_large");
        // Awaiting each write is the back-pressure: nothing is held beyond one chunk.
        for (let offset = 0; offset < chunk.byteLength;) {
          offset += (await file.write(chunk, offset)).bytesWritten;
        }
      }
      // Synced before the rename: otherwise a crash could leave the name pointing at missing data.
      await file.sync();
      await file.close();
      await rename(temp, target);
      return size;
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(id: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      // Opened before returning: a delete after this point leaves the open file readable to the end.
      const file = await open(this.path(id), "r");
      return file.createReadStream();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async delete(id: Uint8Array): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /**
   * Creates, writes, syncs and deletes a small temporary file: a full or
   * read-only file system fails here rather than in the middle of an upload.
   * The temporary prefix lets a cleanup find one a crash left behind.
   */
  async probeWrite(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const temp = join(this.dir, `${TEMP_PREFIX}probe-${randomBytes(8).toString("hex")}`);
    const file = await open(temp, "wx", 0o600);
    try {
      await file.write(PROBE_CONTENT);
      await file.sync();
    } finally {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private path(id: Uint8Array): string {
    if (id.byteLength === 0) throw new Error("blob id must not be empty");
    return join(this.dir, Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("hex"));
  }
}
