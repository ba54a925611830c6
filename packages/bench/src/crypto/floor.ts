/**
 * The floor of a message: what any scheme that encrypts and signs each
 * message at least pays, done with WebCrypto as directly as it goes — a
 * fresh AES-128-GCM key imported (forward secrecy gives every message its
 * own key), one seal and one open, one Ed25519 sign and one verify with keys
 * imported once (a device's keys do not change between messages).
 */
import { webcrypto } from "node:crypto";

const subtle = webcrypto.subtle;

export interface FloorMessage {
  /** Seals, signs, verifies and opens one message; rejects if anything does not check. */
  (): Promise<void>;
}

export async function makeFloorMessage(payloadBytes: number): Promise<FloorMessage> {
  const pair = (await subtle.generateKey("Ed25519", false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const plaintext = crypto.getRandomValues(new Uint8Array(payloadBytes));
  return async () => {
    const rawKey = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await subtle.importKey("raw", rawKey, "AES-GCM", false, ["encrypt", "decrypt"]);
    const sealed = new Uint8Array(await subtle.encrypt({ name: "AES-GCM", iv }, key, plaintext));
    const signature = await subtle.sign("Ed25519", pair.privateKey, sealed);
    if (!(await subtle.verify("Ed25519", pair.publicKey, signature, sealed))) throw new Error("floor: bad signature");
    const opened = new Uint8Array(await subtle.decrypt({ name: "AES-GCM", iv }, key, sealed));
    if (opened.length !== plaintext.length) throw new Error("floor: wrong plaintext");
  };
}
