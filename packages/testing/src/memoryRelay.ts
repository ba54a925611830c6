/**
 * A test double for the server's relay (docs/PROTOCOL.md §3–5), in process:
 * it speaks the real frames (@bote/protocol) over a socket pair shaped like
 * the SDK's OpenSocket port, keeps mailboxes, stores a send once per message
 * id, pushes with caught_up and deletes on ack. Tests script its faults
 * exactly: drop a socket at a given client frame, hold answers and release
 * them in a chosen order (the same one twice: a duplicate push), refuse a
 * Hello with a close code. It stands for the server only; the SDK under
 * test is the real one.
 */
import { create } from "@bufbuild/protobuf";
import {
  decodeClientFrame,
  DeliverSchema,
  encodeServerFrame,
  EntrySchema,
  ErrorSchema,
  HelloOkSchema,
  padPayload,
  PROTOCOL_VERSION,
  SendResultSchema,
  type ClientFrameBody,
  type Entry,
  type Send,
  type ServerFrameBody,
} from "@bote/protocol";

/** The SDK's SocketHandlers and RelaySocket, by shape (testing does not depend on the client). */
export interface MemorySocketHandlers {
  onOpen(): void;
  onMessage(data: Uint8Array): void;
  onClose(code: number, reason: string): void;
}

export interface MemorySocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** A send the relay stored, in the order it stored them. */
export interface StoredSend {
  readonly messageId: string;
  readonly payload: Uint8Array;
}

/** One client frame as the relay received it. */
export interface ReceivedFrame {
  /** Counts every client frame of the relay's life, from 1. */
  readonly n: number;
  /** Which socket, from 1 in the order they were opened. */
  readonly socket: number;
  readonly body: ClientFrameBody;
}

type Drop = { readonly atFrame: number; readonly handled: boolean };

const CLOSE_ABNORMAL = 1006;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export class MemoryRelay {
  /** While true, opening a socket fails as a down server's would (close 1006). */
  down = false;
  readonly frames: ReceivedFrame[] = [];
  readonly stored: StoredSend[] = [];
  readonly sockets: RelaySide[] = [];
  readonly #sessions = new Map<string, Uint8Array>();
  readonly #mailboxes = new Map<string, Entry[]>();
  readonly #messageIds = new Set<string>();
  readonly #helloRefusals: number[] = [];
  #drop: Drop | undefined;
  #nextEntryId = 1_000n;
  /** Called after each client frame (handled, or lost with a drop): a test acts at an exact point. */
  afterFrame: ((frame: ReceivedFrame) => void) | undefined;
  holdSendResults = false;
  holdDelivers = false;
  /** Frames the client sent on a socket that was already closed. */
  framesAfterClose = 0;
  /** While true, open sockets take the client's frames and answer nothing, as a half-open connection does. */
  silent = false;
  readonly heldSendResults: { socket: RelaySide; frame: ServerFrameBody & { case: "sendResult" } }[] = [];
  readonly heldDelivers: { socket: RelaySide; frame: ServerFrameBody & { case: "deliver" } }[] = [];

  /** A session token the relay accepts, receiving for `mailboxId`. */
  addSession(token: string, mailboxId: Uint8Array): void {
    this.#sessions.set(token, mailboxId);
  }

  endSession(token: string): void {
    this.#sessions.delete(token);
  }

  /** The next Hellos are refused, one code each (4401 unauthenticated, 4403 device revoked, 1013 try later…). */
  refuseHello(...codes: number[]): void {
    this.#helloRefusals.push(...codes);
  }

  /**
   * The socket that receives client frame number `atFrame` (counted as in
   * `frames`) drops abruptly: before the relay handles it (`handled: false`,
   * the frame is lost) or after (the frame took effect, its answer is lost).
   */
  dropAt(atFrame: number, handled: boolean): void {
    this.#drop = { atFrame, handled };
  }

  /** Drops every open socket now, as a crash or a network cut would. */
  dropAll(code = CLOSE_ABNORMAL): void {
    for (const s of this.sockets) s.closeFromServer(code, "");
  }

  /** Sends held SendResults, in the given order of their places in `heldSendResults` (default: as held). */
  releaseSendResults(order?: readonly number[]): void {
    release(this.heldSendResults, order);
  }

  releaseDelivers(order?: readonly number[]): void {
    release(this.heldDelivers, order);
  }

  /** What waits in a mailbox, oldest first. */
  mailbox(mailboxId: Uint8Array): readonly Entry[] {
    return this.#mailboxes.get(hex(mailboxId)) ?? [];
  }

  /** Stores an entry as if someone sent it, and pushes it to the mailbox's receiving sockets. */
  enqueue(mailboxId: Uint8Array, payload: Uint8Array): Entry {
    const entry = create(EntrySchema, {
      entryId: this.#nextEntryId++,
      mailboxId,
      payload: padPayload(payload),
    });
    const key = hex(mailboxId);
    this.#mailboxes.set(key, [...(this.#mailboxes.get(key) ?? []), entry]);
    for (const s of this.sockets) if (s.receiving === key) s.push([entry], false);
    return entry;
  }

  /** The OpenSocket port: give this to the SDK. */
  openSocket = (_url: string, handlers: MemorySocketHandlers): MemorySocket => {
    const side = new RelaySide(this, this.sockets.length + 1, handlers);
    this.sockets.push(side);
    if (this.down) side.closeFromServer(CLOSE_ABNORMAL, "connection refused");
    else side.later(() => handlers.onOpen());
    return { send: (data) => side.receive(data), close: (code, reason) => side.closeFromClient(code, reason) };
  };

  /** Called by a socket for each client frame. */
  receive(side: RelaySide, body: ClientFrameBody): void {
    const frame = { n: this.frames.length + 1, socket: side.id, body };
    this.frames.push(frame);
    if (this.silent) return;
    const drop = this.#drop?.atFrame === frame.n ? this.#drop : undefined;
    if (drop !== undefined) this.#drop = undefined;
    if (drop === undefined || drop.handled) this.#handle(side, body);
    if (drop !== undefined) side.closeFromServer(CLOSE_ABNORMAL, "");
    this.afterFrame?.(frame);
  }

  #handle(side: RelaySide, body: ClientFrameBody): void {
    switch (body.case) {
      case "hello":
        return this.#hello(side, body.value.sessionToken);
      case "send":
        return this.#send(side, body.value);
      case "ack": {
        const acked = new Set(body.value.entryIds);
        for (const [key, entries] of this.#mailboxes)
          this.#mailboxes.set(
            key,
            entries.filter((e) => !acked.has(e.entryId)),
          );
        return;
      }
      case "ping":
        side.sendFrame({ case: "pong", value: { $typeName: "bote.v1.Pong", nonce: body.value.nonce } });
        return;
    }
  }

  #hello(side: RelaySide, token: string): void {
    const refusal = this.#helloRefusals.shift();
    const mailboxId = this.#sessions.get(token);
    const code = refusal ?? (token !== "" && mailboxId === undefined ? 4401 : undefined);
    if (code !== undefined) {
      const error = code === 4401 ? "unauthenticated" : code === 4403 ? "device_revoked" : "unavailable";
      side.sendFrame({ case: "error", value: create(ErrorSchema, { code: error, fatal: true }) });
      side.closeFromServer(code, error);
      return;
    }
    side.sendFrame({
      case: "helloOk",
      value: create(HelloOkSchema, { protocolVersion: PROTOCOL_VERSION, receiving: mailboxId !== undefined }),
    });
    if (mailboxId === undefined) return;
    side.receiving = hex(mailboxId);
    side.push([...this.mailbox(mailboxId)], true);
  }

  #send(side: RelaySide, send: Send): void {
    const messageId = hex(send.messageId);
    const duplicate = this.#messageIds.has(messageId);
    const result = create(SendResultSchema, { requestId: send.requestId, duplicate });
    if (!duplicate) {
      this.#messageIds.add(messageId);
      this.stored.push({ messageId, payload: send.payload });
      for (const r of send.recipients) this.enqueue(r.mailboxId, send.payload);
    }
    const frame = { case: "sendResult" as const, value: result };
    if (this.holdSendResults) this.heldSendResults.push({ socket: side, frame });
    else side.sendFrame(frame);
  }
}

