import { encodeBase64url, ID_BYTES } from "@bote/protocol/light";

export function randomBytes(length: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** A fresh 16-byte id (message ids, relay message ids). */
export function randomId(): Uint8Array {
  return randomBytes(ID_BYTES);
}

export const b64 = encodeBase64url;
