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
import { isStorableEpoch, randomEntryId, toHex } from "../bytes.js";
import { ATTEMPTS, isRetryable } from "./transaction.js";

// Locking the recipients' mailboxes, sorted, does three things: it checks
// that they exist and are not retired; it keeps rotation and deletion out
// until commit; and it makes the seq positions of one mailbox commit in seq
// order across nodes, so a reader's "after seq" cursor never skips an entry
// that a slower transaction committed later with a smaller seq.
const LOCK_MAILBOXES = `SELECT id FROM mailboxes WHERE id = ANY($1::bytea[]) AND NOT retired
  ORDER BY id FOR NO KEY UPDATE`;
const INSERT_SENDS = `INSERT INTO sends (key, expires_at) SELECT * FROM unnest($1::bytea[], $2::bigint[])
  ON CONFLICT (key) DO NOTHING RETURNING key`;
const DELETE_SENDS = "DELETE FROM sends WHERE key = ANY($1::bytea[])";
const ADVANCE_EPOCH = `INSERT INTO group_guards (group_key, epoch) VALUES ($1, $2)
  ON CONFLICT (group_key) DO UPDATE SET epoch = excluded.epoch WHERE group_guards.epoch = $3`;
const CURRENT_EPOCH = "SELECT epoch FROM group_guards WHERE group_key = $1";
const TAKE_SEQS = `UPDATE mailboxes m SET seq = m.seq + u.n FROM unnest($1::bytea[], $2::bigint[]) AS u(id, n)
  WHERE m.id = u.id RETURNING m.id, m.seq`;
const INSERT_ENTRIES = `INSERT INTO entries (id, mailbox_id, seq, sealed, expires_at)
  SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[], $5::bigint[])
  ON CONFLICT (id) DO NOTHING RETURNING id`;
const DELETE_ENTRIES = `DELETE FROM entries e USING unnest($1::bigint[], $2::integer[]) AS a(entry_id, op)
  WHERE e.id = a.entry_id
    AND EXISTS (SELECT 1 FROM unnest($3::integer[], $4::bytea[]) AS m(op, mailbox_id)
                 WHERE m.op = a.op AND m.mailbox_id = e.mailbox_id)
  RETURNING a.op`;

/**
 * A batch without commits and without a send key twice (nearly every one) in
 * one call of bote_commit_sends (migration 9): the same decisions as
 * commitBatch in one round trip, with the mailbox locks held only at its end.
 * Undefined for a batch that needs commitBatch's order.
 */
export async function commitSends(pool: pg.Pool, batch: RelayBatch): Promise<RelayBatchResult | undefined> {
  if (needsOrder(batch.sends)) return undefined;
  // Entry n (1-based in SQL) is recipient index of part of send.
  const where: { send: number; part: number; index: number }[] = [];
  const entrySend: number[] = [];
  const entryMailbox: Bytes[] = [];
  const entrySealed: Bytes[] = [];
  batch.sends.forEach((send, i) =>
    send.parts.forEach((part, p) =>
      part.forEach(({ mailboxId, sealed }, index) => {
        where.push({ send: i, part: p, index });
        entrySend.push(i + 1);
        entryMailbox.push(mailboxId);
        entrySealed.push(sealed);
      }),
    ),
  );
  const acks = ackArrays(batch.acks);
  for (let attempt = 1; ; attempt++) {
    const entryIds = where.map(() => randomEntryId());
    let rows: { kind: number; at: number; n: string }[];
    try {
      rows = (
        await pool.query<{ kind: number; at: number; n: string }>({
          name: "bote_commit_sends",
          text: "SELECT kind, at, n FROM bote_commit_sends($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
          values: [
            binaryArray(
              "bytea",
              batch.sends.map((s) => s.sendKey),
            ),
            binaryArray(
              "int8",
              batch.sends.map((s) => s.expiresAt),
            ),
            binaryArray("int4", entrySend),
            binaryArray("bytea", entryMailbox),
            binaryArray("bytea", entrySealed),
            binaryArray("int8", entryIds),
            binaryArray("int8", acks.entryIds),
            binaryArray("int4", acks.entryOps),
            binaryArray("int4", acks.mailboxOps),
            binaryArray("bytea", acks.mailboxIds),
          ],
        })
      ).rows;
    } catch (error) {
      // A taken entry id or a broken deadlock: nothing was kept, so the whole call runs again.
      if (attempt < ATTEMPTS && (isRetryable(error) || (error as { code?: string }).code === ENTRY_ID_TAKEN)) continue;
      throw error;
    }
    const duplicate = new Set<number>();
    const seqs = new Map<number, number>();
    const acked = batch.acks.map(() => 0);
    for (const row of rows) {
      if (row.kind === 1) duplicate.add(row.at - 1);
      else if (row.kind === 2) seqs.set(row.at - 1, Number(row.n));
      else acked[row.at] = Number(row.n);
    }
    const sends = batch.sends.map((_, i): SendOutcome =>
      duplicate.has(i) ? { kind: "duplicate" } : { kind: "stored", entries: [], gone: [] },
    );
    where.forEach(({ send, part, index }, n) => {
      const outcome = sends[send]!;
      if (outcome.kind !== "stored") return;
      const seq = seqs.get(n);
      if (seq === undefined) outcome.gone.push({ part, index });
      else outcome.entries.push({ part, index, mailboxId: entryMailbox[n]!, entryId: entryIds[n]!, seq });
    });
    return { sends, acked };
  }
}

