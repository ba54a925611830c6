// Safety numbers for people the organisation does not vouch for, in the
// manner of Signal's: each party's fingerprint is an iterated SHA-512 over
// its device key and account id; the number shows both, sorted, so both
// sides see the same 60 digits.
import { decodeBase64url, encodeBase64url, equalBytes, ID_BYTES } from "@bote/protocol/light";
import { sha512 } from "@noble/hashes/sha2.js";

export interface SafetyParty {
  readonly accountId: Uint8Array;
  readonly devicePublicKey: Uint8Array;
}

const FINGERPRINT_VERSION = Uint8Array.of(0, 1);
// Signal's count: slows down a search for a key whose number looks alike.
const ITERATIONS = 5200;
const DIGIT_BYTES = 30;
const QR_FINGERPRINT_BYTES = 32;
const QR_PREFIX = "bote-verify:1:";

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** H = SHA-512(version ‖ key ‖ accountId), then 5200 times H = SHA-512(H ‖ key). */
function fingerprint(party: SafetyParty): Uint8Array {
  if (party.accountId.length !== ID_BYTES) throw new RangeError(`accountId must be ${ID_BYTES} bytes`);
  if (party.devicePublicKey.length === 0) throw new RangeError("devicePublicKey is empty");
  // accountId has a fixed length and comes last, so the input parses one way only.
  let hash = sha512(concat(FINGERPRINT_VERSION, party.devicePublicKey, party.accountId));
  for (let i = 0; i < ITERATIONS; i++) hash = sha512(concat(hash, party.devicePublicKey));
  return hash;
}

/** 30 digits: six 5-byte chunks, each a big-endian integer mod 100000. */
function digits(hash: Uint8Array): string {
  let out = "";
  for (let at = 0; at < DIGIT_BYTES; at += 5) {
    let chunk = 0;
    for (let i = 0; i < 5; i++) chunk = chunk * 256 + hash[at + i]!;
    out += String(chunk % 100000).padStart(5, "0");
  }
  return out;
}

/** 60 digits in 12 groups of 5, the same on both devices. */
export function computeSafetyNumber(a: SafetyParty, b: SafetyParty): string {
  const both = [digits(fingerprint(a)), digits(fingerprint(b))].sort();
  return both.join("").replace(/(\d{5})(?=\d)/g, "$1 ");
}

/** What `own` shows as a QR code: "bote-verify:1:" ‖ base64url(own fingerprint ‖ other's), 32 bytes each. */
export function verificationQrPayload(own: SafetyParty, other: SafetyParty): string {
  const bytes = concat(
    fingerprint(own).subarray(0, QR_FINGERPRINT_BYTES),
    fingerprint(other).subarray(0, QR_FINGERPRINT_BYTES),
  );
  return QR_PREFIX + encodeBase64url(bytes);
}

/**
 * Whether a scanned code is `other`'s view of this very pair: it must name
 * `other`'s key first and ours second. Anything malformed is simply false.
 */
export function checkVerificationQr(payload: string, own: SafetyParty, other: SafetyParty): boolean {
  if (!payload.startsWith(QR_PREFIX) || payload.length > QR_PREFIX.length + 128) return false;
  const bytes = decodeBase64url(payload.slice(QR_PREFIX.length));
  if (bytes?.length !== 2 * QR_FINGERPRINT_BYTES) return false;
  const expected = concat(
    fingerprint(other).subarray(0, QR_FINGERPRINT_BYTES),
    fingerprint(own).subarray(0, QR_FINGERPRINT_BYTES),
  );
  return equalBytes(bytes, expected);
}
