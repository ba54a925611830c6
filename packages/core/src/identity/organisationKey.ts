// Ed25519 for Bote's own signatures: the organisation key, account keys and
// invitation keys. What each signature covers is fixed in @bote/protocol
// (statements): a label naming the statement, then its body.
import { ed25519 } from "@noble/curves/ed25519.js";
import { signedMessage, type StatementLabel, type VerifyEd25519 } from "@bote/protocol/light";
import type { SignatureKeyPair } from "../device.js";

export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGN_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;

/**
 * A fresh Ed25519 key pair; `signKey` is the 32-byte seed. The organisation
 * key is made this way on the first admin's device and never reaches the
 * server; so is every account key on its person's first device.
 */
export function createSigningKey(): SignatureKeyPair {
  const { secretKey, publicKey } = ed25519.keygen();
  return { signKey: secretKey, publicKey };
}

/** The public half of an Ed25519 seed, or undefined if it is not one. */
export function publicKeyOf(signKey: Uint8Array): Uint8Array | undefined {
  if (signKey.length !== ED25519_SIGN_KEY_BYTES) return undefined;
  return ed25519.getPublicKey(signKey);
}

export function signStatement(label: StatementLabel, body: Uint8Array, signKey: Uint8Array): Uint8Array {
  if (signKey.length !== ED25519_SIGN_KEY_BYTES) throw new RangeError("signKey must be a 32-byte Ed25519 seed");
  return ed25519.sign(signedMessage(label, body), signKey);
}

/** False for a wrong signature and for bytes that are not a key or signature at all. */
export const verifyEd25519: VerifyEd25519 = (publicKey, message, signature) => {
  if (signature.length !== ED25519_SIGNATURE_BYTES || publicKey.length !== ED25519_PUBLIC_KEY_BYTES) return false;
  try {
    // zip215 off: RFC 8032's strict rules, so every verifier (node:crypto on the server too) agrees.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};