/** What bote_commit_sends raises, all rolled back, when a drawn entry id is taken (migration 9). */
const ENTRY_ID_TAKEN = "BT001";

const ELEMENT_OID = { bytea: 17, int4: 23, int8: 20 } as const;

/**
 * A one-dimensional PostgreSQL array in its binary form (array_send's),
 * which node-postgres binds as a binary parameter because it is a Buffer.
 * In text form PostgreSQL parsed a batch's bytea arrays hex digit by hex
 * digit: array_in was its busiest function (perf, bench:cluster). Numbers
 * are safe integers (int8) or 32-bit (int4).
 */
export function binaryArray(type: keyof typeof ELEMENT_OID, values: readonly (Bytes | number)[]): Buffer {
  const width = type === "int4" ? 4 : 8;
  let size = values.length === 0 ? 12 : 20;
  for (const v of values) size += 4 + (typeof v === "number" ? width : v.length);
  const out = Buffer.allocUnsafe(size);
  let at = out.writeInt32BE(values.length === 0 ? 0 : 1, 0);
  at = out.writeInt32BE(0, at); // no NULLs
  at = out.writeInt32BE(ELEMENT_OID[type], at);
  if (values.length > 0) {
    at = out.writeInt32BE(values.length, at);
    at = out.writeInt32BE(1, at); // lower bound
  }
  for (const v of values) {
    if (typeof v !== "number") {
      at = out.writeInt32BE(v.length, at);
      out.set(v, at);
      at += v.length;
    } else if (type === "int4") {
      at = out.writeInt32BE(4, at);
      at = out.writeInt32BE(v, at);
    } else {
      at = out.writeInt32BE(8, at);
      at = out.writeInt32BE(Math.floor(v / 0x1_0000_0000), at);
      at = out.writeUInt32BE(v >>> 0, at);
    }
  }
  return out;
}

export async function commitBatch(client: pg.PoolClient, batch: RelayBatch): Promise<RelayBatchResult> {
  const live = await lockMailboxes(client, batch.sends);
  const claimed = needsOrder(batch.sends)
    ? await claimInOrder(client, batch.sends)
    : await claimAtOnce(client, batch.sends);
  const sends = await queueEntries(client, batch.sends, claimed, live);
  // A send that reached nobody keeps no key, as if it had not been made.
  const unreached = batch.sends.filter((_, i) => claimed[i] === undefined && reachedNobody(sends[i]));
  if (unreached.length > 0) await client.query(DELETE_SENDS, [unreached.map((s) => s.sendKey)]);
  const acked = await deleteEntries(client, batch.acks);
  return { sends, acked };
}

