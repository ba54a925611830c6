import { create } from "@bufbuild/protobuf";
import {
  AckSchema,
  decodeServerFrame,
  encodeClientFrame,
  HelloSchema,
  MAX_ACKS_PER_FRAME,
  PingSchema,
  PROTOCOL_VERSION,
  SendSchema,
  type Entry,
  type Send,
  type SendResult,
  type ServerFrameBody,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { OpenSocket, RelaySocket } from "./ports.js";

export type ConnectionState = "connecting" | "open" | "waiting" | "closed";

export interface RelayConnectionOptions {
  /** ws:// or wss:// URL of the server's /v1/ws. */
  readonly url: string;
  readonly openSocket: OpenSocket;
  /** A valid session token; `renew` asks for a fresh one after the server refused the last. */
  readonly sessionToken: (renew: boolean) => Promise<string>;
  /**
   * Processes delivered entries in order. Resolves once what they carried is
   * stored; only then are they acknowledged. A rejection closes the socket
   * without acknowledging, so the entries come again.
   */
  readonly onEntries: (entries: readonly Entry[]) => Promise<void>;
  /** The one-time stock ran low, or the last-resort package was handed out (then it should be replaced). */
  readonly onKeyPackagesLow?: (notice: { lastResortHandedOut: boolean }) => void;
  /** The organisation revoked this device: the connection stops for good instead of reconnecting. */
  readonly onRevoked?: () => void;
  /** The organisation's signed log grew (a revocation, a certificate, a rotation): read it. */
  readonly onOrganisationChanged?: (seq: number) => void;
  readonly onState?: (state: ConnectionState) => void;
  /** Random in [0, 1) for the backoff jitter; injected so tests can pin it. */
  readonly random?: () => number;
  /** The platform's timers unless given; injected so tests can run backoffs and timeouts on a fake clock. */
  readonly timers?: Timers;
  readonly sendTimeoutMs?: number;
  /** How long an open socket may bring nothing before it is asked with a Ping (QUIET_MS); 0 turns the watch off. */
  readonly quietMs?: number;
}

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const platformTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};

const BACKOFF_BASE_MS = 250;
/**
 * Full jitter under this ceiling: a server back from a restart hears from
 * every client within it (issue: a queued text took 18 s after a 4 s
 * restart), while a thousand waiting clients make ~1,000 attempts in 2 s
 * that a down server refuses for nothing.
 */
const BACKOFF_MAX_MS = 2_000;
/**
 * The ceiling while the server says it cannot store (store_unavailable,
 * close 1013, or HTTP 503): a database or disk fault lasts seconds to
 * minutes, and clients hammering a struggling server every 2 s only slow
 * its recovery (issue 14). It grows from STORE_BACKOFF_BASE_MS and falls
 * back once a send succeeds or a connection ends for another reason.
 */
const STORE_BACKOFF_BASE_MS = 1_000;
const STORE_BACKOFF_MAX_MS = 30_000;
const CLOSE_TRY_AGAIN_LATER = 1013;
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_DEVICE_REVOKED = 4403;
/** This client gave the socket up (a send unanswered, or silence): 4000 "send timeout" or "silent". */
const CLOSE_ABANDONED = 4000;
/**
 * A socket that brought nothing for this long is asked with a Ping; one that
 * then stays silent for SILENCE_WAIT_MS more (or leaves a Hello unanswered
 * that long) is taken for dead. After a phone changes networks its old
 * socket can look open for many minutes while neither pushes nor close
 * events arrive (the server's own WebSocket pings are answered by the
 * browser, out of the page's sight).
 */
const QUIET_MS = 25_000;
const SILENCE_WAIT_MS = 10_000;

/**
 * One receiving WebSocket to the relay (docs/PROTOCOL.md §4–5): Hello with
 * the session, sends matched to their SendResult by request id, entries
 * processed one frame after another and acknowledged after processing, and
 * reconnects with exponential backoff and full jitter so a restarted server
 * is not hit by every client at the same moment.
 */
export class RelayConnection {
  private socket: RelaySocket | undefined;
  private state: ConnectionState = "closed";
  private stopped = true;
  private attempt = 0;
  /** Store faults in a row: while above 0, the reconnect waits under the longer ceiling. */
  private storeFaults = 0;
  private opened = false;
  private renewToken = false;
  private nextRequestId = 1;
  private readonly pending = new Map<number, { resolve: (r: SendResult) => void; reject: (e: Error) => void }>();
  private processing: Promise<void> = Promise.resolve();
  private openWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private caughtUpWaiters: (() => void)[] = [];
  private reconnectTimer: unknown;
  /** The current socket's watch for silence (watch). */
  private watchTimer: unknown;
  private heard = 0;
  private nextPing = 1n;
  private readonly timers: Timers;
  /**
   * Counts sockets and stops: events of a socket that is no longer the
   * current one (its close arriving after a stop and a new start) are
   * ignored, so they cannot tear down its successor or open a second one.
   */
  private generation = 0;

