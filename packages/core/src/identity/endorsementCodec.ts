// The endorsement as it travels at the end of a credential (version 2). Kept
// apart from the signing code so credential.ts can decode it without a cycle.
import { decodeFailure, decodeSuccess, type DecodeResult } from "../decodeResult.js";
import {
  decodeInvitationCertificate,
  encodeInvitationCertificate,
  INVITATION_CERTIFICATE_BYTES,
  type InvitationCertificate,
} from "./invitation.js";
import { ED25519_SIGNATURE_BYTES } from "./organisationKey.js";

/**
 * Who vouches for a credential: the organisation key itself, or a one-time
 * invitation key the organisation certified. `signature` covers the
 * credential's account id, device key and display name (see endorsement.ts).
 */
export type Endorsement =
  | { readonly kind: "organisation"; readonly signature: Uint8Array }
  | { readonly kind: "invitation"; readonly certificate: InvitationCertificate; readonly signature: Uint8Array };

const NONE = 0;
const ORGANISATION = 1;
const INVITATION = 2;

/** Tag byte 0 (none), 1 ‖ signature, or 2 ‖ certificate (106 bytes) ‖ signature. */
export function encodeEndorsement(endorsement: Endorsement | undefined): Uint8Array {
  if (endorsement === undefined) return Uint8Array.of(NONE);
  if (endorsement.signature.length !== ED25519_SIGNATURE_BYTES) throw new RangeError("signature must be 64 bytes");
  switch (endorsement.kind) {
    case "organisation":
      return Uint8Array.of(ORGANISATION, ...endorsement.signature);
    case "invitation":
      return Uint8Array.of(
        INVITATION,
        ...encodeInvitationCertificate(endorsement.certificate),
        ...endorsement.signature,
      );
    default: {
      const unknown: never = endorsement;
      throw new RangeError(`unknown endorsement kind ${String(unknown)}`);
    }
  }
}

/** Decodes exactly `bytes` (the rest of a credential); `field` is the path to report faults under. */
export function decodeEndorsement(bytes: Uint8Array, field: string): DecodeResult<Endorsement | undefined> {
  if (bytes.length === 0) return decodeFailure("wrong_length", field);
  const tag = bytes[0]!; // bytes is not empty
  const body = bytes.subarray(1);
  const expect = (length: number): DecodeResult<undefined> | undefined => {
    if (body.length < length) return decodeFailure("wrong_length", field);
    if (body.length > length) return decodeFailure("trailing_bytes", field);
    return undefined;
  };
  switch (tag) {
    case NONE:
      return expect(0) ?? decodeSuccess(undefined);
    case ORGANISATION:
      return expect(ED25519_SIGNATURE_BYTES) ?? decodeSuccess({ kind: "organisation", signature: body.slice() });
    case INVITATION: {
      const fault = expect(INVITATION_CERTIFICATE_BYTES + ED25519_SIGNATURE_BYTES);
      if (fault !== undefined) return fault;
      const certificate = decodeInvitationCertificate(body.subarray(0, INVITATION_CERTIFICATE_BYTES));
      if (!certificate.ok) {
        return decodeFailure(certificate.error.reason, `${field}.${certificate.error.field}`);
      }
      return decodeSuccess({
        kind: "invitation",
        certificate: certificate.value,
        signature: body.slice(INVITATION_CERTIFICATE_BYTES),
      });
    }
    default:
      return decodeFailure("invalid_field", `${field}.kind`);
  }
}