function reachedNobody(outcome: SendOutcome | undefined): boolean {
  return outcome?.kind === "stored" && outcome.entries.length === 0;
}

async function lockMailboxes(client: pg.PoolClient, sends: SendOp[]): Promise<Set<string>> {
  const wanted = new Map<string, Bytes>();
  for (const send of sends)
    for (const part of send.parts) for (const e of part) wanted.set(toHex(e.mailboxId), e.mailboxId);
  if (wanted.size === 0) return new Set();
  const result = await client.query<{ id: Buffer }>({
    name: "bote_lock_mailboxes",
    text: LOCK_MAILBOXES,
    values: [[...wanted.values()]],
  });
  return new Set(result.rows.map((row) => row.id.toString("hex")));
}

/** A commit, or a send key repeated within the batch, must see the effect of the sends before it. */
function needsOrder(sends: SendOp[]): boolean {
  const seen = new Set<string>();
  for (const send of sends) {
    const key = toHex(send.sendKey);
    if (send.commit !== undefined || seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** For each send: undefined when it may store its entries, else the outcome that stops it. */
type Claims = (SendOutcome | undefined)[];

async function insertSends(client: pg.PoolClient, sends: SendOp[]): Promise<Set<string>> {
  const result = await client.query<{ key: Buffer }>({
    name: "bote_insert_sends",
    text: INSERT_SENDS,
    values: [sends.map((s) => s.sendKey), sends.map((s) => s.expiresAt)],
  });
  return new Set(result.rows.map((row) => row.key.toString("hex")));
}

async function claimAtOnce(client: pg.PoolClient, sends: SendOp[]): Promise<Claims> {
  if (sends.length === 0) return [];
  const inserted = await insertSends(client, sends);
  return sends.map((send) => (inserted.has(toHex(send.sendKey)) ? undefined : { kind: "duplicate" }));
}

async function claimInOrder(client: pg.PoolClient, sends: SendOp[]): Promise<Claims> {
  const claims: Claims = [];
  for (const send of sends) {
    // The key comes first so that a resent commit reads as a duplicate even though its epoch has moved on.
    if ((await insertSends(client, [send])).size === 0) {
      claims.push({ kind: "duplicate" });
      continue;
    }
    const stale = send.commit && (await advanceEpoch(client, send.commit.groupKey, send.commit.epoch));
    if (stale !== undefined) await client.query(DELETE_SENDS, [[send.sendKey]]);
    claims.push(stale === undefined ? undefined : { kind: "stale_epoch", currentEpoch: stale });
  }
  return claims;
}

/** Undefined when the epoch advanced; otherwise the stored epoch that beat it. */
async function advanceEpoch(client: pg.PoolClient, groupKey: Bytes, epoch: bigint): Promise<bigint | undefined> {
  if (isStorableEpoch(epoch)) {
    // A racing commit holds the row until it ends; then the WHERE sees its epoch and nothing changes.
    const result = await client.query(ADVANCE_EPOCH, [groupKey, (epoch + 1n).toString(), epoch.toString()]);
    if (result.rowCount === 1) return undefined;
  }
  const current = await client.query<{ epoch: string }>(CURRENT_EPOCH, [groupKey]);
  return BigInt(current.rows[0]?.epoch ?? 0);
}

/** Takes each live mailbox's next positions in one statement, then inserts every entry in one more. */
async function queueEntries(
  client: pg.PoolClient,
  sends: SendOp[],
  claims: Claims,
  live: Set<string>,
): Promise<SendOutcome[]> {
  const counts = new Map<string, { id: Bytes; n: number }>();
  sends.forEach((send, i) => {
    if (claims[i] !== undefined) return;
    for (const part of send.parts)
      for (const e of part) {
        const key = toHex(e.mailboxId);
        if (!live.has(key)) continue;
        const c = counts.get(key) ?? { id: e.mailboxId, n: 0 };
        c.n += 1;
        counts.set(key, c);
      }
  });
  // The next seq per mailbox: the first of the positions just taken.
  const next = new Map<string, number>();
  if (counts.size > 0) {
    const list = [...counts.values()];
    const taken = await client.query<{ id: Buffer; seq: string }>({
      name: "bote_take_seqs",
      text: TAKE_SEQS,
      values: [list.map((c) => c.id), list.map((c) => c.n)],
    });
    for (const row of taken.rows) {
      const key = row.id.toString("hex");
      next.set(key, Number(row.seq) - (counts.get(key)?.n ?? 0) + 1);
    }
  }
  const rows = {
    ids: [] as number[],
    mailboxIds: [] as Bytes[],
    seqs: [] as number[],
    sealed: [] as Bytes[],
    expiry: [] as number[],
  };
  const outcomes = sends.map((send, i): SendOutcome => {
    const claim = claims[i];
    if (claim !== undefined) return claim;
    const entries: StoredEntry[] = [];
    const gone: { part: number; index: number }[] = [];
    send.parts.forEach((part, p) =>
      part.forEach(({ mailboxId, sealed }, index) => {
        const key = toHex(mailboxId);
        const seq = next.get(key);
        if (seq === undefined) return void gone.push({ part: p, index });
        next.set(key, seq + 1);
        const entryId = randomEntryId();
        entries.push({ part: p, index, mailboxId, entryId, seq });
        rows.ids.push(entryId);
        rows.mailboxIds.push(mailboxId);
        rows.seqs.push(seq);
        rows.sealed.push(sealed);
        rows.expiry.push(send.expiresAt);
      }),
    );
    return { kind: "stored", entries, gone };
  });
  await insertEntries(client, rows, outcomes);
  return outcomes;
}

interface EntryRows {
  ids: number[];
  mailboxIds: Bytes[];
  seqs: number[];
  sealed: Bytes[];
  expiry: number[];
}

/** Inserts the rows; the rare id that clashes with a stored one is drawn again, in the outcomes too. */
async function insertEntries(client: pg.PoolClient, rows: EntryRows, outcomes: SendOutcome[]): Promise<void> {
  let pending = rows;
  while (pending.ids.length > 0) {
    const result = await client.query<{ id: string }>({
      name: "bote_insert_entries",
      text: INSERT_ENTRIES,
      values: [pending.ids, pending.mailboxIds, pending.seqs, pending.sealed, pending.expiry],
    });
    if (result.rows.length === pending.ids.length) return;
    const stored = new Set(result.rows.map((row) => Number(row.id)));
    const again: EntryRows = { ids: [], mailboxIds: [], seqs: [], sealed: [], expiry: [] };
    pending.ids.forEach((id, i) => {
      if (stored.has(id)) return;
      const fresh = randomEntryId();
      for (const o of outcomes)
        if (o.kind === "stored") for (const e of o.entries) if (e.entryId === id) e.entryId = fresh;
      again.ids.push(fresh);
      again.mailboxIds.push(pending.mailboxIds[i]!);
      again.seqs.push(pending.seqs[i]!);
      again.sealed.push(pending.sealed[i]!);
      again.expiry.push(pending.expiry[i]!);
    });
    pending = again;
  }
}

function ackArrays(acks: AckOp[]) {
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
  return { entryIds, entryOps, mailboxOps, mailboxIds };
}

async function deleteEntries(client: pg.PoolClient, acks: AckOp[]): Promise<number[]> {
  const { entryIds, entryOps, mailboxOps, mailboxIds } = ackArrays(acks);
  const acked = acks.map(() => 0);
  if (entryIds.length === 0 || mailboxIds.length === 0) return acked;
  const deleted = await client.query<{ op: number }>({
    name: "bote_delete_entries",
    text: DELETE_ENTRIES,
    values: [entryIds, entryOps, mailboxOps, mailboxIds],
  });
  for (const row of deleted.rows) acked[row.op] = (acked[row.op] ?? 0) + 1;
  return acked;
}
