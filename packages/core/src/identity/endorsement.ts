import { encodeCredentialFields, type BoteCredential, type CredentialFields } from "../credential.js";
import type { Device, SignatureKeyPair } from "../device.js";
import type { Endorsement } from "./endorsementCodec.js";
import {
  MAX_INVITATION_LIFETIME_SECONDS,
  verifyInvitationCertificate,
  type InvitationCertificate,
} from "./invitation.js";
import { signLabelled, verifyLabelled } from "./organisationKey.js";

/** Prefix of every endorsement signature, by the organisation key and by invitation keys alike. */
export const CREDENTIAL_LABEL = "bote-credential-v1\0";
// Tolerated difference between the inviter's clock and the verifier's.
const CLOCK_SKEW_SECONDS = 24 * 3600;

export type EndorsementFailure =
  /** The credential carries no endorsement. */
  | "not_endorsed"
  /** The signature does not cover these fields under the key it names (tampered, or another organisation's). */
  | "bad_signature"
  /** The invitation certificate is not signed by this organisation, or claims a lifetime no admin device issues. */
  | "bad_certificate";

export type EndorsementVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: EndorsementFailure };

/** An admin device vouches for a credential with the organisation key. */
export function endorseByOrganisation(fields: CredentialFields, organisationKey: SignatureKeyPair): Endorsement {
  return {
    kind: "organisation",
    signature: signLabelled(CREDENTIAL_LABEL, encodeCredentialFields(fields), organisationKey.signKey),
  };
}

/** A joining device vouches for its own credential with the invitation key from its link. */
export function endorseByInvitation(
  fields: CredentialFields,
  certificate: InvitationCertificate,
  invitationSignKey: Uint8Array,
): Endorsement {
  return {
    kind: "invitation",
    certificate,
    signature: signLabelled(CREDENTIAL_LABEL, encodeCredentialFields(fields), invitationSignKey),
  };
}

/**
 * The device with its credential endorsed. The device key pair exists first
 * (the server needs its public half to redeem the invitation and hand out
 * the account id), so endorsing is a step after createDevice.
 */
export function endorseDevice(device: Device, endorsement: Endorsement): Device {
  return { ...device, credential: { ...device.credential, endorsement } };
}

/**
 * Whether the credential's endorsement chains to `organisationPublicKey`.
 *
 * An invitation endorsement is accepted after its certificate expired. A
 * credential carries no trustworthy time of making, and every invited
 * member's credential is endorsed this way for the life of the device: an
 * expiry check would cast out every newcomer once their link expired, while
 * the expiry itself is enforced where it matters, by the server refusing to
 * redeem the link's token. The residual risk — someone who later obtains an
 * invitation's private key endorsing more credentials with it, with a
 * colluding server to create the accounts — is bounded by the key living only
 * in the link's fragment and being forgotten by both sides once used.
 * `now` only refuses certificates that claim to live longer than any
 * invitation may, so an admin device cannot issue a key that never expires.
 */
export function verifyEndorsement(
  credential: BoteCredential,
  organisationPublicKey: Uint8Array,
  now: Date,
): EndorsementVerdict {
  const endorsement = credential.endorsement;
  if (endorsement === undefined) return { ok: false, reason: "not_endorsed" };
  let signed: Uint8Array;
  try {
    signed = encodeCredentialFields(credential);
  } catch {
    return { ok: false, reason: "bad_signature" };
  }
  switch (endorsement.kind) {
    case "organisation":
      return verifyLabelled(CREDENTIAL_LABEL, signed, endorsement.signature, organisationPublicKey)
        ? { ok: true }
        : { ok: false, reason: "bad_signature" };
    case "invitation": {
      const { certificate } = endorsement;
      const latestExpiry = Math.floor(now.getTime() / 1000) + MAX_INVITATION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS;
      if (
        !verifyInvitationCertificate(certificate, organisationPublicKey) ||
        certificate.expiresAtSeconds > latestExpiry
      ) {
        return { ok: false, reason: "bad_certificate" };
      }
      return verifyLabelled(CREDENTIAL_LABEL, signed, endorsement.signature, certificate.invitationPublicKey)
        ? { ok: true }
        : { ok: false, reason: "bad_signature" };
    }
    default: {
      const unknown: never = endorsement;
      throw new RangeError(`unknown endorsement kind ${String(unknown)}`);
    }
  }
}
