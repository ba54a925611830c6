/**
 * The sealed send path and the write batcher. `send` is a function of
 * recipients and payload only: it has no parameter through which a session
 * or connection could reach it, so nothing it stores or logs can name a
 * sender. Sends and acks of one event-loop tick share one transaction;
 * where the store allows, the next batch is handed over while one commits.
 */
import { padPayload, type ErrorCode, type HotSend } from "@bote/protocol";
import {
  type AckOp,
  type Bytes,
  type OpenSendOp,
  type RelayBatchResult,
  type SealingCommitter,
  type SendOp,
  type SendOutcome,
  type ServerStore,
} from "../store/ServerStore.js";
import type { ServerSecrets } from "../secrets/ServerSecrets.js";
import type { AtRestKeys } from "../secrets/AtRestKeys.js";
import { mailboxKey, type Bus } from "./Bus.js";
import { hex } from "../crypto.js";
import { ceilToHour } from "../time.js";
import type { Metrics } from "../metrics/Metrics.js";

export interface SendReply {
  errorCode: ErrorCode | undefined;
  /** Per-recipient rejections; index counts part 0's recipients first, then the Welcome's. */
  rejected: { index: number; code: ErrorCode }[];
  duplicate: boolean;
  currentEpoch: bigint;
}

export interface RelayOptions {
  envelopeTtlMs: number;
  maxBatchRows: number;
  now: () => number;
  /** Told of every stored entry after its wake is published (Web Push for devices without a socket). */
  onStored?: (key: string, mailboxId: Bytes) => void;
  metrics?: Metrics;
}

/**
 * Told once how a queued send or ack ended: with its result once durable,
 * or with the store's error. A callback, not a Promise: at saturation the
 * Promises and async frames per message were a fifth of what the event loop
 * allocated (docs/BENCHMARKS.md).
 */
export type Settled<T> = (error: unknown, result?: T) => void;

interface PendingSend {
  /** Open (entries not yet sealed) when the store seals on its writer thread. */
  op: SendOp | OpenSendOp;
  /** The padded payload of each part, pushed live to this node's sockets. */
  payloads: Uint8Array[];
  /** For each part, the original recipient index of every mailbox kept after the capability check. */
  kept: number[][];
  rejected: readonly { index: number; code: ErrorCode }[];
  rows: number;
  settled: Settled<SendReply>;
}

interface PendingAck {
  op: AckOp;
  settled: Settled<number>;
}

export class Relay {
  private sends: PendingSend[] = [];
  private acks: PendingAck[] = [];
  private scheduled = false;
  /** Batches handed to the store and not yet settled. */
  private committing = 0;
  private closed = false;
  private idle: (() => void) | undefined;
  /** Set where the store seals entries off the event loop: the relay then hands it open sends. */
  private readonly sealing: SealingCommitter | undefined;

  constructor(
    private readonly store: ServerStore,
    private readonly secrets: ServerSecrets,
    private readonly atRest: AtRestKeys,
    private readonly bus: Bus,
    private readonly options: RelayOptions,
  ) {
    this.sealing = store.sealingCommitter?.(secrets);
  }

  /** Checks every capability, then queues the send for the next batch; resolves once it is durable. */
  send(send: HotSend): Promise<SendReply> {
    return promised((settled) => this.queueSend(send, settled));
  }

  /** As send, told through a callback: the socket's hot path. */
  queueSend(send: HotSend, settled: Settled<SendReply>): void {
    if (this.closed) return settled(undefined, reply("unavailable"));
    const parts = send.welcome === undefined ? [send] : [send, send.welcome];
    // Loops and arrays of their final size: this runs once per message, and its garbage was a
    // seventh of what the event loop allocated at 5,000 msg/s.
    let rejected: { index: number; code: ErrorCode }[] | undefined;
    const kept = new Array<number[]>(parts.length);
    const mailboxIdsPerPart = new Array<Bytes[]>(parts.length);
    let offset = 0;
    let rows = 0;
    for (let p = 0; p < parts.length; p++) {
      const recipients = parts[p]!.recipients;
      const keptHere = new Array<number>(recipients.length);
      const ids = new Array<Bytes>(recipients.length);
      let k = 0;
      for (let i = 0; i < recipients.length; i++) {
        const r = recipients[i]!;
        if (this.secrets.checkCapability(r.mailboxId, r.capability)) {
          keptHere[k] = offset + i;
          ids[k++] = r.mailboxId;
        } else {
          (rejected ??= []).push({ index: offset + i, code: "capability_invalid" });
        }
      }
      keptHere.length = k;
      ids.length = k;
      offset += recipients.length;
      rows += k;
      kept[p] = keptHere;
      mailboxIdsPerPart[p] = ids;
    }
    // A commit is all or nothing: a group epoch must not be spent on a send that reaches only some members.
    if (rows === 0 || (send.commit !== undefined && rejected !== undefined)) {
      return settled(undefined, reply("capability_invalid", rejected));
    }
    const expiresAt = ceilToHour(this.options.now() + this.options.envelopeTtlMs);
    const payloads = parts.map((part) => padPayload(part.payload, pooled));
    const sendKey = this.atRest.sendKey(send.messageId);
    // Sealed per recipient (here or on the store's writer thread): the stored entries of one send share no bytes.
    const op: SendOp | OpenSendOp =
      this.sealing !== undefined
        ? { sendKey, parts: payloads.map((payload, p) => ({ payload, mailboxIds: mailboxIdsPerPart[p]! })), expiresAt }
        : {
            sendKey,
            parts: payloads.map((payload, p) =>
              mailboxIdsPerPart[p]!.map((mailboxId) => ({
                mailboxId,
                sealed: this.atRest.sealEntry(mailboxId, payload),
              })),
            ),
            expiresAt,
          };
    if (send.commit !== undefined) {
      op.commit = { groupKey: this.atRest.groupKey(send.commit.groupId), epoch: send.commit.epoch };
    }
    this.sends.push({ op, payloads, kept, rejected: rejected ?? NONE_REJECTED, rows, settled });
    this.schedule();
  }

