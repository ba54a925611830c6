// Linking a second device of the same person (phone + PC) through a server
// that must not get in between. The logged-in device A commits to an
// ephemeral X25519 key, the new device B sends its own, A reveals its key,
// and both derive the same six-digit comparison code and a sealing key
// from the exchange. The person compares the codes on both screens; A then
// seals the account's keys for B. The commitment is what keeps a server
// from choosing its keys after seeing both sides: with it, a forged pair
// matches the code with a chance of one in a million.
import { x25519 } from "@noble/curves/ed25519.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { equalBytes } from "@bote/protocol";

export const DEVICE_LINK_LABEL = "bote-device-link-v1\0";
const encoder = new TextEncoder();
const label = encoder.encode(DEVICE_LINK_LABEL);

export interface LinkEphemeral {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function createLinkEphemeral(): LinkEphemeral {
  const { secretKey, publicKey } = x25519.keygen();
  return { secretKey, publicKey };
}

/** SHA-256(label ‖ A's ephemeral public key): A's promise, made before it sees B's key. */
export function linkCommitment(initiatorPublicKey: Uint8Array): Uint8Array {
  return sha256(new Uint8Array([...label, ...initiatorPublicKey]));
}

export function checkLinkCommitment(commitment: Uint8Array, initiatorPublicKey: Uint8Array): boolean {
  return equalBytes(linkCommitment(initiatorPublicKey), commitment);
}

export interface LinkSecrets {
  /** Six digits as "123 456": the same on both screens only if no one swapped a key. */
  readonly comparisonCode: string;
  /** AES-256-GCM key for the package A seals for B. */
  readonly sealingKey: Uint8Array;
}

/** Both sides' view of the exchange; `own` is this device's ephemeral, `peer` the other's public key. */
export function deriveLinkSecrets(input: {
  readonly own: LinkEphemeral;
  readonly peerPublicKey: Uint8Array;
  readonly initiatorPublicKey: Uint8Array;
  readonly joinerPublicKey: Uint8Array;
}): LinkSecrets {
  const shared = x25519.getSharedSecret(input.own.secretKey, input.peerPublicKey);
  const transcript = new Uint8Array([...input.initiatorPublicKey, ...input.joinerPublicKey]);
  const info = (what: string) => new Uint8Array([...encoder.encode(what), ...transcript]);
  const code = hkdf(sha256, shared, label, info("comparison code"), 4);
  const number = new DataView(code.buffer, code.byteOffset, 4).getUint32(0) % 1_000_000;
  const digits = number.toString().padStart(6, "0");
  return {
    comparisonCode: `${digits.slice(0, 3)} ${digits.slice(3)}`,
    sealingKey: hkdf(sha256, shared, label, info("sealing key"), 32),
  };
}

const PACKAGE_AD = encoder.encode("bote-device-link-package-v1");

async function aesKey(raw: Uint8Array, usage: "encrypt" | "decrypt") {
  return globalThis.crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** nonce (12) ‖ AES-256-GCM ciphertext. */
export async function sealLinkPackage(sealingKey: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: PACKAGE_AD },
    await aesKey(sealingKey, "encrypt"),
    plaintext,
  );
  return new Uint8Array([...nonce, ...new Uint8Array(sealed)]);
}

/** The package, or undefined if it was not sealed under this key or was changed. */
export async function openLinkPackage(sealingKey: Uint8Array, sealed: Uint8Array): Promise<Uint8Array | undefined> {
  if (sealed.length < 12 + 16) return undefined;
  try {
    return new Uint8Array(
      await globalThis.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: sealed.subarray(0, 12), additionalData: PACKAGE_AD },
        await aesKey(sealingKey, "decrypt"),
        sealed.subarray(12),
      ),
    );
  } catch {
    return undefined;
  }
}
