import type { AuthenticationService, Credential } from "ts-mls";
import { readMlsCredential, type BoteCredential } from "./credential.js";
import type { DecodeFailure } from "./decodeResult.js";

/**
 * Decides whether a member is who their credential says. Bote's policy (org
 * signature, verified safety number, explicitly unverified contact) lives
 * behind this port; ts-mls's default accepts anyone, so it is never used.
 */
export interface AuthenticationPort {
  authenticate(credential: BoteCredential, signaturePublicKey: Uint8Array): Promise<boolean>;
}

export type AuthenticationRejection =
  | { readonly reason: "undecodable_credential"; readonly error: DecodeFailure }
  | { readonly reason: "device_key_mismatch"; readonly credential: BoteCredential }
  | { readonly reason: "port_rejected"; readonly credential: BoteCredential };

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
      if (!(await port.authenticate(decoded.value, signaturePublicKey))) {
        rejections.push({ reason: "port_rejected", credential: decoded.value });
        return false;
      }
      return true;
    },
  };
}
