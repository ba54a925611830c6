/**
 * The floor of a message: what any scheme that encrypts and signs each
 * message at least pays, done with the platform's own primitives as directly
 * as they go — a fresh AES-128-GCM key per message (forward secrecy gives
 * every message its own key), one seal and one open, one Ed25519 sign and
 * one verify with keys made once (a device's keys do not change between
 * messages). On Node the floor is node:crypto called synchronously (the real
 * limit there), with WebCrypto (webCryptoFloor.ts) as a second row; in a
 * browser WebCrypto is the floor.
 */
import { createCipheriv, createDecipheriv, generateKeyPairSync, randomBytes, sign, verify } from "node:crypto";
import type { Floor } from "./run.js";
import { makeWebCryptoFloorMessage, type FloorMessage } from "./webCryptoFloor.js";

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

/** On Node: node:crypto called synchronously is the floor, WebCrypto a second row. */
export async function nodeFloors(payload: number): Promise<Floor[]> {
  return [
    {
      label: "floor: node:crypto, sync (AES-GCM seal+open, Ed25519 sign+verify)",
      message: makeNativeFloorMessage(payload),
    },
    { label: "the same through WebCrypto", message: await makeWebCryptoFloorMessage(payload) },
  ];
}
