import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import type { Bytes } from "../../src/store/ServerStore.js";
import { storeContract, type EnvelopeRow } from "./contract.js";

storeContract("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bote-store-"));
  const file = join(dir, "bote.sqlite");
  const store = await openSqliteStore(file);
  // A second connection, read-only, as an operator's sqlite3 shell would look at the file.
  const inspector = new Database(file, { readonly: true });
  const peek = inspector.prepare<[Bytes, number], { payload: Buffer | null; pending: number; expires_at: number }>(
    "SELECT payload, pending, expires_at FROM envelopes WHERE message_id = ? AND part = ?",
  );
  return {
    store,
    openPeer: () => openSqliteStore(file),
    peekEnvelope: (messageId, part): Promise<EnvelopeRow | undefined> => {
      const row = peek.get(messageId, part);
      return Promise.resolve(row && { payload: row.payload, pending: row.pending, expiresAt: row.expires_at });
    },
    async cleanup() {
      inspector.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
