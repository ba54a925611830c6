import { ed25519 } from "@noble/curves/ed25519.js";
import { decodeFailure, decodeSuccess, type DecodeResult } from "../decodeResult.js";
import type { SignatureKeyPair } from "../device.js";
import { ED25519_PUBLIC_KEY_BYTES, ED25519_SIGNATURE_BYTES, signLabelled, verifyLabelled } from "./organisationKey.js";

export type InvitationRole = "admin" | "member";

/**
 * The organisation's statement "whoever holds the private half of
 * `invitationPublicKey` may endorse one credential of this role". It lets a
 * newcomer's device sign its own credential without waiting for an admin.
 */
export interface InvitationCertificate {
  readonly invitationPublicKey: Uint8Array;
  readonly role: InvitationRole;
  /** Seconds since 1970 UTC. */
  readonly expiresAtSeconds: number;
  /** Ed25519 by the organisation key over INVITATION_LABEL and the fields. */
  readonly organisationSignature: Uint8Array;
}

export const INVITATION_LABEL = "bote-invitation-v1\0";
/** The server accepts invitations of at most 30 days; no honest admin device certifies longer. */
export const MAX_INVITATION_LIFETIME_SECONDS = 30 * 24 * 3600;

const VERSION = 1;
const ROLE_CODES: Record<InvitationRole, number> = { admin: 1, member: 2 };
const SIGNED_BYTES = 1 + ED25519_PUBLIC_KEY_BYTES + 1 + 8;
export const INVITATION_CERTIFICATE_BYTES = SIGNED_BYTES + ED25519_SIGNATURE_BYTES;

function roleOf(code: number | undefined): InvitationRole | undefined {
  if (code === ROLE_CODES.admin) return "admin";
  if (code === ROLE_CODES.member) return "member";
  return undefined;
}

/** version ‖ invitationPublicKey ‖ role ‖ expiresAtSeconds (uint64 BE): what the organisation signs. */
function encodeSignedPart(fields: Omit<InvitationCertificate, "organisationSignature">): Uint8Array {
  const { invitationPublicKey, role, expiresAtSeconds } = fields;
  if (invitationPublicKey.length !== ED25519_PUBLIC_KEY_BYTES) {
    throw new RangeError("invitationPublicKey must be 32 bytes");
  }
  if (!Number.isSafeInteger(expiresAtSeconds) || expiresAtSeconds < 0) {
    throw new RangeError("expiresAtSeconds must be a non-negative safe integer");
  }
  const out = new Uint8Array(SIGNED_BYTES);
  out[0] = VERSION;
  out.set(invitationPublicKey, 1);
  out[1 + ED25519_PUBLIC_KEY_BYTES] = ROLE_CODES[role];
  new DataView(out.buffer).setBigUint64(2 + ED25519_PUBLIC_KEY_BYTES, BigInt(expiresAtSeconds));
  return out;
}

/**
 * A one-time invitation key certified by the organisation key. `signKey`
 * (the Ed25519 seed) goes into the link's fragment and nowhere else; the
 * caller forgets it once the link is made.
 */
export function createInvitation(
  organisationKey: SignatureKeyPair,
  options: { readonly role: InvitationRole; readonly expiresAt: Date },
): { certificate: InvitationCertificate; signKey: Uint8Array } {
  const expiresAtSeconds = Math.floor(options.expiresAt.getTime() / 1000);
  if (!Number.isSafeInteger(expiresAtSeconds)) throw new RangeError("expiresAt is not a valid date");
  const { secretKey, publicKey } = ed25519.keygen();
  const fields = { invitationPublicKey: publicKey, role: options.role, expiresAtSeconds };
  const organisationSignature = signLabelled(INVITATION_LABEL, encodeSignedPart(fields), organisationKey.signKey);
  return { certificate: { ...fields, organisationSignature }, signKey: secretKey };
}

/** Whether the organisation key signed this certificate (expiry is the caller's concern). */
export function verifyInvitationCertificate(
  certificate: InvitationCertificate,
  organisationPublicKey: Uint8Array,
): boolean {
  let signed: Uint8Array;
  try {
    signed = encodeSignedPart(certificate);
  } catch {
    return false;
  }
  return verifyLabelled(INVITATION_LABEL, signed, certificate.organisationSignature, organisationPublicKey);
}

/** Fixed 106 bytes: the signed part, then the 64-byte signature. */
export function encodeInvitationCertificate(certificate: InvitationCertificate): Uint8Array {
  if (certificate.organisationSignature.length !== ED25519_SIGNATURE_BYTES) {
    throw new RangeError("organisationSignature must be 64 bytes");
  }
  const out = new Uint8Array(INVITATION_CERTIFICATE_BYTES);
  out.set(encodeSignedPart(certificate));
  out.set(certificate.organisationSignature, SIGNED_BYTES);
  return out;
}

export function decodeInvitationCertificate(bytes: Uint8Array): DecodeResult<InvitationCertificate> {
  if (bytes.length === 0) return decodeFailure("empty", "invitationCertificate");
  if (bytes[0] !== VERSION) return decodeFailure("unknown_version", "invitationCertificate.version");
  if (bytes.length < INVITATION_CERTIFICATE_BYTES) return decodeFailure("wrong_length", "invitationCertificate");
  if (bytes.length > INVITATION_CERTIFICATE_BYTES) return decodeFailure("trailing_bytes", "invitationCertificate");
  const role = roleOf(bytes[1 + ED25519_PUBLIC_KEY_BYTES]);
  if (role === undefined) return decodeFailure("invalid_field", "invitationCertificate.role");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expires = view.getBigUint64(2 + ED25519_PUBLIC_KEY_BYTES);
  if (expires > BigInt(Number.MAX_SAFE_INTEGER)) {
    return decodeFailure("invalid_field", "invitationCertificate.expiresAtSeconds");
  }
  return decodeSuccess({
    invitationPublicKey: bytes.slice(1, 1 + ED25519_PUBLIC_KEY_BYTES),
    role,
    expiresAtSeconds: Number(expires),
    organisationSignature: bytes.slice(SIGNED_BYTES),
  });
}
