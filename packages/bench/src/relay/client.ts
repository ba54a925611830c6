/**
 * One load client: a WebSocket to the relay under test, logged in by Hello.
 * It sends stamped payloads on the generator's command, counts its
 * SendResults, checks and acknowledges every entry it receives at once, and
 * reports all of it into the Phase (load run) that is running.
 */
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import {
  MAX_ACKS_PER_FRAME,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  encodeClientFrame,
  missingCase,
  paddedLength,
  unpadPayload,
  type ServerFrameBody,
} from "@bote/protocol";
import { decodeServerFrameFast, encodeAck, encodeSend, type ServerFrameHandler } from "./wire.js";
import { XmppWire } from "./xmppwire.js";
import { decodeRawServerFrame, encodeRawAck, encodeRawSend, rawUrl } from "./rawwire.js";
import type { Identity, LoadSpec, WireName } from "./ipc.js";

const CONNECT_TIMEOUT_MS = 30_000;
/** Payload layout: send time (float64), sender, recipient, phase tag (uint32 each), then filler. */
export const STAMP_BYTES = 20;

/** State of the phase running now; clients report into it. */
export class Phase {
  readonly tag: number;
  warmupEnd = Infinity;
  windowEnd = Infinity;
  sentWindow = 0;
  sentTotal = 0;
  skippedWindowFull = 0;
  sendOk = 0;
  sendFailed = 0;
  deliveredWindow = 0;
  deliveredTotal = 0;
  misrouted = 0;
  badPayload = 0;
  latencies = new Float64Array(1 << 16);
  latencyCount = 0;
  /** In a closed loop: sends the client's next message as soon as one of its sends has its result. */
  refill: ((client: Client) => void) | undefined;

  constructor(
    readonly spec: LoadSpec,
    tag: number,
  ) {
    this.tag = tag;
  }

  addLatency(ms: number): void {
    if (this.latencyCount === this.latencies.length) {
      const bigger = new Float64Array(this.latencies.length * 2);
      bigger.set(this.latencies);
      this.latencies = bigger;
    }
    this.latencies[this.latencyCount++] = ms;
  }
}

const zeroMask = (): void => undefined;

/** What a wire's decoder calls back: the frames of the load, plus what a multi-step login needs. */
export interface WireHandler extends ServerFrameHandler {
  sendFrame(frame: Uint8Array | string): void;
  /** The login is done; the client may send. */
  onReady(): void;
  fault(text: string): void;
}

/** How a load client speaks to the system under test; the rest of the client is the same for every system. */
export interface ClientWire {
  url(wsUrl: string, index: number): string;
  /** The WebSocket subprotocol, if the system asks for one. */
  readonly protocol?: string;
  /** Where a multi-step login is, for an error message. */
  state?(): string;
  /** The first frame once the socket is open; undefined when the URL says who the client is. */
  hello(identity: Identity | undefined): Uint8Array | string | undefined;
  /** Bote's wire logs in and addresses recipients by identity (Hello, Recipient field); the others by index. */
  readonly needsIdentities: boolean;
  /** One send of `payload` (already stamped); the message id is Bote's alone. */
  encodeSend(
    requestId: number,
    recipient: number,
    recipientField: Buffer | undefined,
    messageIds: Buffer,
    idOffset: number,
    payload: Buffer,
  ): Buffer | string;
  /** A frame that follows every send (XMPP's ack request), if any. */
  readonly afterSend?: string;
  decode(frame: Buffer, handler: WireHandler): void;
  encodeAck(entryIds: readonly number[], from: number, to: number): Buffer | string;
  readonly maxAcksPerFrame: number;
  /** Whether a delivered payload (frame[start..end]) is intact: `bytes` long once the wire's padding is off. */
  payloadIntact(frame: Buffer, start: number, end: number, bytes: number): boolean;
}

const BOTE_WIRE: ClientWire = {
  url: (wsUrl) => wsUrl,
  hello: (identity) =>
    encodeClientFrame({
      case: "hello",
      value: { $typeName: "bote.v1.Hello", protocolVersion: PROTOCOL_VERSION, sessionToken: identity!.token },
    }),
  needsIdentities: true,
  encodeSend: (requestId, _recipient, field, ids, idOffset, payload) =>
    encodeSend(requestId, ids, idOffset, field!, payload).frame,
  decode: decodeServerFrameFast,
  encodeAck,
  maxAcksPerFrame: MAX_ACKS_PER_FRAME,
  payloadIntact: (frame, start, end, bytes) =>
    end - start === paddedLength(bytes) && unpadPayload(frame.subarray(start, end))?.length === bytes,
};

const RAW_WIRE: ClientWire = {
  url: rawUrl,
  hello: () => undefined,
  needsIdentities: false,
  encodeSend: (requestId, recipient, _field, _ids, _idOffset, payload) => encodeRawSend(requestId, recipient, payload),
  decode: decodeRawServerFrame,
  encodeAck: encodeRawAck,
  maxAcksPerFrame: 65_536,
  payloadIntact: (_frame, start, end, bytes) => end - start === bytes,
};

/** The wire of client `index`: Bote's and the raw one are stateless, XMPP's keeps its stream's counters. */
export function wireFor(name: WireName, index: number): ClientWire {
  return name === "bote" ? BOTE_WIRE : name === "raw" ? RAW_WIRE : new XmppWire(index);
}

/** What a client tells the generator about, besides the phase's counters. */
export interface ClientObserver {
  fault(text: string): void;
  onClientClosed(): void;
}

export class Client implements WireHandler {
  private ws: WebSocket | undefined;
  inFlight = 0;
  /** Sends without a result this client keeps in flight at most during the phase. */
  window = 0;
  private requestId = 0;
  private ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly acks: number[] = [];
  private phase: Phase | undefined;
  closed = false;

