/**
 * One WebSocket. It starts with a Hello; with a valid session token the
 * socket also receives its device's mailboxes, otherwise it may only send.
 * The send path gets the frame alone, never this connection's principal.
 */
import type { WebSocket } from "ws";
import type { Socket } from "node:net";
import {
  BoteError,
  PROTOCOL_VERSION,
  checkSend,
  wsCloseCode,
  decodeAckFrame,
  decodeClientFrame,
  decodeSendFrame,
  encodeDeliverFrame,
  encodeSendResultFrame,
  encodeServerFrame,
  errorText,
  missingCase,
  type ErrorCode,
  type HotEntry,
  type HotSend,
  type ServerFrameBody,
} from "@bote/protocol";
import type { Logger } from "pino";
import type { Bytes, QueuedEntry, SealedEntry, ServerStore } from "../store/ServerStore.js";
import { isStoreFault } from "../store/storeFault.js";
import type { AtRestKeys } from "../secrets/AtRestKeys.js";
import { reply, type Relay, type SendReply } from "../relay/Relay.js";
import { deviceKey, mailboxKey, organisationBusKey, sessionTag, type Bus, type BusEvent } from "../relay/Bus.js";
import { hex, sha256 } from "../crypto.js";
import type { Metrics, SocketState } from "../metrics/Metrics.js";

export interface ConnectionDeps {
  store: ServerStore;
  relay: Relay;
  /** Opens the entries read from the store. */
  atRest: AtRestKeys;
  bus: Bus;
  log: Logger;
  pushWindow: number;
  helloTimeoutMs: number;
  pingIntervalMs: number;
  /** The socket closes with unauthenticated (4401) after this long, whatever its session. */
  maxLifetimeMs: number;
  /** How often a receiving socket re-reads its session, to close once it is gone. */
  sessionCheckIntervalMs: number;
  /** Called once, when the Hello frame arrived (or the socket closed before). */
  onHelloDone?: () => void;
  sendsPerSecond: number;
  now: () => number;
  metrics?: Metrics;
}

const PAGE = 256;
/** A Deliver frame is sent once it holds this much, well below what a peer accepts (MAX_FRAME_BYTES). */
const DELIVER_FRAME_BYTES = 1024 * 1024;
/** After a fatal error, a peer that does not complete the close handshake is cut off after this. */
const CLOSE_GRACE_MS = 1000;
/**
 * How long live entries wait behind a gap in the seq line for the wake that
 * fills it before the store is read. In a cluster a mailbox's entries come
 * from every node, and the wake of a lower seq stored on another node (NATS)
 * often comes after a higher one stored here: reading at once turned most
 * deliveries into store reads (docs/BENCHMARKS.md, cluster).
 */
const GAP_WAIT_MS = 25;
/** At most this many entries, or this many payload bytes, wait behind a gap; beyond, the store is read. */
const MAX_AHEAD = 256;
const MAX_AHEAD_BYTES = 1024 * 1024;

export class Connection {
  private state: "hello" | "open" | "closed" = "hello";
  /** The device of a receiving socket; only its id is kept, for 10,000 idle sockets hold what they keep. */
  private deviceId: Bytes | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private onHelloDone: (() => void) | undefined;
  private mailboxIds: Bytes[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  /**
   * Highest seq pushed (the device's mailboxes share one seq line). Every
   * entry at or below it has been pushed or is gone (acked, expired):
   * entries are pushed in seq order only, so the store is read from here.
   */
  private cursor = 0;
  /** Set once HelloOk is sent: no Deliver may go before it. */
  private receiving = false;
  /** When the last store read began (performance.now()): it saw every entry committed before. */
  private readAt = 0;
  private readonly inFlight = new Set<number>();
  private pumping = false;
  /** Set when an entry may exist above the cursor that was not pushed live. */
  private behind = true;
  /** A store read found nothing more: the next Deliver says so (see relay.proto). */
  private caughtUp = false;
  /** Said caught up and pushed nothing since: a catch-up read that finds nothing stays silent. */
  private announced = false;
  private outgoing: HotEntry[] = [];
  private outgoingBytes = 0;
  /** Token bucket for sends: a flood from one socket cannot starve the others. */
  private sendTokens: number;
  private sendTokensAt: number;
  private flushScheduled = false;
  private corked = false;
  private hadRetired = false;
  /** Live entries above a gap, by seq, until the gap fills or GAP_WAIT_MS passes; only while there is a gap. */
  private ahead: Map<number, QueuedEntry> | undefined;
  private aheadBytes = 0;
  private gapTimer: NodeJS.Timeout | undefined;
  /** A read found nothing more while entries waited behind a gap: caught up once they are pushed. */
  private caughtUpAfterGap = false;
  /**
   * When the socket closes with 4401 (its lifetime cap, or its session's
   * expiry), read by SocketDeadlines: one timer per node rather than
   * several per socket, which held ~1 KB each of 10,000 idle sockets.
   */
  private closeAt: number;
  /** When a receiving socket next re-reads its session. */
  private sessionCheckAt = Infinity;
  /** The session of a receiving socket: re-read now and then; a logout announced with its tag ends the socket. */
  private tokenHash: Bytes | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
  ) {
    this.sendTokens = 2 * deps.sendsPerSecond;
    this.sendTokensAt = deps.now();
    this.onHelloDone = deps.onHelloDone;
    this.helloTimer = setTimeout(() => this.fail("hello_required"), deps.helloTimeoutMs);
    // 4401 makes the SDK renew its session and reconnect: a clean end for a socket held too long.
    this.closeAt = deps.now() + deps.maxLifetimeMs;
    socket.on("message", (data, isBinary) => {
      if (!isBinary) return this.fail("frame_malformed");
      try {
        this.onFrame(data as Buffer);
      } catch (error) {
        this.onError(error);
      }
    });
    socket.on("close", () => this.close());
    socket.on("error", () => this.close());
  }

