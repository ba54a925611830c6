/**
 * The distributed bus: several stateless nodes share one PostgreSQL database
 * and wake each other through NATS core subjects. PostgreSQL stays the
 * source of truth, and a lost wake only delays a push until the socket's next
 * store read (see CatchUp, told of every drop and return of the connection).
 * Subscribers on the publishing node get the full event directly.
 *
 * Entry wakes of one event-loop tick leave a node as one message on the
 * installation's entry subject, which every node reads: per entry its
 * mailbox, seq and id, and for a small entry its payload, which lets the
 * receiving node push it without a store read. The whole batch is sealed
 * once (AES-256-GCM under a key of the sending node's, derived from the
 * secrets file the nodes share and its id): whoever watches NATS sees when a node stored something and how
 * much, not for which mailbox, and a node opens one batch instead of an
 * entry at a time.
 *
 * The notices (a key package count, a revocation, an ended session's tag,
 * a log position) go one per message, sealed the same way and bound to
 * their device or organisation, on a subject named by a keyed hash of it
 * (see noticeSubject).
 */
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { createHmac } from "node:crypto";
import { missingCase } from "@bote/protocol";
import type { ServerSecrets } from "../secrets/ServerSecrets.js";
import type { QueuedEntry } from "../store/ServerStore.js";
import { LocalBus, isMailboxKey, mailboxKey, type Bus, type BusEvent, type WakeHandler } from "./Bus.js";
import { NodeSeal, SEAL_BYTES, installationKey, nodeSealSecret } from "./NodeSeal.js";

const KEY_PACKAGES_LOW = 2;
const REVOKED = 3;
const ORGANISATION_CHANGED = 4;
const SESSION_ENDED = 5;
/** A notice: its kind, then 8 bytes (a count and flag, the first 8 bytes of a session tag, or a log seq). */
const NOTICE_BYTES = 9;
const SUBJECT_KEY_LABEL = "bote nats notice subjects v1";
/** Bytes of the keyed hash that name a notice subject: 128 bits, no collisions among an installation's keys. */
const SUBJECT_HASH_BYTES = 16;
/** Entries up to this size travel whole; a larger one is read from the store by the receiving node. */
export const CARRIED_ENTRY_MAX_BYTES = 4096;
/** A batch leaves early once it holds this much, well below NATS's default max_payload (1 MiB). */
const BATCH_MAX_BYTES = 256 * 1024;
/** Per entry: mailbox id length (1), seq (8), entry id (8), payload length (4, 0 when not carried). */
const ENTRY_HEAD_BYTES = 21;

