import Database from "better-sqlite3";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import type { Bytes } from "../../src/store/ServerStore.js";
import { storeContract } from "./contract.js";

storeContract("sqlite", async () => {
  const dir = await mkdtemp(join(tmpdir(), "bote-store-"));
  const file = join(dir, "bote.sqlite");
  const store = await openSqliteStore(file);
  // A second connection, read-only, as an operator's sqlite3 shell would look at the file.
  const inspector = new Database(file, { readonly: true });
  const peek = inspector.prepare<[Bytes], { expires_at: number }>("SELECT expires_at FROM sends WHERE key = ?");
  return {
    store,
    openPeer: () => openSqliteStore(file),
    peekSend: (sendKey) => Promise.resolve(peek.get(sendKey)?.expires_at),
    async cleanup() {
      inspector.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