  constructor(
    readonly index: number,
    private readonly wsUrl: string,
    private readonly identity: Identity | undefined,
    private readonly gen: ClientObserver,
    private readonly wire: ClientWire,
  ) {}

  /** Connects and says Hello; resolves on HelloOk. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.settle(
            new Error(
              `client ${this.index}: not logged in within ${CONNECT_TIMEOUT_MS} ms (socket state ${this.ws?.readyState})${this.wire.state?.() ?? ""}`,
            ),
          ),
        CONNECT_TIMEOUT_MS,
      );
      this.ready = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const ws = new WebSocket(this.wire.url(this.wsUrl, this.index), this.wire.protocol, {
        perMessageDeflate: false,
        maxPayload: MAX_FRAME_BYTES,
        skipUTF8Validation: true,
        // An all-zero mask lets ws skip masking; the server reads the same bytes either way.
        generateMask: zeroMask,
        handshakeTimeout: CONNECT_TIMEOUT_MS,
      });
      this.ws = ws;
      ws.on("open", () => {
        const hello = this.wire.hello(this.identity);
        if (hello === undefined) this.settle(undefined);
        else ws.send(hello);
      });
      ws.on("message", (data: Buffer) => {
        try {
          this.wire.decode(data, this);
        } catch (error) {
          this.gen.fault(`client ${this.index}: ${String(error)}`);
        }
        if (this.acks.length > 0) this.flushAcks();
      });
      ws.on("close", () => {
        this.closed = true;
        this.settle(new Error(`client ${this.index}: closed before HelloOk`));
        this.gen.onClientClosed();
      });
      ws.on("error", (error) => this.settle(new Error(`client ${this.index}: ${error.message}`)));
    });
  }

  sendFrame(frame: Uint8Array | string): void {
    this.ws!.send(frame);
  }

  onReady(): void {
    this.settle(undefined);
  }

  fault(text: string): void {
    this.gen.fault(`client ${this.index}: ${text}`);
    this.settle(new Error(`client ${this.index}: ${text}`));
  }

  /** Settles open(): with an error, or successfully when `error` is undefined. */
  private settle(error: Error | undefined): void {
    const ready = this.ready;
    this.ready = undefined;
    if (error === undefined) ready?.resolve();
    else ready?.reject(error);
  }

  setPhase(phase: Phase | undefined, window = 0): void {
    this.phase = phase;
    this.inFlight = 0;
    this.window = window;
  }

  send(
    recipientField: Buffer | undefined,
    recipient: number,
    messageIds: Buffer,
    idOffset: number,
    payload: Buffer,
  ): void {
    const phase = this.phase!;
    this.requestId = (this.requestId + 1) >>> 0;
    // The generator's one payload buffer is stamped for this send; every wire copies it into the frame.
    const now = performance.now();
    payload.writeDoubleLE(now, 0);
    payload.writeUInt32LE(this.index, 8);
    payload.writeUInt32LE(recipient, 12);
    payload.writeUInt32LE(phase.tag, 16);
    this.ws!.send(this.wire.encodeSend(this.requestId, recipient, recipientField, messageIds, idOffset, payload));
    if (this.wire.afterSend !== undefined) this.ws!.send(this.wire.afterSend);
    this.inFlight++;
    phase.sentTotal++;
    if (now >= phase.warmupEnd && now < phase.windowEnd) phase.sentWindow++;
  }

  onSendResult(_requestId: number, ok: boolean): void {
    const phase = this.phase;
    if (phase === undefined) return;
    this.inFlight--;
    if (ok) phase.sendOk++;
    else phase.sendFailed++;
    phase.refill?.(this);
  }

  onEntry(entryId: number, frame: Buffer, start: number, end: number): void {
    this.acks.push(entryId);
    const phase = this.phase;
    if (phase === undefined || end - start < STAMP_BYTES || frame.readUInt32LE(start + 16) !== phase.tag) return;
    const now = performance.now();
    phase.deliveredTotal++;
    if (frame.readUInt32LE(start + 12) !== this.index) phase.misrouted++;
    if (!this.wire.payloadIntact(frame, start, end, phase.spec.payloadBytes)) phase.badPayload++;
    if (now >= phase.warmupEnd && now < phase.windowEnd) {
      phase.deliveredWindow++;
      phase.addLatency(now - frame.readDoubleLE(start));
    }
  }

  onOther(body: ServerFrameBody): void {
    switch (body.case) {
      case "helloOk":
        return this.settle(
          body.value.receiving ? undefined : new Error(`client ${this.index}: HelloOk without receiving`),
        );
      case "error":
        this.gen.fault(`client ${this.index}: server error ${body.value.code} (fatal ${body.value.fatal})`);
        return this.settle(new Error(`client ${this.index}: server error ${body.value.code}`));
      case "sendResult":
      case "deliver":
        // The fast decoder hands these over only when their framing is off.
        return this.gen.fault(`client ${this.index}: ${body.case} the fast decoder did not take`);
      case "keyPackagesLow":
      case "organisationChanged":
      case "pong":
        return;
      default:
        return missingCase(body);
    }
  }

  private flushAcks(): void {
    const most = this.wire.maxAcksPerFrame;
    for (let from = 0; from < this.acks.length; from += most) {
      this.ws!.send(this.wire.encodeAck(this.acks, from, Math.min(this.acks.length, from + most)));
    }
    this.acks.length = 0;
  }

  close(): void {
    this.closed = true;
    this.ws?.terminate();
  }
}

/** Opens clients `concurrency` at a time; rejects on the first failure. */
export async function openAll(clients: Client[], concurrency: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < clients.length) await clients[next++]!.open();
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
}
