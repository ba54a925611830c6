import type { AuthenticationService, Credential } from "ts-mls";
import { readMlsCredential, type BoteCredential } from "./credential.js";
import type { DecodeFailure } from "./decodeResult.js";

/**
 * Decides whether a member is who their credential says. Bote's policy (org
 * signature, verified safety number, explicitly unverified contact) lives
 * behind this port (createTrustPolicy); ts-mls's default accepts anyone, so
 * it is never used.
 */
export interface AuthenticationPort {
  authenticate(credential: BoteCredential, signaturePublicKey: Uint8Array): Promise<TrustVerdict>;
}

/** Why a member may be in a group: the organisation vouches, or the user decided. */
export type TrustBasis =
  /** The chain organisation key → account certificate → device certificate holds, unrevoked. */
  | "organisation"
  /** The user compared the safety number (or scanned the QR code). */
  | "verified"
  /** The user explicitly accepted this device without verifying it. */
  | "unverified"
  /**
   * A customer's self-signed guest account for a contact point the
   * organisation's log names; never a member of the organisation.
   */
  | "contact_point";

export type TrustRejectionReason =
  /** Nothing to check a chain against (no organisation), and the user has not accepted this device. */
  | "unknown_contact"
  /** A chain that does not hold: forged, tampered, expired invitation, an old key, another organisation's. */
  | "bad_endorsement"
  /** Another account key than the one this device accepted for the account (or for its invitation). */
  | "key_changed"
  /** The organisation revoked the account or the device. */
  | "revoked";

export type TrustVerdict =
  | { readonly accepted: true; readonly basis: TrustBasis }
  | { readonly accepted: false; readonly reason: TrustRejectionReason };

export type AuthenticationRejection =
  | { readonly reason: "undecodable_credential"; readonly error: DecodeFailure }
  | { readonly reason: "device_key_mismatch"; readonly credential: BoteCredential }
  | { readonly reason: "port_rejected"; readonly credential: BoteCredential; readonly verdict: TrustRejectionReason };

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Adapts the port to ts-mls. Each rejection is recorded in `rejections`
 * because ts-mls only reports a generic validation error; the caller turns
 * a recorded rejection into a typed `authentication_rejected` error.
 */
export function makeAuthenticationService(
  port: AuthenticationPort,
  rejections: AuthenticationRejection[],
): AuthenticationService {
  return {
    async validateCredential(credential: Credential, signaturePublicKey: Uint8Array): Promise<boolean> {
      const decoded = readMlsCredential(credential);
      if (!decoded.ok) {
        rejections.push({ reason: "undecodable_credential", error: decoded.error });
        return false;
      }
      // The credential names the device key; a leaf signing with another key
      // would let one device impersonate another under a valid credential.
      if (!equalBytes(decoded.value.devicePublicKey, signaturePublicKey)) {
        rejections.push({ reason: "device_key_mismatch", credential: decoded.value });
        return false;
      }
      const verdict = await port.authenticate(decoded.value, signaturePublicKey);
      if (!verdict.accepted) {
        rejections.push({ reason: "port_rejected", credential: decoded.value, verdict: verdict.reason });
        return false;
      }
      return true;
    },
  };
}
