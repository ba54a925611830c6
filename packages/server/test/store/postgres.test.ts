import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openPostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { binaryArray } from "../../src/store/postgres/commitBatch.js";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { storeContract } from "./contract.js";
import { T, id, seedDevice, seedOrganisation, sendTo, stored } from "./fixtures.js";

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

/**
 * Sees (and may change) every statement before it goes out: pooled or on a
 * checked-out client, node-postgres sends each through Client#query.
 * Returns what puts the original back.
 */
function watchQueries(seen: (config: { name?: string; values?: unknown[] }) => void): () => void {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back unbound, as it was
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    seen(args[0] as { name?: string; values?: unknown[] });
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return () => (pg.Client.prototype.query = query);
}

describe("the relay's batch on PostgreSQL", { skip }, () => {
  it("commits plain sends and acks in one round trip, so that nodes do not hold mailbox locks while they wait", async () => {
    // Seven round trips, with the recipients' mailboxes locked from the
    // second to the last, made two nodes' batches to the same mailboxes
    // wait for each other whole (docs/BENCHMARKS.md, cluster).
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    try {
      const orgId = await seedOrganisation(store);
      const [a, b] = [await seedDevice(store, orgId), await seedDevice(store, orgId)];
      const first = stored(
        (await store.commitBatch({ sends: [sendTo([a.mailboxId, b.mailboxId])], acks: [] })).sends[0],
      );
      let roundTrips = 0;
      const restore = watchQueries(() => roundTrips++);
      try {
        const result = await store.commitBatch({
          sends: [sendTo([a.mailboxId]), sendTo([a.mailboxId, b.mailboxId]), sendTo([b.mailboxId, id()])],
          acks: [{ mailboxIds: [a.mailboxId], entryIds: [first.entries[0]!.entryId] }],
        });
        assert.deepEqual(result.acked, [1]);
        assert.deepEqual(
          result.sends.map((s) => stored(s).entries.length),
          [1, 2, 1],
        );
        assert.equal(roundTrips, 1);
      } finally {
        restore();
      }
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe("an entry id drawn twice on PostgreSQL", { skip }, () => {
  /** Makes bote_commit_sends get `taken` as its one entry id, for the first `times` calls; counts the calls. */
  function drawTaken(taken: number, times: number): { readonly calls: number; restore(): void } {
    let calls = 0;
    const restore = watchQueries((config) => {
      if (typeof config === "object" && config.name === "bote_commit_sends" && calls++ < times) {
        config.values![5] = binaryArray("int8", [taken]);
      }
    });
    return {
      get calls() {
        return calls;
      },
      restore,
    };
  }

  it("draws again when the database holds the id, keeps the other entry, and gives up after five tries", async () => {
    // Random 53-bit ids make a clash rare, but a clash must neither overwrite nor drop an entry.
    const database = await createTestDatabase();
    const store = await openPostgresStore(database.url);
    try {
      const orgId = await seedOrganisation(store);
      const [a, b] = [await seedDevice(store, orgId), await seedDevice(store, orgId)];
      const firstSend = sendTo([a.mailboxId]);
      const first = stored((await store.commitBatch({ sends: [firstSend], acks: [] })).sends[0]);
      const taken = first.entries[0]!.entryId;

      const once = drawTaken(taken, 1);
      let result;
      try {
        result = await store.commitBatch({ sends: [sendTo([b.mailboxId])], acks: [] });
      } finally {
        once.restore();
      }
      assert.equal(once.calls, 2, "the taken id rolled the call back, and it ran again");
      const entry = stored(result.sends[0]).entries[0]!;
      assert.notEqual(entry.entryId, taken);
      const inA = await store.fetchQueue([a.mailboxId], 0, 10, T);
      assert.deepEqual(
        inA.map((e) => [e.entryId, Buffer.from(e.sealed).equals(firstSend.parts[0]![0]!.sealed)]),
        [[taken, true]],
        "the first entry is untouched",
      );
      assert.deepEqual(
        (await store.fetchQueue([b.mailboxId], 0, 10, T)).map((e) => e.entryId),
        [entry.entryId],
      );

      const send = sendTo([b.mailboxId]);
      const always = drawTaken(taken, Infinity);
      try {
        await assert.rejects(store.commitBatch({ sends: [send], acks: [] }), { code: "BT001" });
      } finally {
        always.restore();
      }
      assert.equal(always.calls, 5);
      // Nothing of the failed batch was kept: the same send goes through as new, not as a duplicate.
      const retried = stored((await store.commitBatch({ sends: [send], acks: [] })).sends[0]);
      assert.equal(retried.entries.length, 1);
      assert.equal((await store.fetchQueue([b.mailboxId], 0, 10, T)).length, 2);
    } finally {
      await store.close();
      await database.drop();
    }
  });
});

describe("arrays bound in binary form", { skip }, () => {
  it("reach PostgreSQL as the arrays they were made from, empty ones too", async () => {
    const database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const bytes = [Buffer.from("00ff10", "hex"), Buffer.alloc(0), randomBytes(300)];
      const int8 = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 1_700_000_000_000];
      const int4 = [0, 1, 255, 2 ** 31 - 1];
      const result = await client.query<{ b: Buffer[]; l: string[]; i: number[]; e: Buffer[]; n: string[] }>(
        "SELECT $1::bytea[] AS b, $2::int8[]::text[] AS l, $3::int4[] AS i, $4::bytea[] AS e, $5::int8[]::text[] AS n",
        [
          binaryArray("bytea", bytes),
          binaryArray("int8", int8),
          binaryArray("int4", int4),
          binaryArray("bytea", []),
          binaryArray("int8", []),
        ],
      );
      const row = result.rows[0]!;
      assert.deepEqual(row.b, bytes);
      assert.deepEqual(row.l, int8.map(String));
      assert.deepEqual(row.i, int4);
      assert.deepEqual(row.e, []);
      assert.deepEqual(row.n, []);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
