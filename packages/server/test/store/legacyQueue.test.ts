/**
 * A database of schema version 4 holds pending messages in the old queue,
 * where the recipients of one send shared an envelope. Upgrading seals each
 * recipient's entry under the secrets file, keeps every mailbox's order,
 * carries the dedupe and the commit guard over, and leaves no old row behind.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import pg from "pg";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { openSqliteStore } from "../../src/store/sqlite/SqliteStore.js";
import { openPostgresStore } from "../../src/store/postgres/PostgresStore.js";
import { migrations as sqliteMigrations } from "../../src/store/sqlite/migrations.js";
import { migrations as postgresMigrations } from "../../src/store/postgres/migrations.js";
import { AtRestKeys } from "../../src/secrets/AtRestKeys.js";
import { ServerSecrets } from "../../src/secrets/ServerSecrets.js";
import type { ServerStore } from "../../src/store/ServerStore.js";
import { T, DAY, id } from "./fixtures.js";

const org = id();
const [accountA, accountB] = [id(), id()];
const [deviceA, deviceB] = [id(), id()];
/** Device A has a retired mailbox still draining and a current one; device B one. */
const [retiredA, currentA, mailboxB] = [id(), id(), id()];
const [messageOne, messageTwo] = [id(), id()];
const [payloadOne, payloadTwo] = [id(120), id(120)];
const groupId = id(32);

/** The rows of version 4, in the order foreign keys need; ? placeholders, numbered for PostgreSQL by the caller. */
const rows: [string, unknown[]][] = [
  ["INSERT INTO organisations (id, name, created_at, organisation_key) VALUES (?, 'Alt GmbH', 0, ?)", [org, id(32)]],
  ...[accountA, accountB].map((a): [string, unknown[]] => [
    `INSERT INTO accounts (id, org_id, display_name, role, created_at, account_key, certificate, certificate_issued_at)
     VALUES (?, ?, 'X', 'member', 0, ?, ?, 0)`,
    [a, org, id(32), id(64)],
  ]),
  ...[
    [deviceA, accountA],
    [deviceB, accountB],
  ].map(([d, a]): [string, unknown[]] => [
    "INSERT INTO devices (id, account_id, public_key, created_at, certificate) VALUES (?, ?, ?, 0, ?)",
    [d, a, id(32), id(64)],
  ]),
  ["INSERT INTO mailboxes (id, device_id, retired) VALUES (?, ?, TRUE)", [retiredA, deviceA]],
  ["INSERT INTO mailboxes (id, device_id, retired) VALUES (?, ?, FALSE)", [currentA, deviceA]],
  ["INSERT INTO mailboxes (id, device_id, retired) VALUES (?, ?, FALSE)", [mailboxB, deviceB]],
  // One shared envelope for A's old mailbox and B, one for A's new mailbox, one fully acknowledged.
  [
    "INSERT INTO envelopes (message_id, part, payload, pending, expires_at) VALUES (?, 0, ?, 2, ?)",
    [messageOne, payloadOne, T + DAY],
  ],
  [
    "INSERT INTO envelopes (message_id, part, payload, pending, expires_at) VALUES (?, 0, ?, 1, ?)",
    [messageTwo, payloadTwo, T + DAY],
  ],
  ["INSERT INTO envelopes (message_id, part, payload, pending, expires_at) VALUES (?, 0, NULL, 0, ?)", [id(), T + DAY]],
  ["INSERT INTO queue (mailbox_id, envelope_id, expires_at) VALUES (?, 1, ?)", [retiredA, T + DAY]],
  ["INSERT INTO queue (mailbox_id, envelope_id, expires_at) VALUES (?, 1, ?)", [mailboxB, T + DAY]],
  ["INSERT INTO queue (mailbox_id, envelope_id, expires_at) VALUES (?, 2, ?)", [currentA, T + DAY]],
  ["INSERT INTO group_epochs (group_id, epoch) VALUES (?, 5)", [groupId]],
];

