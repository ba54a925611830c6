import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { storeContract, type EnvelopeRow } from "./contract.js";

const skip = await postgresSkipReason();

storeContract(
  "postgres",
  async () => {
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    const inspector = new pg.Pool({ connectionString: database.url, max: 1 });
    return {
      store,
      openPeer: () => openPostgresStore(database.url),
      async peekEnvelope(messageId, part): Promise<EnvelopeRow | undefined> {
        const result = await inspector.query<{ payload: Buffer | null; pending: number; expires_at: string }>(
          "SELECT payload, pending, expires_at FROM envelopes WHERE message_id = $1 AND part = $2",
          [messageId, part],
        );
        const row = result.rows[0];
        return row && { payload: row.payload, pending: row.pending, expiresAt: Number(row.expires_at) };
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