  /** Deletes acknowledged entries of the given mailboxes; resolves with how many were deleted. */
  ack(mailboxIds: Bytes[], entryIds: number[]): Promise<number> {
    return promised((settled) => this.queueAck(mailboxIds, entryIds, settled));
  }

  /** As ack, told through a callback. */
  queueAck(mailboxIds: Bytes[], entryIds: number[], settled: Settled<number>): void {
    this.acks.push({ op: { mailboxIds, entryIds }, settled });
    this.schedule();
  }

  /** Stops taking sends and waits until everything queued is committed. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.committing === 0 && this.sends.length === 0 && this.acks.length === 0) return;
    await new Promise<void>((resolve) => (this.idle = resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.committing >= this.store.batchesInFlight) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.committing += 1;
    const sends = this.takeSends();
    const acks = this.acks.splice(0, this.acks.length);
    const ops = sends.map((s) => s.op);
    const ackOps = acks.map((a) => a.op);
    const commitTimer = this.options.metrics?.commitStarted();
    let result: RelayBatchResult;
    try {
      // queueSend made every op open exactly when this.sealing is set.
      result = await (this.sealing !== undefined
        ? this.sealing.commit({ sends: ops as OpenSendOp[], acks: ackOps })
        : this.store.commitBatch({ sends: ops as SendOp[], acks: ackOps }));
    } catch (error) {
      for (const s of sends) s.settled(error);
      for (const a of acks) a.settled(error);
      return this.committed();
    }
    try {
      commitTimer?.();
      this.options.metrics?.acked(result.acked.reduce((sum, n) => sum + n, 0));
      result.acked.forEach((n, i) => acks[i]!.settled(undefined, n));
      result.sends.forEach((outcome, i) => sends[i]!.settled(undefined, this.settle(sends[i]!, outcome)));
    } finally {
      this.committed();
    }
  }

  private committed(): void {
    this.committing -= 1;
    if (this.sends.length > 0 || this.acks.length > 0) this.schedule();
    else if (this.committing === 0) this.idle?.();
  }

  /** Sends up to the row cap; a single oversized send still goes alone. */
  private takeSends(): PendingSend[] {
    let rows = 0;
    let n = 0;
    while (n < this.sends.length && (n === 0 || rows + this.sends[n]!.rows <= this.options.maxBatchRows)) {
      rows += this.sends[n]!.rows;
      n++;
    }
    return this.sends.splice(0, n);
  }

  private settle(pending: PendingSend, outcome: SendOutcome): SendReply {
    switch (outcome.kind) {
      case "duplicate":
        return { ...reply(undefined), duplicate: true };
      case "stale_epoch":
        return { ...reply("stale_epoch"), currentEpoch: outcome.currentEpoch };
      case "stored": {
        const rejected = [...pending.rejected];
        if (outcome.gone.length > 0) {
          for (const g of outcome.gone) rejected.push({ index: pending.kept[g.part]![g.index]!, code: "mailbox_gone" });
          rejected.sort((a, b) => a.index - b.index);
        }
        for (const e of outcome.entries) {
          const payload = pending.payloads[e.part]!;
          const key = mailboxKey(hex(e.mailboxId));
          this.bus.publish(key, {
            kind: "entry",
            entry: { entryId: e.entryId, mailboxId: e.mailboxId, seq: e.seq, payload },
          });
          this.options.onStored?.(key, e.mailboxId);
        }
        const errorCode = outcome.entries.length === 0 ? "mailbox_gone" : undefined;
        return reply(errorCode, rejected);
      }
    }
  }
}

function promised<T>(start: (settled: Settled<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    start((error, result) =>
      result === undefined ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    ),
  );
}

const NONE_REJECTED: readonly { index: number; code: ErrorCode }[] = [];

/**
 * A padded payload cut from Node's shared pool: an ArrayBuffer of its own
 * per message made the young collections sweep one more each.
 */
const pooled = (length: number): Uint8Array => Buffer.allocUnsafe(length);

/** A reply that stored nothing for anyone (or, with no code, the base of a success). */
export function reply(errorCode: ErrorCode | undefined, rejected: SendReply["rejected"] = []): SendReply {
  return { errorCode, rejected, duplicate: false, currentEpoch: 0n };
}