function release<T extends { socket: RelaySide; frame: ServerFrameBody }>(
  held: T[],
  order: readonly number[] | undefined,
): void {
  const taken = held.splice(0);
  for (const i of order ?? taken.map((_, j) => j)) {
    const h = taken[i];
    if (h !== undefined) h.socket.sendFrame(h.frame);
  }
}

/** The relay's end of one socket. */
export class RelaySide {
  open = true;
  /** False once frames still on their way are lost (an abrupt close). */
  #arriving = true;
  /** The mailbox (hex) this socket receives for, after a Hello with a session. */
  receiving: string | undefined;

  constructor(
    private readonly relay: MemoryRelay,
    readonly id: number,
    private readonly handlers: MemorySocketHandlers,
  ) {}

  /** Socket events reach the client on a later turn, never inside the call that caused them. */
  later(run: () => void): void {
    queueMicrotask(run);
  }

  receive(data: Uint8Array): void {
    if (!this.open) {
      // A browser logs (and a mock may throw) for a frame sent on a closed socket: a client should not.
      this.relay.framesAfterClose += 1;
      return;
    }
    const copy = new Uint8Array(data);
    this.later(() => {
      if (!this.open) return;
      this.relay.receive(this, decodeClientFrame(copy));
    });
  }

  sendFrame(frame: ServerFrameBody): void {
    if (!this.open) return;
    if (frame.case === "deliver" && this.relay.holdDelivers) {
      this.relay.heldDelivers.push({ socket: this, frame });
      return;
    }
    const bytes = encodeServerFrame(frame);
    this.later(() => {
      if (this.#arriving) this.handlers.onMessage(bytes);
    });
  }

  push(entries: Entry[], caughtUp: boolean): void {
    if (entries.length === 0 && !caughtUp) return;
    this.sendFrame({ case: "deliver", value: create(DeliverSchema, { entries, caughtUp }) });
  }

  /**
   * Closes this socket. A clean close (an Error frame, then the code) lets
   * the frames sent before it arrive first; an abrupt one loses them.
   */
  closeFromServer(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    if (code === CLOSE_ABNORMAL) this.#arriving = false;
    this.later(() => {
      this.#arriving = false;
      this.handlers.onClose(code, reason);
    });
  }

  closeFromClient(code = 1000, reason = ""): void {
    if (!this.open) return;
    this.open = false;
    this.#arriving = false;
    this.later(() => this.handlers.onClose(code, reason));
  }
}