export class NatsBus implements Bus {
  private readonly local = new LocalBus();
  private readonly remote = new Map<string, Subscription>();
  private readonly watchers = new Set<(connected: boolean) => void>();
  private isConnected = true;
  /** Entry wakes of this tick, encoded, waiting for the batch to leave. */
  private batch: Uint8Array[] = [];
  private batchBytes = 0;
  private batchScheduled = false;
  private readonly entrySubject: string;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    /** Also lets a node skip its own wakes: it has already handed the full event to its subscribers. */
    private readonly seal: NodeSeal,
    private readonly subjectKey: Buffer,
  ) {
    this.entrySubject = `${prefix}.entries`;
    // Subscribed before any socket: a store read that starts later misses no entry whose wake was sent.
    nc.subscribe(this.entrySubject, {
      callback: (error, message) => {
        if (error === null) this.receiveBatch(message.data);
      },
    });
    // The status stream ends when the connection closes; it has nothing else to report.
    this.watchStatus().catch(() => undefined);
  }

  /** prefix separates installations (and test runs) on one NATS server; every node shares the secrets file. */
  static async connect(url: string, prefix: string, secrets: ServerSecrets): Promise<NatsBus> {
    // noEcho: a node has handed its own events to its subscribers already.
    const nc = await connect({ servers: url, name: "bote-server", maxReconnectAttempts: -1, noEcho: true });
    return new NatsBus(nc, prefix, new NodeSeal(nodeSealSecret(secrets)), installationKey(secrets, SUBJECT_KEY_LABEL));
  }

  private async watchStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === "disconnect") this.setConnected(false);
      if (status.type === "reconnect") {
        // The client has sent its subscriptions again; once the server answers a ping it holds them,
        // so a store read that starts after this misses no entry whose wake would have been lost.
        const flushed = await this.nc.flush().then(
          () => true,
          () => false,
        );
        if (flushed && !this.nc.isClosed()) this.setConnected(true);
      }
    }
  }

  private setConnected(connected: boolean): void {
    if (this.isConnected === connected) return;
    this.isConnected = connected;
    for (const watcher of this.watchers) watcher(connected);
  }

  onConnectionChange(handler: (connected: boolean) => void): () => void {
    this.watchers.add(handler);
    return () => this.watchers.delete(handler);
  }

  connected(): boolean {
    return this.isConnected;
  }

  /** A round trip to the NATS server: while it reconnects, this waits (and the caller's timeout decides). */
  async probe(): Promise<boolean> {
    if (this.nc.isClosed()) return false;
    await this.nc.flush();
    return true;
  }

  publish(key: string, event: BusEvent): void {
    this.local.publish(key, event);
    if (event.kind === "entry") return this.addToBatch(event);
    // Every kind has the same length, so the sealed notice shows none.
    const notice = new Uint8Array(NOTICE_BYTES);
    const view = new DataView(notice.buffer);
    switch (event.kind) {
      case "keyPackagesLow":
        notice[0] = KEY_PACKAGES_LOW;
        // The flag rides above the count's 32 bits (a stock is at most MAX_KEY_PACKAGES_PER_DEVICE).
        view.setBigUint64(1, BigInt(event.remaining) | (event.lastResortHandedOut ? 1n << 32n : 0n));
        break;
      case "revoked":
        notice[0] = REVOKED;
        break;
      case "sessionEnded":
        notice[0] = SESSION_ENDED;
        notice.set(Buffer.from(event.session, "hex").subarray(0, 8), 1);
        break;
      case "organisationChanged":
        notice[0] = ORGANISATION_CHANGED;
        view.setBigUint64(1, BigInt(event.seq));
        break;
      case "wake":
        return;
      default:
        return missingCase(event);
    }
    this.send(this.noticeSubject(key), this.seal.seal([notice], NOTICE_BYTES, Buffer.from(key)));
  }

  /**
   * A device's or organisation's notices go on a subject of its own, named
   * by a keyed hash of its bus key: every node of the installation derives
   * the same name from the secrets file, and NATS sees a stable name it
   * cannot map to a device or organisation. One subject per key rather
   * than one for all keeps NATS's interest-based routing: a node receives,
   * and opens, only the notices of the devices and organisations its
   * sockets listen for, not every notice of the installation.
   */
  private noticeSubject(key: string): string {
    const hash = createHmac("sha256", this.subjectKey).update(key).digest();
    return `${this.prefix}.n.${hash.toString("hex", 0, SUBJECT_HASH_BYTES)}`;
  }

  private send(subject: string, message: Uint8Array): void {
    try {
      this.nc.publish(subject, message);
    } catch {
      // Only a closed connection throws here: the entry is stored, and the catch-up reads it.
    }
  }

  private addToBatch(event: Extract<BusEvent, { kind: "entry" }>): void {
    const record = encodeBatchEntry(event.entry);
    this.batch.push(record);
    this.batchBytes += record.length;
    if (this.batchBytes >= BATCH_MAX_BYTES) return this.sendBatch();
    if (this.batchScheduled) return;
    this.batchScheduled = true;
    // Every entry of a committed relay batch is published in one turn: they leave together.
    setImmediate(() => this.sendBatch());
  }

  private sendBatch(): void {
    this.batchScheduled = false;
    if (this.batch.length === 0) return;
    const message = this.seal.seal(this.batch, this.batchBytes);
    this.batch = [];
    this.batchBytes = 0;
    this.send(this.entrySubject, message);
  }

  /** Hands each entry of another node's batch to the sockets of this node that listen for its mailbox. */
  private receiveBatch(data: Uint8Array): void {
    // A batch that does not open (another installation's key, altered, cut) is dropped whole: the sockets' catch-up reads it.
    const buffer = this.seal.open(data);
    if (buffer === undefined) return;
    for (let at = 0; at < buffer.length;) {
      const entry = readBatchEntry(buffer, at);
      if (entry === undefined) return;
      at = entry.end;
      const key = mailboxKey(buffer.toString("hex", entry.idAt, entry.idAt + entry.idLength));
      if (!this.local.listening(key)) continue;
      const seq = entry.seq;
      if (entry.payloadLength === 0) {
        this.local.publish(key, { kind: "wake", seq });
        continue;
      }
      const mailboxId = buffer.subarray(entry.idAt, entry.idAt + entry.idLength);
      const payload = buffer.subarray(entry.end - entry.payloadLength, entry.end);
      this.local.publish(key, { kind: "wake", seq, entry: { entryId: entry.entryId, mailboxId, seq, payload } });
    }
  }

  subscribe(key: string, handler: WakeHandler): () => void {
    const unsubscribeLocal = this.local.subscribe(key, handler);
    // A mailbox's wakes come in the batches on the entry subject, which every node reads.
    if (!isMailboxKey(key) && !this.remote.has(key)) {
      const subscription = this.nc.subscribe(this.noticeSubject(key), {
        callback: (error, message) => {
          if (error !== null) return;
          const event = this.openNotice(key, message.data);
          if (event !== undefined) this.local.publish(key, event);
        },
      });
      this.remote.set(key, subscription);
    }
    return () => {
      unsubscribeLocal();
      if (!this.local.listening(key)) {
        this.remote.get(key)?.unsubscribe();
        this.remote.delete(key);
      }
    };
  }

  listening(key: string): boolean {
    return this.local.listening(key);
  }

  /** Another node's notice for the key, or undefined when it is not one: a stranger's, altered, or meant for another key. */
  private openNotice(key: string, data: Uint8Array): BusEvent | undefined {
    if (data.length !== SEAL_BYTES + NOTICE_BYTES) return undefined;
    const notice = this.seal.open(data, Buffer.from(key));
    if (notice === undefined) return undefined;
    const value = Number(notice.readBigUInt64BE(1));
    switch (notice[0] ?? 0) {
      case KEY_PACKAGES_LOW:
        return { kind: "keyPackagesLow", remaining: value % 2 ** 32, lastResortHandedOut: value >= 2 ** 32 };
      case REVOKED:
        return { kind: "revoked" };
      case ORGANISATION_CHANGED:
        return { kind: "organisationChanged", seq: value };
      case SESSION_ENDED:
        return { kind: "sessionEnded", session: notice.toString("hex", 1) };
      default:
        return undefined;
    }
  }

  async close(): Promise<void> {
    this.sendBatch();
    await this.local.close();
    this.remote.clear();
    this.watchers.clear();
    if (this.nc.isClosed()) return;
    await this.nc.drain();
  }
}