  constructor(private readonly options: RelayConnectionOptions) {
    this.timers = options.timers ?? platformTimers;
  }

  get connectionState(): ConnectionState {
    return this.state;
  }

  /** Connects and resolves after HelloOk; later drops reconnect by themselves until `stop`. */
  start(): Promise<void> {
    this.stopped = false;
    if (this.state === "open") return Promise.resolve();
    const opened = new Promise<void>((resolve, reject) => this.openWaiters.push({ resolve, reject }));
    if (this.state === "closed") void this.connect();
    return opened;
  }

  /**
   * Ends a wait between attempts and connects at once, with the backoff
   * reset: the platform said the network is back (the browser's `online`).
   */
  retryNow(): void {
    if (this.stopped || this.state !== "waiting") return;
    this.timers.clearTimeout(this.reconnectTimer);
    this.attempt = 0;
    this.storeFaults = 0;
    void this.connect();
  }

  /**
   * A socket that left a send unanswered, or stayed silent after a Ping, is
   * taken for dead: after a phone changed networks it can look open for
   * minutes while nothing arrives. A new socket sends the outbox again (once
   * per message id at the relay) and gets what waited in the mailbox.
   */
  private abandon(socket: RelaySocket, reason: "send timeout" | "silent"): void {
    // Its late events are not the next socket's.
    this.generation += 1;
    socket.close(CLOSE_ABANDONED, reason);
    this.onClosed(CLOSE_ABANDONED);
  }

  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.timers.clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, "bye");
    this.onClosed(1000);
  }

  /**
   * Resolves when the server has said the backlog is pushed (Deliver with
   * caught_up) and every entry up to it is processed and acknowledged.
   */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => this.caughtUpWaiters.push(resolve));
  }

  /** Resolves once every Deliver received so far is processed and acknowledged. */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.processing) {
      seen = this.processing;
      await seen;
    }
  }

  /** Sends one sealed Send; rejects with ClientError("offline") when no socket is open. */
  send(send: Omit<Send, "requestId" | "$typeName" | "$unknown">): Promise<SendResult> {
    const socket = this.socket;
    if (socket === undefined || this.state !== "open") return Promise.reject(new ClientError("offline"));
    const requestId = this.nextRequestId++;
    const result = new Promise<SendResult>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new ClientError("timeout", "send"));
        if (this.socket === socket) this.abandon(socket, "send timeout");
      }, this.options.sendTimeoutMs ?? 15_000);
      this.pending.set(requestId, {
        resolve: (r) => {
          this.timers.clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          this.timers.clearTimeout(timer);
          reject(e);
        },
      });
    });
    socket.send(encodeClientFrame({ case: "send", value: create(SendSchema, { ...send, requestId }) }));
    return result;
  }

  private async connect(): Promise<void> {
    this.setState("connecting");
    const started = this.generation;
    let token: string;
    try {
      token = await this.options.sessionToken(this.renewToken);
      this.renewToken = false;
    } catch (err) {
      if (started !== this.generation) return;
      if (err instanceof ClientError && (err.code === "store_unavailable" || err.code === "unavailable"))
        this.storeFaults += 1;
      this.failOpenWaiters(err instanceof Error ? err : new ClientError("offline"));
      // Revoked, or a customer's inquiry erased: nothing to reconnect for.
      if (err instanceof ClientError && (err.code === "device_revoked" || err.code === "inquiry_gone")) this.revoked();
      else this.scheduleReconnect();
      return;
    }
    if (this.stopped || started !== this.generation) return;
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.socket = this.options.openSocket(this.options.url, {
      onOpen: () => {
        const socket = this.socket;
        if (!current() || socket === undefined) return;
        socket.send(
          encodeClientFrame({
            case: "hello",
            value: create(HelloSchema, { protocolVersion: PROTOCOL_VERSION, sessionToken: token }),
          }),
        );
        this.watch(socket, "hello");
      },
      onMessage: (data) => {
        if (current()) this.onFrame(data);
      },
      onClose: (code) => {
        if (!current()) return;
        if (code === CLOSE_UNAUTHENTICATED) this.renewToken = true;
        if (code === CLOSE_DEVICE_REVOKED) this.stopped = true;
        this.onClosed(code);
        if (code === CLOSE_DEVICE_REVOKED) this.options.onRevoked?.();
      },
    });
  }

  /**
   * The watch for a silent socket. "hello": no HelloOk within
   * SILENCE_WAIT_MS of the Hello gives it up. "quiet": every QUIET_MS
   * without a frame sends a Ping; "asked": still nothing SILENCE_WAIT_MS
   * later gives it up. `heard` counts frames, so busy sockets pay one timer
   * per interval, not one per frame.
   */
  private watch(socket: RelaySocket, step: "hello" | "quiet" | "asked"): void {
    const quietMs = this.options.quietMs ?? QUIET_MS;
    if (quietMs === 0) return;
    const heardBefore = this.heard;
    this.timers.clearTimeout(this.watchTimer);
    this.watchTimer = this.timers.setTimeout(
      () => {
        if (this.socket !== socket) return;
        if (step === "hello") return this.state === "connecting" ? this.abandon(socket, "silent") : undefined;
        if (this.state !== "open") return;
        if (this.heard !== heardBefore) return this.watch(socket, "quiet");
        if (step === "asked") return this.abandon(socket, "silent");
        socket.send(encodeClientFrame({ case: "ping", value: create(PingSchema, { nonce: this.nextPing++ }) }));
        this.watch(socket, "asked");
      },
      step === "quiet" ? quietMs : SILENCE_WAIT_MS,
    );
  }

  private onFrame(data: Uint8Array): void {
    this.heard += 1;
    let frame: ServerFrameBody;
    try {
      frame = decodeServerFrame(data);
    } catch {
      // A server that speaks garbage gets a fresh connection, not a guess.
      this.socket?.close(4400, "frame_malformed");
      return;
    }
    switch (frame.case) {
      case "helloOk":
        this.attempt = 0;
        this.opened = true;
        this.setState("open");
        if (this.socket !== undefined) this.watch(this.socket, "quiet");
        for (const w of this.openWaiters.splice(0)) w.resolve();
        return;
      case "sendResult":
        if (frame.value.errorCode !== "store_unavailable") this.storeFaults = 0;
        this.pending.get(frame.value.requestId)?.resolve(frame.value);
        this.pending.delete(frame.value.requestId);
        return;
      case "deliver": {
        const { entries, caughtUp } = frame.value;
        this.processing = this.processing.then(() => this.process(entries, caughtUp));
        return;
      }
      case "keyPackagesLow":
        this.options.onKeyPackagesLow?.({ lastResortHandedOut: frame.value.lastResortHandedOut });
        return;
      case "organisationChanged":
        this.options.onOrganisationChanged?.(Number(frame.value.seq));
        return;
      case "error":
        // Fatal errors are followed by the close; the others answer nothing we wait for.
        return;
      case "pong":
        return;
      default:
        return;
    }
  }

  private async process(entries: readonly Entry[], caughtUp: boolean): Promise<void> {
    const socket = this.socket;
    if (socket === undefined || this.state !== "open") return;
    if (entries.length > 0) {
      try {
        await this.options.onEntries(entries);
      } catch {
        // Not acknowledged: after a reconnect the server pushes them again.
        socket.close(4000, "processing failed");
        return;
      }
      // The socket closed while they were processed: the next one gets them again, and they are dropped as seen.
      if (socket !== this.socket) return;
      for (let i = 0; i < entries.length; i += MAX_ACKS_PER_FRAME) {
        const entryIds = entries.slice(i, i + MAX_ACKS_PER_FRAME).map((e) => e.entryId);
        socket.send(encodeClientFrame({ case: "ack", value: create(AckSchema, { entryIds }) }));
      }
    }
    if (caughtUp) for (const w of this.caughtUpWaiters.splice(0)) w();
  }

  private onClosed(code: number): void {
    if (this.state === "closed" && this.socket === undefined) return;
    this.socket = undefined;
    this.timers.clearTimeout(this.watchTimer);
    if (code === CLOSE_TRY_AGAIN_LATER) this.storeFaults += 1;
    // An open connection that ended for another reason saw no store fault.
    else if (this.opened) this.storeFaults = 0;
    this.opened = false;
    for (const p of this.pending.values()) p.reject(new ClientError("offline", `socket closed (${code})`));
    this.pending.clear();
    // A refused session is renewed silently; anything else tells a waiting caller at once.
    if (code !== CLOSE_UNAUTHENTICATED) this.failOpenWaiters(new ClientError("offline", `socket closed (${code})`));
    if (this.stopped) {
      this.setState("closed");
      this.failOpenWaiters(new ClientError("offline", "stopped"));
      return;
    }
    this.scheduleReconnect();
  }

  /** A revoked device has nothing to reconnect for: a loop would only hammer the login. */
  private revoked(): void {
    this.stopped = true;
    this.setState("closed");
    this.options.onRevoked?.();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState("waiting");
    const ceiling =
      this.storeFaults > 0
        ? Math.min(STORE_BACKOFF_MAX_MS, STORE_BACKOFF_BASE_MS * 2 ** (this.storeFaults - 1))
        : Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.floor((this.options.random ?? Math.random)() * ceiling);
    this.reconnectTimer = this.timers.setTimeout(() => void this.connect(), delay);
  }

  private failOpenWaiters(error: Error): void {
    // A first start that cannot connect keeps retrying, but its caller hears about it.
    for (const w of this.openWaiters.splice(0)) w.reject(error);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    this.options.onState?.(state);
  }
}
