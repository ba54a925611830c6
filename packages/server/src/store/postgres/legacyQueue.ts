/**
 * Migration 5's second half on PostgreSQL: the rows of the old queue, where
 * recipients of one send shared an envelope, become sealed entries of their
 * own. It needs the secrets file, so it runs when a node starts.
 */
import type pg from "pg";
import type { LegacyQueueKeys } from "../ServerStore.js";
import { randomEntryId } from "../bytes.js";

/** Runs inside the caller's transaction; several nodes starting at once take turns on a lock. */
export async function upgradeLegacyQueue(client: pg.PoolClient, keys: LegacyQueueKeys, now: number): Promise<number> {
  await client.query("SELECT pg_advisory_xact_lock(hashtext('bote-legacy-queue'))");
  const legacy = await client.query(
    "SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'queue'",
  );
  if (legacy.rowCount === 0) return 0;
  const rows = await client.query<{ mailbox_id: Buffer; device_id: Buffer; payload: Buffer; expires_at: string }>(
    `SELECT q.mailbox_id, m.device_id, e.payload, q.expires_at
       FROM queue q JOIN envelopes e ON e.id = q.envelope_id JOIN mailboxes m ON m.id = q.mailbox_id
      WHERE e.payload IS NOT NULL AND q.expires_at > $1 ORDER BY q.id`,
    [now],
  );
  // Old ids were one line for all mailboxes; a device's entries keep their order on its own seq line.
  const seqOfDevice = new Map<string, number>();
  for (const row of rows.rows) {
    const device = row.device_id.toString("hex");
    let last = seqOfDevice.get(device);
    if (last === undefined) {
      const end = await client.query<{ seq: string }>("SELECT max(seq) AS seq FROM mailboxes WHERE device_id = $1", [
        row.device_id,
      ]);
      last = Number(end.rows[0]?.seq ?? 0);
    }
    const seq = last + 1;
    seqOfDevice.set(device, seq);
    const sealed = keys.sealEntry(row.mailbox_id, row.payload);
    for (;;) {
      const inserted = await client.query(
        `INSERT INTO entries (id, mailbox_id, seq, sealed, expires_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING`,
        [randomEntryId(), row.mailbox_id, seq, sealed, row.expires_at],
      );
      if (inserted.rowCount === 1) break;
    }
  }
  for (const [device, seq] of seqOfDevice) {
    await client.query("UPDATE mailboxes SET seq = $1 WHERE device_id = $2", [seq, Buffer.from(device, "hex")]);
  }
  const envelopes = await client.query<{ message_id: Buffer; expires_at: string }>(
    "SELECT message_id, max(expires_at) AS expires_at FROM envelopes WHERE expires_at > $1 GROUP BY message_id",
    [now],
  );
  for (const e of envelopes.rows) {
    await client.query("INSERT INTO sends (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
      keys.sendKey(e.message_id),
      e.expires_at,
    ]);
  }
  const epochs = await client.query<{ group_id: Buffer; epoch: string }>("SELECT group_id, epoch FROM group_epochs");
  for (const g of epochs.rows) {
    await client.query("INSERT INTO group_guards (group_key, epoch) VALUES ($1, $2)", [
      keys.groupKey(g.group_id),
      g.epoch,
    ]);
  }
  await client.query("DROP TABLE queue, envelopes, group_epochs");
  return rows.rows.length;
}