  /** Synchronous, with callbacks for what the store settles: no Promise or async frame per message. */
  private onFrame(data: Buffer): void {
    if (this.state === "closed") return;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    // Half of all frames: read without a message object or a BigInt per id.
    const acked = this.state === "open" ? decodeAckFrame(bytes) : undefined;
    if (acked !== undefined) return this.onAck(acked);
    // The other half: a plain Send, read without protobuf-es's message objects.
    const sent = this.state === "open" ? decodeSendFrame(bytes) : undefined;
    if (sent !== undefined) return this.onSend(sent);
    const body = decodeClientFrame(bytes);
    if (this.state === "hello") {
      if (body.case !== "hello") return this.fail("hello_required");
      this.state = "open";
      this.endHelloWait();
      this.onHello(body.value.protocolVersion, body.value.sessionToken).catch((e: unknown) => this.onError(e));
      return;
    }
    switch (body.case) {
      case "hello":
        throw new BoteError("frame_malformed", "hello");
      case "send":
        return this.onSend(body.value);
      case "ack":
        return this.onAck(body.value.entryIds.map(Number));
      case "ping":
        this.sendFrame({ case: "pong", value: { $typeName: "bote.v1.Pong", nonce: body.value.nonce } });
        return;
      default:
        return missingCase(body);
    }
  }

  private takeSendToken(): boolean {
    const now = this.deps.now();
    const rate = this.deps.sendsPerSecond;
    this.sendTokens = Math.min(2 * rate, this.sendTokens + ((now - this.sendTokensAt) * rate) / 1000);
    this.sendTokensAt = now;
    if (this.sendTokens < 1) return false;
    this.sendTokens -= 1;
    return true;
  }

  private onSend(send: HotSend): void {
    const requestId = send.requestId;
    const answer = (error: unknown, r?: SendReply) => {
      if (r === undefined) return this.onError(error);
      this.deps.metrics?.sent(r);
      this.sendBytes(
        encodeSendResultFrame({
          requestId,
          errorCode: r.errorCode ?? "",
          rejected: r.rejected,
          duplicate: r.duplicate,
          currentEpoch: r.currentEpoch,
        }),
      );
    };
    if (!this.takeSendToken()) {
      this.deps.metrics?.limited("ws");
      return answer(undefined, reply("rate_limited"));
    }
    try {
      checkSend(send);
    } catch (error) {
      if (!(error instanceof BoteError)) throw error;
      return answer(undefined, reply(error.code));
    }
    this.deps.relay.queueSend(send, answer);
  }

