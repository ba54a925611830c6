/**
 * Migration 5's second half: the rows of the old queue, where recipients of
 * one send shared an envelope, become sealed entries of their own. It needs
 * the secrets file, so it runs when the server starts, not in SQL.
 */
import type Database from "better-sqlite3";
import type { LegacyQueueKeys } from "../ServerStore.js";
import { randomEntryId } from "../bytes.js";

interface LegacyRow {
  mailbox_id: Buffer;
  device_id: Buffer;
  payload: Buffer;
  expires_at: number;
}

/** Runs inside the caller's write transaction; the caller vacuums afterwards. Returns the entries sealed. */
export function upgradeLegacyQueue(db: Database.Database, keys: LegacyQueueKeys, now: number): number {
  const legacy = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'queue'").get();
  if (legacy === undefined) return 0;
  const rows = db
    .prepare<[number], LegacyRow>(
      `SELECT q.mailbox_id, m.device_id, e.payload, q.expires_at
         FROM queue q JOIN envelopes e ON e.id = q.envelope_id JOIN mailboxes m ON m.id = q.mailbox_id
        WHERE e.payload IS NOT NULL AND q.expires_at > ? ORDER BY q.id`,
    )
    .all(now);
  const insert = db.prepare<[number, Buffer, number, Uint8Array, number]>(
    "INSERT INTO entries (id, mailbox_id, seq, sealed, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
  );
  // Old ids were one line for all mailboxes; a device's entries keep their order on its own seq line.
  const seqOfDevice = new Map<string, number>();
  const lineEnd = db.prepare<[Buffer], { seq: number }>("SELECT max(seq) AS seq FROM mailboxes WHERE device_id = ?");
  for (const row of rows) {
    const device = row.device_id.toString("hex");
    const seq = (seqOfDevice.get(device) ?? lineEnd.get(row.device_id)?.seq ?? 0) + 1;
    seqOfDevice.set(device, seq);
    const sealed = keys.sealEntry(row.mailbox_id, row.payload);
    while (insert.run(randomEntryId(), row.mailbox_id, seq, sealed, row.expires_at).changes === 0);
  }
  const setSeq = db.prepare<[number, Buffer]>("UPDATE mailboxes SET seq = ? WHERE device_id = ?");
  for (const [device, seq] of seqOfDevice) setSeq.run(seq, Buffer.from(device, "hex"));

  const addSend = db.prepare<[Uint8Array, number]>(
    "INSERT INTO sends (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
  );
  const envelopes = db
    .prepare<[number], { message_id: Buffer; expires_at: number }>(
      "SELECT message_id, max(expires_at) AS expires_at FROM envelopes WHERE expires_at > ? GROUP BY message_id",
    )
    .all(now);
  for (const e of envelopes) addSend.run(keys.sendKey(e.message_id), e.expires_at);

  const addGuard = db.prepare<[Uint8Array, bigint]>("INSERT INTO group_guards (group_key, epoch) VALUES (?, ?)");
  const epochs = db
    .prepare<[], { group_id: Buffer; epoch: bigint }>("SELECT group_id, epoch FROM group_epochs")
    .safeIntegers(true)
    .all();
  for (const g of epochs) addGuard.run(keys.groupKey(g.group_id), g.epoch);

  db.exec("DROP TABLE queue; DROP TABLE envelopes; DROP TABLE group_epochs;");
  return rows.length;
}
