/** What a stranger on the NATS server sees and can send: for the tests of the NATS bus. */
import assert from "node:assert/strict";
import { createCipheriv, randomBytes } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";

export interface WireMessage {
  subject: string;
  data: Uint8Array;
}

/** Records every message on the installation's subjects until stop(). */
export function watchNats(nc: NatsConnection, prefix: string): { messages: WireMessage[]; stop(): void } {
  const messages: WireMessage[] = [];
  const subscription = nc.subscribe(`${prefix}.>`, {
    callback: (error, m) => {
      if (error === null) messages.push({ subject: m.subject, data: m.data });
    },
  });
  return { messages, stop: () => subscription.unsubscribe() };
}

/** Fails if a subject or body NATS carried holds any of the secrets, raw or as hex or base64url. */
export function assertWireHides(wire: readonly WireMessage[], secrets: Uint8Array[]): void {
  for (const [i, secret] of secrets.entries()) {
    const raw = Buffer.from(secret);
    const forms = { raw, hex: Buffer.from(raw.toString("hex")), base64url: Buffer.from(raw.toString("base64url")) };
    for (const { subject, data } of wire) {
      for (const [name, form] of Object.entries(forms)) {
        assert.equal(Buffer.from(subject).indexOf(form), -1, `subject ${subject} shows secret ${i} (${name})`);
        assert.equal(Buffer.from(data).indexOf(form), -1, `a message on ${subject} shows secret ${i} (${name})`);
      }
    }
  }
}

/** A "revoked" notice as a stranger would make one: unsealed (the old wire), or sealed under a key of its own. */
export function forgedRevocations(): Uint8Array[] {
  const unsealed = Buffer.concat([randomBytes(8), Buffer.from([3]), Buffer.alloc(8)]);
  const nodeId = randomBytes(8);
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", randomBytes(32), nonce);
  cipher.setAAD(nodeId);
  const body = Buffer.concat([cipher.update(Buffer.concat([Buffer.from([3]), Buffer.alloc(8)])), cipher.final()]);
  return [unsealed, Buffer.concat([nodeId, nonce, body, cipher.getAuthTag()]), randomBytes(45)];
}
