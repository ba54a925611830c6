/**
 * The puzzle a new guest solves while its contact point is busy
 * (docs/PROTOCOL.md §18). Stateless: the challenge carries its expiry, its
 * contact point and its difficulty under a MAC of the server secrets, so no
 * node stores anything and any node checks it. A solution is bound to the
 * guest's device key, which registers once: one solution makes one guest.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { ID_BYTES, PROOF_OF_WORK_CHALLENGE_BYTES } from "@bote/protocol";
import type { ServerSecrets } from "../secrets/ServerSecrets.js";

const LABEL = Buffer.from("bote-proof-of-work-v1\0");
const VERSION = 1;
const MAC_BYTES = 16;
const BODY_BYTES = PROOF_OF_WORK_CHALLENGE_BYTES - MAC_BYTES;

function mac(secrets: ServerSecrets, body: Uint8Array): Buffer {
  const key = secrets.key(secrets.currentVersion())!;
  return createHmac("sha256", key).update(LABEL).update(body).digest().subarray(0, MAC_BYTES);
}

/** version ‖ expiry (seconds, uint64) ‖ contact point id ‖ bits ‖ MAC (16). */
export function issueChallenge(
  secrets: ServerSecrets,
  contactPointId: Uint8Array,
  bits: number,
  expiresAtMs: number,
): Uint8Array {
  const body = Buffer.alloc(BODY_BYTES);
  body[0] = VERSION;
  body.writeBigUInt64BE(BigInt(Math.ceil(expiresAtMs / 1000)), 1);
  body.set(contactPointId, 9);
  body[9 + ID_BYTES] = bits;
  return Buffer.concat([body, mac(secrets, body)]);
}

/** Leading zero bits of a hash. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** SHA-256(challenge ‖ publicKey ‖ nonce): what a solution must start with `bits` zero bits of. */
export function proofHash(challenge: Uint8Array, publicKey: Uint8Array, nonce: Uint8Array): Buffer {
  return createHash("sha256").update(challenge).update(publicKey).update(nonce).digest();
}

/**
 * True when the challenge is this server's, for this contact point, not
 * expired, at least minBits hard, and the nonce solves it for publicKey.
 */
export function checkProof(
  secrets: ServerSecrets,
  proof: { challenge: Uint8Array; nonce: Uint8Array },
  contactPointId: Uint8Array,
  publicKey: Uint8Array,
  nowMs: number,
  minBits: number,
): boolean {
  const c = Buffer.from(proof.challenge);
  if (c.length !== PROOF_OF_WORK_CHALLENGE_BYTES || c[0] !== VERSION) return false;
  const body = c.subarray(0, BODY_BYTES);
  if (!timingSafeEqual(mac(secrets, body), c.subarray(BODY_BYTES))) return false;
  if (Number(c.readBigUInt64BE(1)) * 1000 <= nowMs) return false;
  if (!c.subarray(9, 9 + ID_BYTES).equals(contactPointId)) return false;
  const bits = c[9 + ID_BYTES]!;
  if (bits < minBits) return false;
  return leadingZeroBits(proofHash(c, publicKey, proof.nonce)) >= bits;
}
