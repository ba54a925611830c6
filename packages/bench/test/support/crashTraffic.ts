/**
 * Devices for the crash tests, speaking the wire protocol directly: each one
 * sends its share of the messages one after another (the next only after the
 * SendResult of the last, as a person types), retries a send whose outcome
 * it did not learn with the same message id (as the SDK's outbox does), and
 * records what it receives before it acknowledges it (as the SDK stores
 * before it acks). A message is shown once: the receiver dedupes by the
 * message id in the payload, as the SDK dedupes by the content's message id.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { WebSocket } from "ws";
import { create } from "@bufbuild/protobuf";
import {
  AckSchema,
  HelloSchema,
  MAX_ACKS_PER_FRAME,
  PROTOCOL_VERSION,
  SendSchema,
  decodeServerFrame,
  encodeClientFrame,
  unpadPayload,
  type Entry,
  type SendResult,
} from "@bote/protocol";
import type { Identity } from "../../src/relay/ipc.js";

const MESSAGE_ID_BYTES = 16;
const RESULT_TIMEOUT_MS = 5000;
const HELLO_TIMEOUT_MS = 3000;
const RECONNECT_PAUSE_MS = 100;

/** A seeded generator (mulberry32), so that a failing run can be repeated with its printed seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What one device received, as it would show it. */
export class Inbox {
  /** Message id (hex) → the distinct entry ids that carried it. */
  readonly entriesOf = new Map<string, Set<bigint>>();
  /** Per sender, the sequence numbers in the order they were first shown. */
  readonly shownFrom = new Map<number, number[]>();
  /** Message ids (hex) in the order they were first shown. */
  readonly shown: string[] = [];
  /** Entries delivered again (the same entry id), after a lost ack or a reconnect. */
  redelivered = 0;

  take(entries: readonly Entry[]): void {
    for (const entry of entries) {
      const payload = unpadPayload(entry.payload);
      if (payload === undefined || payload.length < MESSAGE_ID_BYTES + 6) throw new Error("unreadable payload");
      const id = Buffer.from(payload.subarray(0, MESSAGE_ID_BYTES)).toString("hex");
      const view = new DataView(payload.buffer, payload.byteOffset + MESSAGE_ID_BYTES, 6);
      const sender = view.getUint16(0);
      const seq = view.getUint32(2);
      let ids = this.entriesOf.get(id);
      if (ids === undefined) {
        ids = new Set();
        this.entriesOf.set(id, ids);
        this.shown.push(id);
        let shown = this.shownFrom.get(sender);
        if (shown === undefined) this.shownFrom.set(sender, (shown = []));
        shown.push(seq);
      } else if (ids.has(entry.entryId)) {
        this.redelivered++;
      }
      ids.add(entry.entryId);
    }
  }
}

/** A message the server acknowledged: the sender got SendResult ok. */
export interface Acknowledged {
  readonly id: string;
  readonly from: number;
  readonly to: number;
  readonly seq: number;
  /** performance.now() when the first attempt was written: the server cannot have stored it earlier. */
  readonly sentAt: number;
  /** performance.now() when the SendResult ok arrived: the server had stored it by then. */
  readonly ackedAt: number;
}

export class CrashDevice {
  readonly inbox = new Inbox();
  /** Send attempts whose outcome the device did not learn (socket gone, no answer). */
  retries = 0;
  /** Sockets opened, the first one included. */
  reconnects = 0;
  private socket: WebSocket | undefined;
  private opening: Promise<WebSocket> | undefined;
  private readonly pending = new Map<number, (result: SendResult | undefined) => void>();
  private requestId = 0;
  private closed = false;

  /** `urls`: the WebSocket URLs to try in turn, the device's own node first (what a load balancer does). */
  constructor(
    readonly index: number,
    readonly identity: Identity,
    private readonly urls: readonly string[],
  ) {}