/**
 * One entry of a batch: mailbox id length and id, seq, entry id, then the
 * length of its payload and the payload (length 0: read from the store).
 */
export function encodeBatchEntry(entry: QueuedEntry): Buffer {
  const { mailboxId, payload } = entry;
  const carried = payload.length > 0 && payload.length <= CARRIED_ENTRY_MAX_BYTES ? payload : undefined;
  const record = Buffer.allocUnsafe(ENTRY_HEAD_BYTES + mailboxId.length + (carried?.length ?? 0));
  record[0] = mailboxId.length;
  record.set(mailboxId, 1);
  let at = 1 + mailboxId.length;
  at = record.writeDoubleBE(entry.seq, at);
  at = record.writeDoubleBE(entry.entryId, at);
  at = record.writeUInt32BE(carried?.length ?? 0, at);
  if (carried !== undefined) record.set(carried, at);
  return record;
}

/** Where the next entry of a batch lies, or undefined if the bytes do not hold a whole one. */
function readBatchEntry(
  buffer: Buffer,
  at: number,
): { idAt: number; idLength: number; seq: number; entryId: number; payloadLength: number; end: number } | undefined {
  const idLength = buffer[at];
  if (idLength === undefined || at + ENTRY_HEAD_BYTES + idLength > buffer.length) return undefined;
  const idAt = at + 1;
  const seq = buffer.readDoubleBE(idAt + idLength);
  const entryId = buffer.readDoubleBE(idAt + idLength + 8);
  const payloadLength = buffer.readUInt32BE(idAt + idLength + 16);
  const end = at + ENTRY_HEAD_BYTES + idLength + payloadLength;
  if (end > buffer.length || !Number.isSafeInteger(seq) || !Number.isSafeInteger(entryId)) return undefined;
  return { idAt, idLength, seq, entryId, payloadLength, end };
}
