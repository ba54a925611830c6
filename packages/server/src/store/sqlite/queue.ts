/**
 * The relay's writes to the sealed queue: the statements and the one
 * transaction per batch. Shared by the store's own connection (a database in
 * memory) and the relay writer's thread (a file), so both commit alike.
 */
import type Database from "better-sqlite3";
import type { Bytes, RelayBatch, RelayBatchResult, SendOp, SendOutcome, StoredEntry } from "../ServerStore.js";
import { isStorableEpoch, randomEntryId } from "../bytes.js";
import { mailboxSlots, oneOfSlots, type Slots, type Statement } from "./statements.js";

/** How long after the last relay write its WAL frames may remain. */
const CHECKPOINT_DELAY_MS = 1000;
/** How long WAL frames may remain while writes never pause for CHECKPOINT_DELAY_MS. */
const CHECKPOINT_MAX_DELAY_MS = 5000;

/**
 * The settings every connection to the file needs: synchronous, foreign
 * keys, secure_delete and the cache are per connection, not per file.
 */
export function configureConnection(db: Database.Database, synchronous: "full" | "normal"): void {
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("foreign_keys = ON");
  db.pragma("busy_timeout = 5000");
  // Checkpoints run inside a commit and sync twice; at the default (1,000
  // pages) they took a third of the relay's time. 4,000 pages (16 MB)
  // measured ~20% more messages/s; the size limit gives the disk back
  // after a burst.
  db.pragma("wal_autocheckpoint = 4000");
  // Deleted rows are overwritten with zeros, not left in free space; the
  // WAL is truncated to nothing soon after writes (WalTruncation).
  db.pragma("secure_delete = ON");
  db.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  // The dedupe and mailbox indexes take random inserts: keep their pages
  // in memory (64 MB cache) and read the file through mmap, because each
  // read() costs several microseconds on a virtual machine.
  db.pragma("cache_size = -65536");
  db.pragma(`mmap_size = ${256 * 1024 * 1024}`);
}

export function prepareQueueStatements(db: Database.Database) {
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
  return {
    // No RETURNING where changes will do: it materialises its rows, which costs more.
    insertSend: prepare<[Bytes, number]>(
      "INSERT INTO sends (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
    ),
    deleteSend: prepare<[Bytes]>("DELETE FROM sends WHERE key = ?"),
    advanceEpoch: prepare<[Bytes, bigint, bigint]>(
      `INSERT INTO group_guards (group_key, epoch) VALUES (?, ?)
       ON CONFLICT (group_key) DO UPDATE SET epoch = excluded.epoch WHERE group_guards.epoch = ?`,
    ),
    currentEpoch: prepare<[Bytes], { epoch: bigint }>(
      "SELECT epoch FROM group_guards WHERE group_key = ?",
    ).safeIntegers(true),
    // Checks existence and retirement in the same statement that takes the position.
    nextSeq: prepare<[Bytes], { seq: number }>(
      "UPDATE mailboxes SET seq = seq + 1 WHERE id = ? AND NOT retired RETURNING seq",
    ),
    insertEntry: prepare<[number, Bytes, number, Bytes, number]>(
      `INSERT INTO entries (id, mailbox_id, seq, sealed, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ),
    // OR, not IN: for an IN list SQLite builds a temporary index on every run, which doubled the cost of an ack.
    deleteEntry: prepare<[number, ...Slots]>(`DELETE FROM entries WHERE id = ? AND (${oneOfSlots})`),
  };
}

export type QueueStatements = ReturnType<typeof prepareQueueStatements>;

/** All sends and acks of a batch; the caller wraps it in one write transaction. */
export function commitRelayBatch(q: QueueStatements, batch: RelayBatch): RelayBatchResult {
  const unreached: Bytes[] = [];
  const sends = batch.sends.map((send) => storeSend(q, send, unreached));
  // Deleted only now, so that a resend later in the batch still reads as a duplicate.
  for (const key of unreached) q.deleteSend.run(key);
  const acked = batch.acks.map((op) => {
    const groups = mailboxSlots(op.mailboxIds);
    let deleted = 0;
    for (const entryId of op.entryIds) {
      // An entry lives in exactly one mailbox, so at most one group matches.
      for (const group of groups) {
        if (q.deleteEntry.run(entryId, ...group).changes === 0) continue;
        deleted += 1;
        break;
      }
    }
    return deleted;
  });
  return { sends, acked };
}

/** Stores one send; a send that reaches no one leaves its key for the caller to delete. */
function storeSend(q: QueueStatements, send: SendOp, unreached: Bytes[]): SendOutcome {
  // The key comes first so that a resent commit reads as a duplicate even though its epoch has moved on.
  if (q.insertSend.run(send.sendKey, send.expiresAt).changes === 0) return { kind: "duplicate" };
  if (send.commit !== undefined) {
    const { groupKey, epoch } = send.commit;
    const advanced = isStorableEpoch(epoch) && q.advanceEpoch.run(groupKey, epoch + 1n, epoch).changes === 1;
    if (!advanced) {
      q.deleteSend.run(send.sendKey);
      return { kind: "stale_epoch", currentEpoch: q.currentEpoch.get(groupKey)?.epoch ?? 0n };
    }
  }
  const entries: StoredEntry[] = [];
  const gone: { part: number; index: number }[] = [];
  send.parts.forEach((recipients, part) =>
    recipients.forEach(({ mailboxId, sealed }, index) => {
      const position = q.nextSeq.get(mailboxId);
      if (position === undefined) return void gone.push({ part, index });
      let entryId = randomEntryId();
      // A clash of two random 53-bit ids is rare, not impossible.
      while (q.insertEntry.run(entryId, mailboxId, position.seq, sealed, send.expiresAt).changes === 0) {
        entryId = randomEntryId();
      }
      entries.push({ part, index, mailboxId, entryId, seq: position.seq });
    }),
  );
  if (entries.length === 0) unreached.push(send.sendKey);
  return { kind: "stored", entries, gone };
}

/**
 * A commit's frames stay in the WAL until a checkpoint copies them into
 * the database, and there they would show which entries one batch wrote.
 * So the WAL is checkpointed and truncated to nothing a second after the
 * last relay write, and at the latest CHECKPOINT_MAX_DELAY_MS after the
 * first one since the last truncation; secure_delete has already zeroed
 * what the database itself deleted. Under steady load the WAL is reused
 * in between (automatic checkpoints), which is cheaper than regrowing it.
 */
export class WalTruncation {
  private timer: NodeJS.Timeout | undefined;
  /** When the WAL must be truncated at the latest, while writes keep coming. */
  private due: number | undefined;

  constructor(private readonly db: Database.Database) {}

  /** After a write. */
  schedule(): void {
    if (!this.db.open) return;
    const now = Date.now();
    this.due ??= now + CHECKPOINT_MAX_DELAY_MS;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.now(), Math.min(CHECKPOINT_DELAY_MS, this.due - now));
    this.timer.unref();
  }

  /** Truncates now if it can; a busy file (another connection reads or writes) waits for the next write. */
  now(): void {
    this.stop();
    if (!this.db.open) return;
    try {
      this.db.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      // Busy: the next write schedules another try.
    }
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.due = undefined;
  }
}
