// The invitation link's parse gate: invitationLinkRead.ts reads the link
// without crypto, for the web app's first screen; this adds its signatures.
import { checkInvitationCertificate, equalBytes, type InvitationCertificate } from "@bote/protocol/light";
import { decodeFailure, type DecodeResult } from "../decodeResult.js";
import { readInvitationLink, type InvitationLink } from "./invitationLinkRead.js";
import { publicKeyOf, verifyEd25519 } from "./organisationKey.js";

export {
  formatInvitationLink,
  invitationTimeIsOver,
  readInvitationLink,
  type InvitationLink,
  type InvitationSecrets,
} from "./invitationLinkRead.js";

/**
 * The one parse gate for invitation links. Refuses anything but the exact
 * shape formatInvitationLink makes (in any parameter order): unknown or
 * repeated parameters (an old link's organisation key `s` among them), an
 * incomplete pair of secrets, a certificate its own organisation key did
 * not sign, or a `k` that is not the certificate's invitation key. Expiry is
 * the caller's check, with its clock (isInvitationExpired).
 */
export function parseInvitationLink(url: string): DecodeResult<InvitationLink> {
  const read = readInvitationLink(url);
  if (!read.ok || read.value.invitation === undefined) return read;
  const { invitationSignKey, certificate } = read.value.invitation;
  // Signature only: the expiry is judged at redemption, with the caller's clock.
  const fault = checkInvitationCertificate(
    certificate,
    certificate.organisationKey,
    certificate.expiresAtSeconds,
    verifyEd25519,
  );
  if (fault !== undefined) return decodeFailure("invalid_field", "invitationLink.c.signature");
  const invitationKey = publicKeyOf(invitationSignKey);
  if (invitationKey === undefined || !equalBytes(invitationKey, certificate.invitationKey)) {
    return decodeFailure("invalid_field", "invitationLink.k");
  }
  return read;
}

/** Whether the invitation's time is over at `now` (a few minutes of clock difference allowed). */
export function isInvitationExpired(certificate: InvitationCertificate, now: Date): boolean {
  return (
    checkInvitationCertificate(
      certificate,
      certificate.organisationKey,
      Math.floor(now.getTime() / 1000),
      verifyEd25519,
    ) === "invitation_expired"
  );
}
