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
import type { Identity, LoadSpec } from "./ipc.js";

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

/** What a client tells the generator about, besides the phase's counters. */
export interface ClientObserver {
  fault(text: string): void;
  onClientClosed(): void;
}

export class Client implements ServerFrameHandler {
  private ws: WebSocket | undefined;
  inFlight = 0;
  private requestId = 0;
  private ready: { resolve: () => void; reject: (e: Error) => void } | undefined;
  private readonly acks: number[] = [];
  private phase: Phase | undefined;
  closed = false;

  constructor(
    readonly index: number,
    private readonly wsUrl: string,
    private readonly identity: Identity,
    private readonly gen: ClientObserver,
  ) {}

  /** Connects and says Hello; resolves on HelloOk. */
  open(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => this.settle(new Error(`client ${this.index}: no HelloOk within ${CONNECT_TIMEOUT_MS} ms`)),
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
      const ws = new WebSocket(this.wsUrl, {
        perMessageDeflate: false,
        maxPayload: MAX_FRAME_BYTES,
        skipUTF8Validation: true,
        // An all-zero mask lets ws skip masking; the server reads the same bytes either way.
        generateMask: zeroMask,
        handshakeTimeout: CONNECT_TIMEOUT_MS,
      });
      this.ws = ws;
      ws.on("open", () => {
        ws.send(
          encodeClientFrame({
            case: "hello",
            value: { $typeName: "bote.v1.Hello", protocolVersion: PROTOCOL_VERSION, sessionToken: this.identity.token },
          }),
        );
      });
      ws.on("message", (data: Buffer) => {
        try {
          decodeServerFrameFast(data, this);
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

  /** Settles open(): with an error, or successfully when `error` is undefined. */
  private settle(error: Error | undefined): void {
    const ready = this.ready;
    this.ready = undefined;
    if (error === undefined) ready?.resolve();
    else ready?.reject(error);
  }

  setPhase(phase: Phase | undefined): void {
    this.phase = phase;
    this.inFlight = 0;
  }

  send(recipientField: Buffer, recipient: number, messageIds: Buffer, idOffset: number, payload: Buffer): void {
    const phase = this.phase!;
    this.requestId = (this.requestId + 1) >>> 0;
    const { frame, payloadOffset } = encodeSend(this.requestId, messageIds, idOffset, recipientField, payload);
    const now = performance.now();
    frame.writeDoubleLE(now, payloadOffset);
    frame.writeUInt32LE(this.index, payloadOffset + 8);
    frame.writeUInt32LE(recipient, payloadOffset + 12);
    frame.writeUInt32LE(phase.tag, payloadOffset + 16);
    this.ws!.send(frame);
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
  }

  onEntry(entryId: number, frame: Buffer, start: number, end: number): void {
    this.acks.push(entryId);
    const phase = this.phase;
    if (phase === undefined || end - start < STAMP_BYTES || frame.readUInt32LE(start + 16) !== phase.tag) return;
    const now = performance.now();
    phase.deliveredTotal++;
    if (frame.readUInt32LE(start + 12) !== this.index) phase.misrouted++;
    const unpadded = unpadPayload(frame.subarray(start, end));
    if (unpadded?.length !== phase.spec.payloadBytes || end - start !== paddedLength(phase.spec.payloadBytes))
      phase.badPayload++;
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
    for (let from = 0; from < this.acks.length; from += MAX_ACKS_PER_FRAME) {
      this.ws!.send(encodeAck(this.acks, from, Math.min(this.acks.length, from + MAX_ACKS_PER_FRAME)));
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
