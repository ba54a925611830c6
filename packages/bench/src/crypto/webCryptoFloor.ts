/**
 * The floor through WebCrypto (floor.ts says what a floor is): what a
 * browser has, with a promise per call. No node:* here: the browser run
 * bundles this file into the page.
 */
import type { webcrypto } from "node:crypto";

/** The floor's row in a browser run. */
export const WEBCRYPTO_FLOOR_LABEL = "floor: WebCrypto (AES-GCM seal+open, Ed25519 sign+verify)";

export interface FloorMessage {
  /** Seals, signs, verifies and opens one message; throws (or rejects) if anything does not check. */
  (): Promise<void> | void;
}

/** The same work as the native floor through `crypto.subtle`, as the web app would do it. */
export async function makeWebCryptoFloorMessage(payloadBytes: number): Promise<FloorMessage> {
  const subtle = crypto.subtle;
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
