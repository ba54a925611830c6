/**
 * The relay's hot path on PostgreSQL: all sends and acks of one tick in one
 * transaction, with a handful of multi-row statements per batch. Several
 * nodes run it at once, so every decision is made by the database (unique
 * constraint, conditional upsert, row locks), never by what a node read
 * earlier, and no statement fails on a normal conflict: one failure would
 * abort the other senders' messages of the batch.
 */
import type pg from "pg";
import type { AckOp, Bytes, RelayBatch, RelayBatchResult, SendOp, SendOutcome, StoredEntry } from "../ServerStore.js";
import { isStorableEpoch, toHex } from "../bytes.js";

// Locking the recipients' mailboxes, sorted, does three things: it checks
// that they exist and are not retired; it keeps rotation and deletion out
// until commit; and it makes entry ids of one mailbox commit in id order
// across nodes, so a reader's "after entry id" cursor never skips an entry
// that a slower transaction committed later with a smaller id.
const LOCK_MAILBOXES = `SELECT id FROM mailboxes WHERE id = ANY($1::bytea[]) AND NOT retired
  ORDER BY id FOR NO KEY UPDATE`;
const INSERT_ENVELOPES = `INSERT INTO envelopes (message_id, part, payload, pending, expires_at)
  SELECT * FROM unnest($1::bytea[], $2::smallint[], $3::bytea[], $4::integer[], $5::bigint[])
  ON CONFLICT (message_id, part) DO NOTHING RETURNING id, message_id, part`;
const ADVANCE_EPOCH = `INSERT INTO group_epochs (group_id, epoch) VALUES ($1, $2)
  ON CONFLICT (group_id) DO UPDATE SET epoch = excluded.epoch WHERE group_epochs.epoch = $3`;
const CURRENT_EPOCH = "SELECT epoch FROM group_epochs WHERE group_id = $1";
const DELETE_ENVELOPES = "DELETE FROM envelopes WHERE id = ANY($1::bigint[])";
const INSERT_ENTRIES = `INSERT INTO queue (mailbox_id, envelope_id, expires_at)
  SELECT mailbox_id, envelope_id, expires_at
    FROM unnest($1::bytea[], $2::bigint[], $3::bigint[]) WITH ORDINALITY AS r(mailbox_id, envelope_id, expires_at, ord)
   ORDER BY ord
  RETURNING id, mailbox_id, envelope_id`;
const DELETE_ENTRIES = `DELETE FROM queue q USING unnest($1::bigint[], $2::integer[]) AS a(entry_id, op)
  WHERE q.id = a.entry_id
    AND EXISTS (SELECT 1 FROM unnest($3::integer[], $4::bytea[]) AS m(op, mailbox_id)
                 WHERE m.op = a.op AND m.mailbox_id = q.mailbox_id)
  RETURNING a.op, q.envelope_id`;
const LOCK_ENVELOPES = "SELECT id FROM envelopes WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE";
// The last acknowledgement drops the payload; the row stays until dedupeUntil to catch resends.
const RELEASE_ENVELOPES = `UPDATE envelopes e SET pending = greatest(e.pending - u.n, 0),
    payload = CASE WHEN e.pending - u.n <= 0 THEN NULL ELSE e.payload END,
    expires_at = CASE WHEN e.pending - u.n <= 0 THEN least(e.expires_at, u.until) ELSE e.expires_at END
  FROM unnest($1::bigint[], $2::integer[], $3::bigint[]) AS u(id, n, until) WHERE e.id = u.id`;

/** One send after its envelopes were inserted: the ids per part, or why nothing was stored. */
type Claim = { envelopeIds: string[] } | { outcome: SendOutcome };

export async function commitBatch(client: pg.PoolClient, batch: RelayBatch): Promise<RelayBatchResult> {
  const live = await lockMailboxes(client, batch.sends);
  const pending = batch.sends.map((send) =>
    send.parts.map((p) => p.mailboxIds.filter((m) => live.has(toHex(m))).length),
  );
  const claims = needsOrder(batch.sends)
    ? await claimInOrder(client, batch.sends, pending)
    : await claimAtOnce(client, batch.sends, pending);
  // Parts that reach nobody must not keep their payload around.
  const unreached = claims.flatMap((claim, i) =>
    "envelopeIds" in claim ? claim.envelopeIds.filter((_, part) => pending[i]?.[part] === 0) : [],
  );
  if (unreached.length > 0) await client.query(DELETE_ENVELOPES, [unreached]);
  const sends = await queueEntries(client, batch.sends, claims, live);
  const acked = await deleteEntries(client, batch.acks);
  return { sends, acked };
}

