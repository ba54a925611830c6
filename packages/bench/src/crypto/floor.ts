/**
 * The floor of a message: what any scheme that encrypts and signs each
 * message at least pays, done with the platform's own primitives as directly
 * as they go — a fresh AES-128-GCM key per message (forward secrecy gives
 * every message its own key), one seal and one open, one Ed25519 sign and
 * one verify with keys made once (a device's keys do not change between
 * messages). Two floors: node:crypto called synchronously (the real limit
 * on Node) and WebCrypto (what a browser has, with its promise per call).
 */
import {
  createCipheriv,
  createDecipheriv,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
  webcrypto,
} from "node:crypto";

const subtle = webcrypto.subtle;

export interface FloorMessage {
  /** Seals, signs, verifies and opens one message; throws (or rejects) if anything does not check. */
  (): Promise<void> | void;
}

/** node:crypto, synchronous: OpenSSL with no promise and no copy more than the API makes. */
export function makeNativeFloorMessage(payloadBytes: number): FloorMessage {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const plaintext = randomBytes(payloadBytes);
  return () => {
    const key = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-128-gcm", key, iv);
    const sealed = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    const signature = sign(null, sealed, privateKey);
    if (!verify(null, sealed, publicKey, signature)) throw new Error("floor: bad signature");
    const decipher = createDecipheriv("aes-128-gcm", key, iv);
    decipher.setAuthTag(tag);
    const opened = Buffer.concat([decipher.update(sealed), decipher.final()]);
    if (opened.length !== plaintext.length) throw new Error("floor: wrong plaintext");
  };
}

/** WebCrypto: the same work through `crypto.subtle`, as the web app would do it. */
export async function makeWebCryptoFloorMessage(payloadBytes: number): Promise<FloorMessage> {
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
