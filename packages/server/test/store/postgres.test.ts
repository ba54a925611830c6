import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { storeContract } from "./contract.js";

const skip = await postgresSkipReason();

storeContract(
  "postgres",
  async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    const inspector = new pg.Pool({ connectionString: database.url, max: 1 });
    // The drop WITH (FORCE) below can reach a client still closing after end(); its error must not crash the run.
    inspector.on("error", () => undefined);
    return {
      store,
      openPeer: () => openPostgresStore(database.url),
      async peekSend(sendKey): Promise<number | undefined> {
        const result = await inspector.query<{ expires_at: string }>("SELECT expires_at FROM sends WHERE key = $1", [
          sendKey,
        ]);
        const row = result.rows[0];
        return row && Number(row.expires_at);
      },
      async cleanup() {
        await inspector.end();
        await store.close();
        await database.drop();
      },
    };
  },
  skip,
);