async function lockMailboxes(client: pg.PoolClient, sends: SendOp[]): Promise<Set<string>> {
  const wanted = new Map<string, Bytes>();
  for (const send of sends) for (const part of send.parts) for (const m of part.mailboxIds) wanted.set(toHex(m), m);
  if (wanted.size === 0) return new Set();
  const result = await client.query<{ id: Buffer }>({
    name: "bote_lock_mailboxes",
    text: LOCK_MAILBOXES,
    values: [[...wanted.values()]],
  });
  return new Set(result.rows.map((row) => row.id.toString("hex")));
}

/** A commit, or a message id repeated within the batch, must see the effect of the sends before it. */
function needsOrder(sends: SendOp[]): boolean {
  const seen = new Set<string>();
  for (const send of sends) {
    const key = toHex(send.messageId);
    if (send.commit !== undefined || seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

function envelopeRows(sends: SendOp[], pending: number[][]) {
  const columns = {
    messageIds: [] as Bytes[],
    parts: [] as number[],
    payloads: [] as Bytes[],
    pending: [] as number[],
    expiry: [] as number[],
  };
  sends.forEach((send, i) =>
    send.parts.forEach((part, p) => {
      columns.messageIds.push(send.messageId);
      columns.parts.push(p);
      columns.payloads.push(part.payload);
      columns.pending.push(pending[i]?.[p] ?? 0);
      columns.expiry.push(send.expiresAt);
    }),
  );
  return [columns.messageIds, columns.parts, columns.payloads, columns.pending, columns.expiry];
}

async function insertEnvelopes(client: pg.PoolClient, sends: SendOp[], pending: number[][]) {
  const result = await client.query<{ id: string; message_id: Buffer; part: number }>({
    name: "bote_insert_envelopes",
    text: INSERT_ENVELOPES,
    values: envelopeRows(sends, pending),
  });
  return new Map(result.rows.map((row) => [`${row.message_id.toString("hex")}/${row.part}`, row.id]));
}

/** Splits inserted envelopes per send: a send that lost any part to an existing row is a duplicate. */
function claim(send: SendOp, inserted: Map<string, string>, undo: string[]): Claim {
  const key = toHex(send.messageId);
  const ids = send.parts.map((_, part) => inserted.get(`${key}/${part}`));
  if (ids.every((id) => id !== undefined)) return { envelopeIds: ids };
  undo.push(...ids.filter((id) => id !== undefined));
  return { outcome: { kind: "duplicate" } };
}

async function claimAtOnce(client: pg.PoolClient, sends: SendOp[], pending: number[][]): Promise<Claim[]> {
  const inserted = await insertEnvelopes(client, sends, pending);
  const undo: string[] = [];
  const claims = sends.map((send) => claim(send, inserted, undo));
  if (undo.length > 0) await client.query(DELETE_ENVELOPES, [undo]);
  return claims;
}

async function claimInOrder(client: pg.PoolClient, sends: SendOp[], pending: number[][]): Promise<Claim[]> {
  const claims: Claim[] = [];
  for (const [i, send] of sends.entries()) {
    const undo: string[] = [];
    // The envelope insert comes first so that a resent commit reads as a
    // duplicate even though its epoch has moved on.
    let result = claim(send, await insertEnvelopes(client, [send], [pending[i] ?? []]), undo);
    if ("envelopeIds" in result && send.commit !== undefined) {
      const stale = await advanceEpoch(client, send.commit.groupId, send.commit.epoch);
      if (stale !== undefined) {
        undo.push(...result.envelopeIds);
        result = { outcome: { kind: "stale_epoch", currentEpoch: stale } };
      }
    }
    if (undo.length > 0) await client.query(DELETE_ENVELOPES, [undo]);
    claims.push(result);
  }
  return claims;
}

/** Undefined when the epoch advanced; otherwise the stored epoch that beat it. */
async function advanceEpoch(client: pg.PoolClient, groupId: Bytes, epoch: bigint): Promise<bigint | undefined> {
  if (isStorableEpoch(epoch)) {
    // A racing commit holds the row until it ends; then the WHERE sees its epoch and nothing changes.
    const result = await client.query(ADVANCE_EPOCH, [groupId, (epoch + 1n).toString(), epoch.toString()]);
    if (result.rowCount === 1) return undefined;
  }
  const current = await client.query<{ epoch: string }>(CURRENT_EPOCH, [groupId]);
  return BigInt(current.rows[0]?.epoch ?? 0);
}

async function queueEntries(
  client: pg.PoolClient,
  sends: SendOp[],
  claims: Claim[],
  live: Set<string>,
): Promise<SendOutcome[]> {
  const mailboxIds: Bytes[] = [];
  const envelopeIds: string[] = [];
  const expiry: number[] = [];
  claims.forEach((claim, i) => {
    if (!("envelopeIds" in claim)) return;
    const send = sends[i] as SendOp;
    send.parts.forEach((part, p) => {
      for (const m of part.mailboxIds) {
        if (!live.has(toHex(m))) continue;
        mailboxIds.push(m);
        envelopeIds.push(claim.envelopeIds[p] as string);
        expiry.push(send.expiresAt);
      }
    });
  });
  const ids = new Map<string, string[]>();
  if (mailboxIds.length > 0) {
    const result = await client.query<{ id: string; mailbox_id: Buffer; envelope_id: string }>({
      name: "bote_insert_entries",
      text: INSERT_ENTRIES,
      values: [mailboxIds, envelopeIds, expiry],
    });
    for (const row of result.rows) {
      const key = `${row.envelope_id}/${row.mailbox_id.toString("hex")}`;
      ids.set(key, [...(ids.get(key) ?? []), row.id]);
    }
    // Rows of one key are interchangeable except for their order.
    for (const list of ids.values()) list.sort((a, b) => Number(a) - Number(b));
  }
  return claims.map((claim, i) => {
    if (!("envelopeIds" in claim)) return claim.outcome;
    const entries: StoredEntry[] = [];
    const gone: { part: number; index: number }[] = [];
    (sends[i] as SendOp).parts.forEach((part, p) =>
      part.mailboxIds.forEach((mailboxId, index) => {
        const entryId = ids.get(`${claim.envelopeIds[p]}/${toHex(mailboxId)}`)?.shift();
        if (entryId === undefined) gone.push({ part: p, index });
        else entries.push({ part: p, index, mailboxId, entryId: Number(entryId) });
      }),
    );
    return { kind: "stored", entries, gone };
  });
}

async function deleteEntries(client: pg.PoolClient, acks: AckOp[]): Promise<number[]> {
  const entryIds: number[] = [];
  const entryOps: number[] = [];
  const mailboxOps: number[] = [];
  const mailboxIds: Bytes[] = [];
  acks.forEach((ack, op) => {
    // An id that is not a safe integer matches no entry, and binding it would abort the batch.
    for (const id of ack.entryIds) {
      if (!Number.isSafeInteger(id) || id <= 0) continue;
      entryIds.push(id);
      entryOps.push(op);
    }
    for (const m of ack.mailboxIds) {
      mailboxOps.push(op);
      mailboxIds.push(m);
    }
  });
  const acked = acks.map(() => 0);
  if (entryIds.length === 0 || mailboxIds.length === 0) return acked;
  const deleted = await client.query<{ op: number; envelope_id: string }>({
    name: "bote_delete_entries",
    text: DELETE_ENTRIES,
    values: [entryIds, entryOps, mailboxOps, mailboxIds],
  });
  const released = new Map<string, { n: number; until: number }>();
  for (const row of deleted.rows) {
    acked[row.op] = (acked[row.op] ?? 0) + 1;
    const until = (acks[row.op] as AckOp).dedupeUntil;
    const r = released.get(row.envelope_id) ?? { n: 0, until };
    released.set(row.envelope_id, { n: r.n + 1, until: Math.max(r.until, until) });
  }
  if (released.size === 0) return acked;
  const ids = [...released.keys()];
  await client.query({ name: "bote_lock_envelopes", text: LOCK_ENVELOPES, values: [ids] });
  await client.query({
    name: "bote_release_envelopes",
    text: RELEASE_ENVELOPES,
    values: [ids, ids.map((id) => released.get(id)?.n ?? 0), ids.map((id) => released.get(id)?.until ?? 0)],
  });
  return acked;
}
