/**
 * The rules that make a statement valid, shared by clients and the server so
 * both judge the same bytes the same way. The signature primitive is passed
 * in: noble's Ed25519 in browsers and core, node:crypto in the server.
 */
import { equalBytes } from "../base64url.js";
import {
  accountCertificateBody,
  contactPointBody,
  policyBody,
  deviceCertificateBody,
  directoryEntryBody,
  invitationCertificateBody,
  keyRotationBody,
  MAX_INVITATION_LIFETIME_SECONDS,
  revocationBody,
  signedMessage,
  STATEMENT_LABELS,
  type AccountCertificate,
  type ContactPoint,
  type Policy,
  type DeviceCertificate,
  type DirectoryEntryStatement,
  type InvitationCertificate,
  type KeyRotation,
  type Revocation,
  type StatementLabel,
} from "./statements.js";

/** Strict RFC 8032 verification; false for anything that is not a key or signature. */
export type VerifyEd25519 = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

export type StatementFault =
  /** Signed in the name of another organisation key than the one the verifier trusts now. */
  | "wrong_organisation_key"
  | "bad_signature"
  /** The invitation's time is over: its key certifies nothing any more. */
  | "invitation_expired"
  /** An invitation claiming to live longer than any admin device issues. */
  | "invitation_too_long"
  /** A provisional certificate for another account, name or role than its invitation names. */
  | "invitation_mismatch"
  /** A device certificate for another account or account key. */
  | "device_mismatch"
  /** A customer's self-signed certificate where a member's is needed, or the reverse. */
  | "guest_certificate";

// Tolerated difference between an issuer's clock and the verifier's.
export const CLOCK_SKEW_SECONDS = 10 * 60;

/**
 * An invitation certificate signed by `organisationKey`, not expired at
 * `nowSeconds` and not claiming more than the longest lifetime. Undefined
 * when valid.
 */
export function checkInvitationCertificate(
  c: InvitationCertificate,
  organisationKey: Uint8Array,
  nowSeconds: number,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (!equalBytes(c.organisationKey, organisationKey)) return "wrong_organisation_key";
  if (!verify(organisationKey, signedMessage(STATEMENT_LABELS.invitation, invitationCertificateBody(c)), c.signature)) {
    return "bad_signature";
  }
  if (c.expiresAtSeconds > nowSeconds + MAX_INVITATION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return "invitation_too_long";
  }
  if (nowSeconds > c.expiresAtSeconds + CLOCK_SKEW_SECONDS) return "invitation_expired";
  return undefined;
}

/**
 * An account certificate valid under `organisationKey`: signed by it, or
 * signed by an unexpired invitation key it certified for exactly this
 * account id, name and role. Whether this is the first key for the account
 * and for the invitation is the caller's question (OrganisationView).
 */
export function checkAccountCertificate(
  c: AccountCertificate,
  organisationKey: Uint8Array,
  nowSeconds: number,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (!equalBytes(c.organisationKey, organisationKey)) return "wrong_organisation_key";
  const message = signedMessage(STATEMENT_LABELS.account, accountCertificateBody(c));
  switch (c.issuer.kind) {
    case "organisation":
      return verify(organisationKey, message, c.signature) ? undefined : "bad_signature";
    case "invitation": {
      const invitation = c.issuer.invitation;
      const fault = checkInvitationCertificate(invitation, organisationKey, nowSeconds, verify);
      if (fault !== undefined) return fault;
      if (
        !equalBytes(invitation.accountId, c.accountId) ||
        invitation.role !== c.role ||
        invitation.displayName !== c.displayName
      ) {
        return "invitation_mismatch";
      }
      return verify(invitation.invitationKey, message, c.signature) ? undefined : "bad_signature";
    }
    case "guest":
      // A guest vouches for itself: never a member of the organisation.
      return "guest_certificate";
    default: {
      const unknown: never = c.issuer;
      throw new RangeError(`unknown issuer ${String(unknown)}`);
    }
  }
}

/** A device certificate by this account's key for this device key. */
export function checkDeviceCertificate(
  c: DeviceCertificate,
  expected: { readonly accountId: Uint8Array; readonly accountKey: Uint8Array; readonly deviceKey?: Uint8Array },
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (
    !equalBytes(c.accountId, expected.accountId) ||
    !equalBytes(c.accountKey, expected.accountKey) ||
    (expected.deviceKey !== undefined && !equalBytes(c.deviceKey, expected.deviceKey))
  ) {
    return "device_mismatch";
  }
  const message = signedMessage(STATEMENT_LABELS.device, deviceCertificateBody(c));
  return verify(c.accountKey, message, c.signature) ? undefined : "bad_signature";
}

export function checkRevocation(
  r: Revocation,
  organisationKey: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (!equalBytes(r.organisationKey, organisationKey)) return "wrong_organisation_key";
  const message = signedMessage(STATEMENT_LABELS.revocation, revocationBody(r));
  return verify(organisationKey, message, r.signature) ? undefined : "bad_signature";
}

/** A rotation away from `currentKey`, signed by it and by its successor. */
export function checkKeyRotation(
  r: KeyRotation,
  currentKey: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (!equalBytes(r.previousKey, currentKey)) return "wrong_organisation_key";
  const message = signedMessage(STATEMENT_LABELS.rotation, keyRotationBody(r));
  if (!verify(r.previousKey, message, r.previousSignature) || !verify(r.nextKey, message, r.nextSignature)) {
    return "bad_signature";
  }
  return undefined;
}

/**
 * A customer's throw-away account for `contactPointId`: signed by its own
 * account key under the organisation key the contact point was signed by.
 * It proves only that the key holder made it, and is never an organisation
 * member (docs/PROTOCOL.md §18).
 */
export function checkGuestCertificate(
  c: AccountCertificate,
  organisationKey: Uint8Array,
  contactPointId: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (c.issuer.kind !== "guest" || !equalBytes(c.issuer.contactPointId, contactPointId)) return "guest_certificate";
  if (!equalBytes(c.organisationKey, organisationKey)) return "wrong_organisation_key";
  const message = signedMessage(STATEMENT_LABELS.account, accountCertificateBody(c));
  return verify(c.accountKey, message, c.signature) ? undefined : "bad_signature";
}

/** A statement the organisation key signs itself (contact point, directory entry, policy), naming that key. */
function checkOrganisationSigned<T extends { readonly organisationKey: Uint8Array; readonly signature: Uint8Array }>(
  statement: T,
  label: StatementLabel,
  body: (statement: T) => Uint8Array,
  organisationKey: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  if (!equalBytes(statement.organisationKey, organisationKey)) return "wrong_organisation_key";
  const message = signedMessage(label, body(statement));
  return verify(organisationKey, message, statement.signature) ? undefined : "bad_signature";
}

export function checkContactPoint(
  c: ContactPoint,
  organisationKey: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  return checkOrganisationSigned(c, STATEMENT_LABELS.contactPoint, contactPointBody, organisationKey, verify);
}

export function checkDirectoryEntry(
  c: DirectoryEntryStatement,
  organisationKey: Uint8Array,
  verify: VerifyEd25519,
): StatementFault | undefined {
  return checkOrganisationSigned(c, STATEMENT_LABELS.directoryEntry, directoryEntryBody, organisationKey, verify);
}

/** A policy signed by `organisationKey`. */
export function checkPolicy(p: Policy, organisationKey: Uint8Array, verify: VerifyEd25519): StatementFault | undefined {
  return checkOrganisationSigned(p, STATEMENT_LABELS.policy, policyBody, organisationKey, verify);
}
