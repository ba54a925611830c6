/**
 * The ceiling: the least a relay with Bote's wire format must do, and nothing
 * more. A plain `ws` server (permessage-deflate off) that decodes every
 * ClientFrame with the real codec, answers a Hello (its session token is the
 * hex mailbox id the socket receives for), checks a Send's fields as the
 * server does (checkSend), forwards it as a padded Deliver
 * entry to the socket of each recipient mailbox — coalesced per socket and
 * microtask, as the real server's Connection does — answers a SendResult, and
 * ignores Acks. No storage, no capability check, no flow control.
 *
 * Run as a child of the benchmark: `node ceiling.js`; it prints
 * `ceiling listening on PORT` to stderr and exits when the IPC channel closes.
 */
import { WebSocketServer, type WebSocket } from "ws";
import {
  BoteError,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  checkSend,
  decodeClientFrame,
  missingCase,
  encodeServerFrame,
  padPayload,
  type Entry,
  type ServerFrameBody,
} from "@bote/protocol";

class CeilingConnection {
  private mailbox: string | undefined;
  private outgoing: Entry[] = [];
  private flushScheduled = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly relay: CeilingRelay,
  ) {
    socket.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) return socket.terminate();
      try {
        this.onFrame(data);
      } catch (error) {
        const code = error instanceof BoteError ? error.code : "internal";
        this.send({ case: "error", value: { $typeName: "bote.v1.Error", code, message: code, fatal: true } });
        socket.terminate();
      }
    });
    socket.on("close", () => {
      if (this.mailbox !== undefined && relay.mailboxes.get(this.mailbox) === this)
        relay.mailboxes.delete(this.mailbox);
    });
    socket.on("error", () => socket.terminate());
  }

  private onFrame(data: Buffer): void {
    const body = decodeClientFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    switch (body.case) {
      case "hello":
        if (body.value.sessionToken !== "") {
          this.mailbox = body.value.sessionToken;
          this.relay.mailboxes.set(this.mailbox, this);
        }
        return this.send({
          case: "helloOk",
          value: {
            $typeName: "bote.v1.HelloOk",
            protocolVersion: PROTOCOL_VERSION,
            receiving: this.mailbox !== undefined,
            pingIntervalSeconds: 0,
          },
        });
      case "send": {
        checkSend(body.value);
        const payload = padPayload(body.value.payload);
        let delivered = 0;
        for (const r of body.value.recipients) {
          const target = this.relay.mailboxes.get(Buffer.from(r.mailboxId).toString("hex"));
          if (target === undefined) continue;
          target.push({
            $typeName: "bote.v1.Entry",
            entryId: BigInt(++this.relay.entrySeq),
            mailboxId: r.mailboxId,
            payload,
          });
          delivered++;
        }
        return this.send({
          case: "sendResult",
          value: {
            $typeName: "bote.v1.SendResult",
            requestId: body.value.requestId,
            errorCode: delivered === 0 ? "mailbox_gone" : "",
            rejected: [],
            duplicate: false,
            currentEpoch: 0n,
          },
        });
      }
      case "ack":
        return;
      case "ping":
        return this.send({ case: "pong", value: { $typeName: "bote.v1.Pong", nonce: body.value.nonce } });
      default:
        return missingCase(body);
    }
  }

  private push(entry: Entry): void {
    this.outgoing.push(entry);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const entries = this.outgoing;
      this.outgoing = [];
      this.send({ case: "deliver", value: { $typeName: "bote.v1.Deliver", entries, caughtUp: false } });
    });
  }

  private send(body: ServerFrameBody): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(encodeServerFrame(body));
  }
}

class CeilingRelay {
  readonly mailboxes = new Map<string, CeilingConnection>();
  entrySeq = 0;
}

function main(): void {
  const relay = new CeilingRelay();
  const wss = new WebSocketServer({
    host: "127.0.0.1",
    port: 0,
    path: "/v1/ws",
    perMessageDeflate: false,
    maxPayload: MAX_FRAME_BYTES,
  });
  wss.on("connection", (socket) => new CeilingConnection(socket, relay));
  wss.on("listening", () => {
    const address = wss.address();
    if (address === null || typeof address === "string") throw new Error("unexpected address");
    console.error(`ceiling listening on ${address.port}`);
  });
  wss.on("error", (error) => {
    console.error("ceiling:", error);
    process.exit(1);
  });
  // The benchmark owns this process: when it goes, so do we.
  process.on("disconnect", () => process.exit(0));
}

main();