async function checkUpgrade(store: ServerStore): Promise<void> {
  const secrets = ServerSecrets.generate();
  const keys = new AtRestKeys(secrets);
  assert.equal(await store.upgradeLegacyQueue(keys, T), 3);
  assert.equal(await store.upgradeLegacyQueue(keys, T), 0, "once done, a no-op");

  const a = await store.fetchQueue([currentA, retiredA], 0, 10, T);
  assert.deepEqual(
    a.map((e) => Buffer.from(keys.openEntry(e.mailboxId, e.sealed)!).toString("hex")),
    [payloadOne.toString("hex"), payloadTwo.toString("hex")],
    "device A's entries, opened, in their old order across both mailboxes",
  );
  assert.equal(a[1]!.seq, a[0]!.seq + 1);
  const b = await store.fetchQueue([mailboxB], 0, 10, T);
  assert.equal(Buffer.from(keys.openEntry(mailboxB, b[0]!.sealed)!).toString("hex"), payloadOne.toString("hex"));
  assert.notEqual(Buffer.from(b[0]!.sealed).toString("hex"), Buffer.from(a[0]!.sealed).toString("hex"));

  // A resend of a pending message is still a duplicate, and the group's epoch guard holds.
  const resend = await store.commitBatch({
    sends: [
      { sendKey: keys.sendKey(messageOne), parts: [[{ mailboxId: mailboxB, sealed: id() }]], expiresAt: T + DAY },
    ],
    acks: [],
  });
  assert.deepEqual(resend.sends, [{ kind: "duplicate" }]);
  const stale = await store.commitBatch({
    sends: [
      {
        sendKey: id(),
        parts: [[{ mailboxId: mailboxB, sealed: id() }]],
        commit: { groupKey: keys.groupKey(groupId), epoch: 4n },
        expiresAt: T + DAY,
      },
    ],
    acks: [],
  });
  assert.deepEqual(stale.sends, [{ kind: "stale_epoch", currentEpoch: 5n }]);
  // A new entry for A continues its seq line.
  const next = await store.commitBatch({
    sends: [{ sendKey: id(), parts: [[{ mailboxId: currentA, sealed: id() }]], expiresAt: T + DAY }],
    acks: [],
  });
  assert.equal(next.sends[0]?.kind === "stored" && next.sends[0].entries[0]?.seq, a[1]!.seq + 1);
}

const postgresSkip = await postgresSkipReason();

describe("upgrading the shared-envelope queue", () => {
  it("SQLite: seals every pending entry, keeps order, dedupe and epochs, and leaves no old byte in the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bote-legacy-queue-"));
    try {
      const file = join(dir, "bote.sqlite");
      const db = new Database(file);
      db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
      for (const m of sqliteMigrations.filter((x) => x.version <= 4)) {
        db.exec(m.sql);
        db.prepare("INSERT INTO schema_migrations VALUES (?, 0)").run(m.version);
      }
      for (const [sql, params] of rows) db.prepare(sql).run(...params);
      db.close();

      const store = await openSqliteStore(file);
      try {
        await checkUpgrade(store);
      } finally {
        await store.close();
      }
      const check = new Database(file, { readonly: true });
      const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      check.close();
      assert.deepEqual(
        tables.filter((t) => ["queue", "envelopes", "group_epochs"].includes(t.name)),
        [],
      );
      const files = (await readdir(dir)).filter((f) => f.startsWith("bote.sqlite"));
      const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(dir, f)))));
      for (const secret of [payloadOne, payloadTwo, messageOne, messageTwo, groupId]) {
        assert.equal(bytes.includes(secret), false, "an old row's bytes are still in the file");
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL: the same upgrade", { skip: postgresSkip ?? false }, async () => {
    const database = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query("CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)");
        for (const m of postgresMigrations.filter((x) => x.version <= 4)) {
          await client.query(m.sql);
          await client.query("INSERT INTO schema_migrations VALUES ($1, 0)", [m.version]);
        }
        for (const [sql, params] of rows) {
          let n = 0;
          await client.query(
            sql.replace(/\?/g, () => `$${++n}`),
            params,
          );
        }
      } finally {
        await client.end();
      }
      const store = await openPostgresStore(database.url);
      try {
        await checkUpgrade(store);
      } finally {
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