  private async onHello(version: number, token: string): Promise<void> {
    if (version !== PROTOCOL_VERSION) return this.fail("protocol_version_unsupported");
    if (token !== "") {
      const tokenHash = sha256(token);
      const principal = await this.deps.store.getSession(tokenHash, this.deps.now());
      if (principal === undefined) return this.fail("unauthenticated");
      this.deviceId = principal.deviceId;
      this.tokenHash = tokenHash;
      // Sessions are never extended: the socket closes at its session's expiry.
      this.closeAt = Math.min(this.closeAt, principal.expiresAt);
      this.sessionCheckAt = this.deps.now() + this.deps.sessionCheckIntervalMs;
      const mailboxes = await this.deps.store.listMailboxes(principal.deviceId);
      this.mailboxIds = mailboxes.map((m) => m.id);
      this.hadRetired = mailboxes.some((m) => m.retired);
      const onEvent = (event: BusEvent) => this.onBusEvent(event);
      for (const id of this.mailboxIds) this.unsubscribe.push(this.deps.bus.subscribe(mailboxKey(hex(id)), onEvent));
      this.unsubscribe.push(this.deps.bus.subscribe(deviceKey(hex(principal.deviceId)), onEvent));
      // A guest cannot read the organisation's log: news of it are no business of a customer's device.
      if (principal.guestOf === undefined) {
        this.unsubscribe.push(this.deps.bus.subscribe(organisationBusKey(hex(principal.orgId)), onEvent));
      }
      // A revocation or logout committed between the session read and the subscriptions published to no one.
      if ((await this.deps.store.getDevice(principal.deviceId)) === undefined) return this.fail("device_revoked");
      if ((await this.deps.store.getSession(tokenHash, this.deps.now())) === undefined)
        return this.fail("unauthenticated");
    }
    if (this.state !== "open") return;
    this.sendFrame({
      case: "helloOk",
      value: {
        $typeName: "bote.v1.HelloOk",
        protocolVersion: PROTOCOL_VERSION,
        receiving: this.deviceId !== undefined,
        pingIntervalSeconds: Math.round(this.deps.pingIntervalMs / 1000),
      },
    });
    if (this.deviceId === undefined) return;
    this.receiving = true;
    await this.pump();
  }

  private onBusEvent(event: BusEvent): void {
    switch (event.kind) {
      case "entry":
        return this.onWake(event.entry);
      case "wake":
        return this.onRemoteWake(event.seq, event.entry);
      case "keyPackagesLow":
        return this.sendFrame({
          case: "keyPackagesLow",
          value: {
            $typeName: "bote.v1.KeyPackagesLow",
            deviceId: this.deviceId!,
            remaining: event.remaining,
            lastResortHandedOut: event.lastResortHandedOut,
          },
        });
      case "revoked":
        return this.fail("device_revoked");
      case "sessionEnded":
        if (this.tokenHash !== undefined && sessionTag(hex(this.tokenHash)) === event.session) {
          this.fail("unauthenticated");
        }
        return;
      case "organisationChanged":
        return this.sendFrame({
          case: "organisationChanged",
          value: { $typeName: "bote.v1.OrganisationChanged", seq: BigInt(event.seq) },
        });
      default:
        return missingCase(event);
    }
  }

  private endHelloWait(): void {
    clearTimeout(this.helloTimer);
    const done = this.onHelloDone;
    this.onHelloDone = undefined;
    done?.();
  }

  /**
   * Called by SocketDeadlines about once a second: closes the socket at its
   * deadline, and re-reads a receiving socket's session now and then, to
   * close once the session is gone by a path that told no bus.
   */
  checkDeadlines(now: number): void {
    if (this.state === "closed") return;
    if (now >= this.closeAt) return this.fail("unauthenticated");
    if (now < this.sessionCheckAt || this.tokenHash === undefined) return;
    this.sessionCheckAt = now + this.deps.sessionCheckIntervalMs;
    this.deps.store.getSession(this.tokenHash, now).then(
      (principal) => {
        if (principal === undefined) this.fail("unauthenticated");
      },
      (error: unknown) => this.deps.log.warn({ err: error }, "session check failed"),
    );
  }

  /**
   * A live entry: pushed at once when it is the next one on the seq line.
   * A mailbox's seqs are taken under its row lock and commit in seq order,
   * so an entry that does not follow the cursor has entries below it that
   * are committed but not pushed: their wake is on its way (from another
   * node, or behind a store read running now), late or lost, or they are
   * gone. The entry waits (holdAhead) for GAP_WAIT_MS; then the store is
   * read from the cursor, which keeps the push in seq order.
   */
  private onWake(entry: QueuedEntry): void {
    if (this.state !== "open" || entry.seq <= this.cursor) return;
    if (this.inFlight.size >= this.deps.pushWindow || (this.behind && !this.pumping)) return this.readSoon();
    if (this.pumping || entry.seq !== this.cursor + 1) return this.holdAhead(entry);
    this.push(entry);
    this.pushAhead();
  }

