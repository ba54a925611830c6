/**
 * The load client's XMPP wire, for `--peer ejabberd`: XMPP over WebSocket
 * (RFC 7395, subprotocol "xmpp"), one XML element per frame, written and read
 * as plain strings. Client i is `u<i>@<XMPP_HOST>/b`, password XMPP_PASSWORD.
 * Login: open, SASL PLAIN, open, bind, then stream management (XEP-0198) on.
 *
 * The four hot frames map onto XMPP as cheaply as it allows:
 *   send         `<message to=…><body>base64 payload</body></message>` and an
 *                ack request `<r/>`;
 *   send-result  the server's `<a h=N/>`: its count of our stanzas handled,
 *                which settles every send up to N;
 *   deliver      a `<message>` from the server; its entry id is our running
 *                count of stanzas received;
 *   ack          `<a h=N/>` with that count, after every frame that brought
 *                messages, and in answer to the server's own `<r/>`.
 */
import type { ClientWire, WireHandler } from "./client.js";

export const XMPP_HOST = "bench.localhost";
export const XMPP_PASSWORD = "bench-password";
const SM = "urn:xmpp:sm:3";
const OPEN = `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="${XMPP_HOST}" version="1.0"/>`;

export function xmppUser(index: number): string {
  return `u${index}`;
}

type Step = "features" | "auth" | "bound-features" | "bind" | "enable" | "ready";

export class XmppWire implements ClientWire {
  readonly protocol = "xmpp";
  readonly needsIdentities = false;
  readonly afterSend = `<r xmlns="${SM}"/>`;
  readonly maxAcksPerFrame = Number.MAX_SAFE_INTEGER;
  private step: Step = "features";
  /** Stanzas received since stream management was enabled (our h). */
  private received = 0;
  /** Our stanzas the server has acknowledged so far (its h). */
  private handled = 0;
  /** Error bounces not yet covered by the server's h: the h that covers each settles it, as failed. */
  private bounced = 0;
  /** The start of the last frame of the login, for an error message. */
  private last = "";

  constructor(private readonly index: number) {}

  url(wsUrl: string): string {
    return wsUrl;
  }

  state(): string {
    return ` (XMPP login at ${this.step}, last received: ${this.last || "nothing"})`;
  }

  hello(): string {
    return OPEN;
  }

  encodeSend(_requestId: number, recipient: number, _field: unknown, _ids: unknown, _o: unknown, payload: Buffer) {
    return `<message to="${xmppUser(recipient)}@${XMPP_HOST}/b"><body>${payload.toString("base64")}</body></message>`;
  }

  encodeAck(entryIds: readonly number[], _from: number, to: number): string {
    return `<a xmlns="${SM}" h="${entryIds[to - 1]}"/>`;
  }

  payloadIntact(_frame: Buffer, start: number, end: number, bytes: number): boolean {
    return end - start === bytes;
  }

  decode(frame: Buffer, handler: WireHandler): void {
    const text = frame.toString("latin1");
    if (this.step === "ready") {
      if (text.startsWith("<message")) {
        // The bounced stanza was handled too, so the server's next h counts it: it is settled there, once.
        if (text.includes("type='error'")) {
          this.bounced++;
          return;
        }
        const start = text.indexOf("<body>") + 6;
        const end = text.indexOf("</body>", start);
        if (start < 6 || end < 0) return handler.fault(`message without body: ${text.slice(0, 200)}`);
        const payload = Buffer.from(text.slice(start, end), "base64");
        return handler.onEntry(++this.received, payload, 0, payload.length);
      }
      if (text.startsWith("<a ")) {
        const h = Number(/h=['"](\d+)['"]/.exec(text)?.[1]);
        for (; this.handled < h; this.handled++) {
          const failed = this.bounced > 0;
          if (failed) this.bounced--;
          handler.onSendResult(0, !failed);
        }
        return;
      }
      if (text.startsWith("<r ")) return handler.sendFrame(`<a xmlns="${SM}" h="${this.received}"/>`);
      return handler.fault(`unexpected: ${text.slice(0, 200)}`);
    }
    this.last = text.slice(0, 300);
    if (text.startsWith("<open")) return;
    if (this.step === "features" && text.includes("<mechanisms")) {
      this.step = "auth";
      const credentials = Buffer.from(`\0${xmppUser(this.index)}\0${XMPP_PASSWORD}`).toString("base64");
      return handler.sendFrame(
        `<auth xmlns="urn:ietf:params:xml:ns:xmpp-sasl" mechanism="PLAIN">${credentials}</auth>`,
      );
    }
    if (this.step === "auth" && text.startsWith("<success")) {
      this.step = "bound-features";
      return handler.sendFrame(OPEN);
    }
    if (this.step === "bound-features" && text.includes("urn:ietf:params:xml:ns:xmpp-bind")) {
      this.step = "bind";
      return handler.sendFrame(
        `<iq type="set" id="bind"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"><resource>b</resource></bind></iq>`,
      );
    }
    if (this.step === "bind" && text.startsWith("<iq") && text.includes("type='result'")) {
      this.step = "enable";
      return handler.sendFrame(`<enable xmlns="${SM}"/>`);
    }
    if (this.step === "enable" && text.startsWith("<enabled")) {
      this.step = "ready";
      return handler.onReady();
    }
    handler.fault(`login failed at ${this.step}: ${text.slice(0, 200)}`);
  }
}
