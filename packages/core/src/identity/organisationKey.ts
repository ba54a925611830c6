// The organisation's Ed25519 key and the one way Bote signs with it and with
// invitation keys: every signed message starts with a label naming what it
// is, so a signature made for one purpose never verifies as another.
import { ed25519 } from "@noble/curves/ed25519.js";
import type { SignatureKeyPair } from "../device.js";

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGN_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

const utf8Encoder = new TextEncoder();

/**
 * A fresh organisation key: `signKey` is the 32-byte Ed25519 seed. Made by
 * the first admin's device; it never reaches the server.
 */
export function createOrganisationKey(): SignatureKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { signKey: secretKey, publicKey };
}

/** The public half of an Ed25519 seed, or undefined if it is not one. */
export function publicKeyOf(signKey: Uint8Array): Uint8Array | undefined {
  if (signKey.length !== ED25519_SIGN_KEY_BYTES) return undefined;
  return ed25519.getPublicKey(signKey);
}

function labelled(label: string, message: Uint8Array): Uint8Array {
  const prefix = utf8Encoder.encode(label);
  const out = new Uint8Array(prefix.length + message.length);
  out.set(prefix);
  out.set(message, prefix.length);
  return out;
}

export function signLabelled(label: string, message: Uint8Array, signKey: Uint8Array): Uint8Array {
  if (signKey.length !== ED25519_SIGN_KEY_BYTES) throw new RangeError("signKey must be a 32-byte Ed25519 seed");
  return ed25519.sign(labelled(label, message), signKey);
}

/** False for a wrong signature and for bytes that are not a key or signature at all. */
export function verifyLabelled(
  label: string,
  message: Uint8Array,
  signature: Uint8Array,
  publicKey: Uint8Array,
): boolean {
  if (signature.length !== ED25519_SIGNATURE_BYTES || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  try {
    // zip215 off: RFC 8032's strict rules, so every verifier agrees on every signature.
    return ed25519.verify(signature, labelled(label, message), publicKey, { zip215: false });
  } catch {
    return false;
  }
}