  /**
   * An entry stored by another node. One that came whole goes the way of a
   * local entry; one without its payload is read from the store.
   */
  private onRemoteWake(seq: number, entry: QueuedEntry | undefined): void {
    if (this.state !== "open" || seq <= this.cursor) return;
    if (entry === undefined) return this.readSoon();
    this.onWake(entry);
  }

  private holdAhead(entry: QueuedEntry): void {
    const ahead = (this.ahead ??= new Map());
    // A wake that came twice (NATS redelivers, a read and a wake cross) is held once.
    if (ahead.has(entry.seq)) return;
    if (ahead.size >= MAX_AHEAD || this.aheadBytes + entry.payload.length > MAX_AHEAD_BYTES) {
      this.dropAhead();
      return this.readSoon();
    }
    ahead.set(entry.seq, entry);
    this.aheadBytes += entry.payload.length;
    // A running read pushes what it finds, then what waits here (pushAhead).
    if (!this.pumping) this.waitForGap();
  }

  /** Pushes the waiting entries that now follow the cursor; a gap still open keeps waiting. */
  private pushAhead(): void {
    const ahead = this.ahead;
    if (ahead === undefined) return;
    for (let next = ahead.get(this.cursor + 1); next !== undefined; next = ahead.get(this.cursor + 1)) {
      if (this.inFlight.size >= this.deps.pushWindow) break;
      ahead.delete(next.seq);
      this.aheadBytes -= next.payload.length;
      this.push(next);
    }
    for (const [seq, entry] of ahead) {
      if (seq > this.cursor) continue;
      ahead.delete(seq);
      this.aheadBytes -= entry.payload.length;
    }
    if (ahead.size === 0) {
      this.dropAhead();
      if (this.caughtUpAfterGap && !this.pumping) this.announceCaughtUp();
      return;
    }
    // With the window full, the read after the acks finds them in the store.
    if (this.inFlight.size >= this.deps.pushWindow) {
      this.dropAhead();
      return this.readSoon();
    }
    this.waitForGap();
  }