  /** Opens (or reopens) the authenticated socket, trying the nodes in turn until one says HelloOk. */
  open(): Promise<WebSocket> {
    if (this.socket !== undefined) return Promise.resolve(this.socket);
    this.opening ??= (async () => {
      for (let attempt = 0; ; attempt++) {
        if (this.closed) throw new Error("device closed");
        const socket = await this.tryOpen(this.urls[attempt % this.urls.length]!);
        if (socket !== undefined) return socket;
        await sleep(RECONNECT_PAUSE_MS);
      }
    })().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private tryOpen(url: string): Promise<WebSocket | undefined> {
    return new Promise((resolve) => {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      let settled = false;
      const settle = (socket: WebSocket | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (socket === undefined) ws.terminate();
        resolve(socket);
      };
      const timer = setTimeout(() => settle(undefined), HELLO_TIMEOUT_MS);
      ws.on("error", () => settle(undefined));
      ws.on("open", () =>
        ws.send(
          encodeClientFrame({
            case: "hello",
            value: create(HelloSchema, { protocolVersion: PROTOCOL_VERSION, sessionToken: this.identity.token }),
          }),
        ),
      );
      ws.on("message", (data: Buffer) => {
        const frame = decodeServerFrame(new Uint8Array(data));
        if (!settled) {
          if (frame.case !== "helloOk") return settle(undefined);
          this.socket = ws;
          this.reconnects++;
          return settle(ws);
        }
        this.onFrame(ws, frame);
      });
      ws.on("close", () => {
        settle(undefined);
        if (this.socket !== ws) return;
        this.socket = undefined;
        for (const resolvePending of this.pending.values()) resolvePending(undefined);
        this.pending.clear();
        // Back at once, sending or not: a device that has sent its share still receives.
        if (!this.closed) void this.open().catch(() => undefined);
      });
    });
  }

  private onFrame(ws: WebSocket, frame: ReturnType<typeof decodeServerFrame>): void {
    if (frame.case === "sendResult") {
      this.pending.get(frame.value.requestId)?.(frame.value);
      this.pending.delete(frame.value.requestId);
    } else if (frame.case === "deliver" && frame.value.entries.length > 0) {
      // Recorded first, acknowledged after: an ack lost in a crash means a redelivery, never a loss.
      this.inbox.take(frame.value.entries);
      const ids = frame.value.entries.map((e) => e.entryId);
      for (let i = 0; i < ids.length; i += MAX_ACKS_PER_FRAME) {
        ws.send(
          encodeClientFrame({
            case: "ack",
            value: create(AckSchema, { entryIds: ids.slice(i, i + MAX_ACKS_PER_FRAME) }),
          }),
        );
      }
    }
  }

  /** Sends until the server acknowledges; resolves with the message id (hex). */
  async send(to: CrashDevice, seq: number): Promise<Acknowledged> {
    const messageId = new Uint8Array(randomBytes(MESSAGE_ID_BYTES));
    const payload = new Uint8Array(MESSAGE_ID_BYTES + 6 + 40);
    payload.set(messageId);
    const view = new DataView(payload.buffer, MESSAGE_ID_BYTES, 6);
    view.setUint16(0, this.index);
    view.setUint32(2, seq);
    let sentAt: number | undefined;
    for (;;) {
      const ws = await this.open();
      const requestId = ++this.requestId;
      const result = new Promise<SendResult | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), RESULT_TIMEOUT_MS);
        this.pending.set(requestId, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      });
      const value = create(SendSchema, {
        requestId,
        messageId,
        recipients: [{ mailboxId: to.identity.mailboxId, capability: to.identity.capability }],
        payload,
      });
      sentAt ??= performance.now();
      try {
        ws.send(encodeClientFrame({ case: "send", value }));
      } catch {
        // The socket died between open and send: the close handler answers the pending send.
      }
      const answer = await result;
      this.pending.delete(requestId);
      if (answer !== undefined && answer.errorCode === "") {
        const id = Buffer.from(messageId).toString("hex");
        return { id, from: this.index, to: to.index, seq, sentAt, ackedAt: performance.now() };
      }
      if (answer !== undefined && answer.errorCode !== "unavailable") {
        throw new Error(`device ${this.index}: send refused with ${answer.errorCode}`);
      }
      // Outcome unknown (or the node is shutting down): the same message id again, on whatever node answers.
      this.retries++;
      if (answer === undefined && this.socket === ws) ws.terminate();
      await sleep(RECONNECT_PAUSE_MS);
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.terminate();
  }
}

/** What went wrong, per rule; every list must be empty. */
export interface Findings {
  /** Acknowledged but never delivered. */
  lost: string[];
  /** Stored more than once: one message id under two entry ids. */
  storedTwice: string[];
  /** A sender's messages shown out of the order they were acknowledged in. */
  reordered: string[];
  /**
   * Two messages to one mailbox, the second sent only after the first was acknowledged (by any sender, on
   * any node), shown the other way round: the mailbox's order is the order in which the server stored.
   */
  mailboxOrder: string[];
}

export function check(devices: readonly CrashDevice[], acknowledged: readonly Acknowledged[]): Findings {
  const findings: Findings = { lost: [], storedTwice: [], reordered: [], mailboxOrder: [] };
  const byId = new Map(acknowledged.map((a) => [a.id, a]));
  for (const a of acknowledged) {
    const ids = devices[a.to]!.inbox.entriesOf.get(a.id);
    if (ids === undefined) findings.lost.push(`${a.from}→${a.to} #${a.seq}`);
    else if (ids.size > 1) findings.storedTwice.push(`${a.from}→${a.to} #${a.seq}: entries ${[...ids].join(", ")}`);
  }
  for (const d of devices) {
    for (const [sender, seqs] of d.inbox.shownFrom) {
      for (let i = 1; i < seqs.length; i++) {
        if (seqs[i]! < seqs[i - 1]!) findings.reordered.push(`${sender}→${d.index}: #${seqs[i]} after #${seqs[i - 1]}`);
      }
    }
    // Shown before this one: the message written last. If it was written after this one was acknowledged,
    // the server stored it later and yet pushed it first.
    let latest: Acknowledged | undefined;
    for (const id of d.inbox.shown) {
      const a = byId.get(id);
      if (a === undefined) continue;
      if (latest !== undefined && latest.sentAt > a.ackedAt) {
        findings.mailboxOrder.push(
          `device ${d.index}: ${a.from}#${a.seq} (acknowledged ${(latest.sentAt - a.ackedAt).toFixed(0)} ms ` +
            `before ${latest.from}#${latest.seq} was sent) shown after it`,
        );
      }
      if (latest === undefined || a.sentAt > latest.sentAt) latest = a;
    }
  }
  return findings;
}

/** Whether every acknowledged message reached its device. */
export function allArrived(devices: readonly CrashDevice[], acknowledged: readonly Acknowledged[]): boolean {
  return acknowledged.every((a) => devices[a.to]!.inbox.entriesOf.has(a.id));
}
