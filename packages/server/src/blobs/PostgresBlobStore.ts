/**
 * Blob content in PostgreSQL, as rows of bounded chunks, so that neither a
 * write nor a read ever holds a whole blob in memory. A write is one
 * transaction: a blob that turns out too large, or whose upload fails,
 * leaves nothing behind, and readers never see a partial blob.
 */
import type pg from "pg";
import { BoteError } from "@bote/protocol";
import type { BlobStore } from "../store/BlobStore.js";
import { openPool } from "../store/postgres/pool.js";

/** Incoming pieces are gathered up to this size per row: fewer rows than network chunks, bounded memory. */
const CHUNK_BYTES = 256 * 1024;

export class PostgresBlobStore implements BlobStore {
  /** Opens its own pool and applies the migrations that create the chunk table. */
  static async open(url: string): Promise<PostgresBlobStore> {
    return new PostgresBlobStore(await openPool(url), true);
  }

  /** With ownsPool false the pool is shared and close() leaves it open. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly ownsPool = false,
  ) {}

  async write(id: Uint8Array, chunks: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      // Writing an id again replaces its content.
      await client.query("DELETE FROM blob_chunks WHERE blob_id = $1", [id]);
      let size = 0;
      let seq = 0;
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        await client.query("INSERT INTO blob_chunks (blob_id, seq, data) VALUES ($1, $2, $3)", [
          id,
          seq++,
          Buffer.concat(pending, pendingBytes),
        ]);
        pending = [];
        pendingBytes = 0;
      };
      for await (const chunk of chunks) {
        size += chunk.byteLength;
        if (size > maxBytes) throw new BoteError("blob_too_large");
        pending.push(chunk);
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      }
      // An empty blob still gets one (empty) row, which is what marks it as existing.
      if (pendingBytes > 0 || seq === 0) await flush();
      await client.query("COMMIT");
      return size;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async read(id: Uint8Array): Promise<AsyncIterable<Uint8Array> | undefined> {
    const counted = await this.pool.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM blob_chunks WHERE blob_id = $1",
      [id],
    );
    const count = counted.rows[0]?.n ?? 0;
    if (count === 0) return undefined;
    return this.chunks(id, count);
  }

  /** One row per query, so a slow reader holds neither a connection nor more than one chunk. */
  private async *chunks(id: Uint8Array, count: number): AsyncGenerator<Uint8Array> {
    for (let seq = 0; seq < count; seq++) {
      const result = await this.pool.query<{ data: Buffer }>(
        "SELECT data FROM blob_chunks WHERE blob_id = $1 AND seq = $2",
        [id, seq],
      );
      const row = result.rows[0];
      // Deleted while being read: fail rather than hand out a truncated blob.
      if (row === undefined) throw new Error("blob changed while being read");
      if (row.data.byteLength > 0) yield row.data;
    }
  }

  async delete(id: Uint8Array): Promise<void> {
    await this.pool.query("DELETE FROM blob_chunks WHERE blob_id = $1", [id]);
  }

  /** A write statement that matches nothing: a read-only or unreachable database refuses it all the same. */
  async probeWrite(): Promise<void> {
    await this.pool.query("DELETE FROM blob_chunks WHERE blob_id = $1", [Buffer.alloc(0)]);
  }

  async close(): Promise<void> {
    if (this.ownsPool) await this.pool.end();
  }
}