  private waitForGap(): void {
    if (this.gapTimer !== undefined) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (this.ahead === undefined || this.state !== "open") return;
      // The store holds every waiting entry too: read from the cursor instead.
      this.dropAhead();
      this.caughtUpAfterGap = false;
      this.readSoon();
    }, GAP_WAIT_MS);
  }

  private announceCaughtUp(): void {
    this.caughtUpAfterGap = false;
    if (this.behind || this.announced) return;
    this.caughtUp = true;
    this.scheduleFlush();
  }

  private dropAhead(): void {
    this.ahead = undefined;
    this.aheadBytes = 0;
    clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }

  /**
   * Reads the store for entries whose wake never came (NATS was down, or
   * dropped it). Called by CatchUp, for every receiving socket of the node.
   */
  catchUp(): void {
    if (this.state === "open" && this.receiving) this.readSoon();
  }

  /** When this socket last began a store read (performance.now()), or undefined if it receives nothing. */
  lastReadAt(): number | undefined {
    return this.state === "open" && this.receiving ? this.readAt : undefined;
  }

  /** A running pump reads once more; with the window full, the next ack reads; before HelloOk, the first pump. */
  private readSoon(): void {
    this.behind = true;
    if (this.receiving && !this.pumping && this.inFlight.size < this.deps.pushWindow)
      void this.pump().catch((e: unknown) => this.onError(e));
  }

  /** Reads entries from the store until caught up or the window is full. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.behind && this.state === "open" && this.inFlight.size < this.deps.pushWindow) {
        this.behind = false;
        const limit = Math.min(PAGE, this.deps.pushWindow - this.inFlight.size);
        this.readAt = performance.now();
        const entries = await this.deps.store.fetchQueue(this.mailboxIds, this.cursor, limit, this.deps.now());
        for (const e of entries) this.pushStored(e);
        if (entries.length === limit) this.behind = true;
      }
      this.pumping = false;
      if (!this.behind && this.state === "open" && !this.announced) {
        // Entries waiting behind a gap are not caught up with: say so once they are pushed.
        this.caughtUpAfterGap = true;
      }
      if (this.state === "open") this.pushAhead();
      if (this.ahead === undefined && this.caughtUpAfterGap) this.announceCaughtUp();
    } finally {
      this.pumping = false;
    }
  }

  private pushStored(entry: SealedEntry): void {
    const payload = this.deps.atRest.openEntry(entry.mailboxId, entry.sealed);
    if (payload === undefined) {
      // Only a store altered behind the server's back gets here: skip it rather than stall the mailbox.
      this.cursor = Math.max(this.cursor, entry.seq);
      this.deps.log.error("a stored entry does not open under the secrets file");
      return;
    }
    this.push({ entryId: entry.entryId, mailboxId: entry.mailboxId, seq: entry.seq, payload });
  }

  private push(entry: QueuedEntry): void {
    this.cursor = Math.max(this.cursor, entry.seq);
    this.announced = false;
    this.inFlight.add(entry.entryId);
    this.outgoing.push({ entryId: entry.entryId, mailboxId: entry.mailboxId, payload: entry.payload });
    this.outgoingBytes += entry.payload.length + 32;
    if (this.outgoingBytes >= DELIVER_FRAME_BYTES) return this.flushDeliver();
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Entries pushed in the same tick (one committed batch) share one frame.
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flushDeliver();
    });
  }

  private flushDeliver(): void {
    const entries = this.outgoing;
    const caughtUp = this.caughtUp && !this.behind;
    this.outgoing = [];
    this.outgoingBytes = 0;
    this.caughtUp = false;
    if (caughtUp) this.announced = true;
    this.deps.metrics?.delivered(entries.length);
    if (entries.length > 0 || caughtUp) this.sendBytes(encodeDeliverFrame(entries, caughtUp));
  }

  private onAck(entryIds: number[]): void {
    const deviceId = this.deviceId;
    if (deviceId === undefined) throw new BoteError("unauthenticated", "ack");
    this.deps.relay.queueAck(this.mailboxIds, entryIds, (error, deleted) => {
      if (deleted === undefined) return this.onError(error);
      for (const id of entryIds) this.inFlight.delete(id);
      if (this.inFlight.size === 0 && this.hadRetired && !this.behind) {
        this.hadRetired = false;
        this.deps.store.deleteDrainedMailboxes(deviceId).then(
          () => this.pumpAfterAck(),
          (e: unknown) => this.onError(e),
        );
      } else this.pumpAfterAck();
    });
  }

  private pumpAfterAck(): void {
    if (this.behind && this.inFlight.size < this.deps.pushWindow / 2)
      this.pump().catch((e: unknown) => this.onError(e));
  }

  private onError(error: unknown): void {
    // Before a successful hello every fault ends the connection.
    if (error instanceof BoteError && this.state === "hello") return this.fail(error.code);
    if (error instanceof BoteError) {
      this.sendError(error.code, false);
      return;
    }
    // A store that cannot write is retried later by the client (close 1013), not looped on as a bug.
    if (isStoreFault(error)) {
      this.deps.log.warn({ err: error }, "store unavailable");
      return this.fail("store_unavailable");
    }
    this.deps.log.error({ err: error }, "websocket frame failed");
    this.fail("internal");
  }

  private sendError(code: ErrorCode, fatal: boolean): void {
    this.deps.metrics?.error(code);
    this.sendFrame({
      case: "error",
      value: { $typeName: "bote.v1.Error", code, message: errorText(code, "en"), fatal },
    });
  }

  /** Sends an error frame, then closes with the code's WebSocket close code. */
  fail(code: ErrorCode): void {
    if (this.state === "closed") return;
    this.sendError(code, true);
    this.socket.close(wsCloseCode(code), code);
    // ws waits 30 s for the peer's close frame; a peer that never answers must not hold the socket that long.
    const cut = setTimeout(() => this.socket.terminate(), CLOSE_GRACE_MS);
    cut.unref();
    this.socket.once("close", () => clearTimeout(cut));
    this.close();
  }

  sendFrame(body: ServerFrameBody): void {
    this.sendBytes(encodeServerFrame(body));
  }

  private sendBytes(frame: Uint8Array): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.cork();
    this.socket.send(frame);
  }

  /**
   * Frames written in one turn of the event loop (the send results and
   * pushes of one committed batch) leave in one write instead of one each.
   * `ws` has no public cork; its underlying net.Socket does.
   */
  private cork(): void {
    if (this.corked) return;
    const raw = (this.socket as unknown as { _socket?: Socket })._socket;
    if (raw === undefined) return;
    this.corked = true;
    raw.cork();
    process.nextTick(() => {
      this.corked = false;
      raw.uncork();
    });
  }

  /** For the metrics' socket gauge; undefined once closed. */
  get socketState(): SocketState | undefined {
    if (this.state === "closed") return undefined;
    if (this.state === "hello") return "hello";
    return this.deviceId === undefined ? "sending" : "receiving";
  }

  close(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.dropAhead();
    this.endHelloWait();
    for (const u of this.unsubscribe) u();
    this.unsubscribe.length = 0;
  }
}
