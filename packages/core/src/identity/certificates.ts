// Making the statements of the trust chain. Each function signs exactly the
// body @bote/protocol defines; checking them is protocol's checks.ts plus
// the OrganisationView's memory of what it has already seen.
import {
  accountCertificateBody,
  contactPointBody,
  deviceCertificateBody,
  directoryEntryBody,
  invitationCertificateBody,
  keyRotationBody,
  policyBody,
  revocationBody,
  STATEMENT_LABELS,
  type AccountCertificate,
  type ContactPoint,
  type DeviceCertificate,
  type DirectoryEntryStatement,
  type InvitationCertificate,
  type KeyRotation,
  type Policy,
  type PolicyRules,
  type Revocation,
  type RevocationTarget,
  type Role,
  type StatementLabel,
} from "@bote/protocol";
import type { SignatureKeyPair } from "../device.js";
import { createSigningKey, signStatement } from "./organisationKey.js";

const seconds = (at: Date): number => {
  const value = Math.floor(at.getTime() / 1000);
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError("not a valid date");
  return value;
};

export interface AccountFields {
  readonly accountId: Uint8Array;
  readonly displayName: string;
  readonly role: Role;
}

/**
 * A one-time invitation for exactly this account: `signKey` (the
 * invitation key's seed) goes into the link's fragment and nowhere else.
 */
export function createInvitation(
  organisationKey: SignatureKeyPair,
  account: AccountFields,
  options: { readonly expiresAt: Date; readonly issuedBy: Uint8Array },
): { certificate: InvitationCertificate; signKey: Uint8Array } {
  const invitationKey = createSigningKey();
  const fields = {
    organisationKey: organisationKey.publicKey,
    invitationKey: invitationKey.publicKey,
    ...account,
    expiresAtSeconds: seconds(options.expiresAt),
    issuedBy: options.issuedBy,
  };
  const signature = signStatement(
    STATEMENT_LABELS.invitation,
    invitationCertificateBody(fields),
    organisationKey.signKey,
  );
  return { certificate: { ...fields, signature }, signKey: invitationKey.signKey };
}

/** A direct certificate: the organisation vouches for this account key (first admin, confirmation, promotion). */
export function certifyAccount(
  organisationKey: SignatureKeyPair,
  account: AccountFields & { readonly accountKey: Uint8Array },
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): AccountCertificate {
  const fields = {
    organisationKey: organisationKey.publicKey,
    ...account,
    issuedAtSeconds: seconds(options.now),
    issuer: { kind: "organisation" as const, issuedBy: options.issuedBy },
  };
  return {
    ...fields,
    signature: signStatement(STATEMENT_LABELS.account, accountCertificateBody(fields), organisationKey.signKey),
  };
}

/** The newcomer's own, provisional certificate, signed with the invitation key from the link. */
export function certifyAccountByInvitation(
  invitation: InvitationCertificate,
  invitationSignKey: Uint8Array,
  accountKey: Uint8Array,
  now: Date,
): AccountCertificate {
  const fields = {
    organisationKey: invitation.organisationKey,
    accountId: invitation.accountId,
    accountKey,
    role: invitation.role,
    displayName: invitation.displayName,
    issuedAtSeconds: seconds(now),
    issuer: { kind: "invitation" as const, invitation },
  };
  return {
    ...fields,
    signature: signStatement(STATEMENT_LABELS.account, accountCertificateBody(fields), invitationSignKey),
  };
}

/** The account key vouches for one of its person's devices. */
export function certifyDevice(
  accountId: Uint8Array,
  accountKey: SignatureKeyPair,
  deviceKey: Uint8Array,
  now: Date,
): DeviceCertificate {
  const fields = { accountId, accountKey: accountKey.publicKey, deviceKey, issuedAtSeconds: seconds(now) };
  return {
    ...fields,
    signature: signStatement(STATEMENT_LABELS.device, deviceCertificateBody(fields), accountKey.signKey),
  };
}

export function createRevocation(
  organisationKey: SignatureKeyPair,
  target: RevocationTarget,
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): Revocation {
  const fields = {
    organisationKey: organisationKey.publicKey,
    target,
    issuedAtSeconds: seconds(options.now),
    issuedBy: options.issuedBy,
  };
  return {
    ...fields,
    signature: signStatement(STATEMENT_LABELS.revocation, revocationBody(fields), organisationKey.signKey),
  };
}

/** A new organisation key, and the statement by which the old one hands over to it. */
export function rotateOrganisationKey(
  current: SignatureKeyPair,
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): { next: SignatureKeyPair; rotation: KeyRotation } {
  const next = createSigningKey();
  const fields = {
    previousKey: current.publicKey,
    nextKey: next.publicKey,
    issuedAtSeconds: seconds(options.now),
    issuedBy: options.issuedBy,
  };
  const body = keyRotationBody(fields);
  return {
    next,
    rotation: {
      ...fields,
      previousSignature: signStatement(STATEMENT_LABELS.rotation, body, current.signKey),
      nextSignature: signStatement(STATEMENT_LABELS.rotation, body, next.signKey),
    },
  };
}

/**
 * A customer's own certificate for one contact point: the guest's account
 * key signs it, so it proves nothing but that the key holder made it
 * (checkGuestCertificate). The display name is what the customer typed.
 */
export function certifyGuest(
  accountKey: SignatureKeyPair,
  guest: {
    readonly accountId: Uint8Array;
    readonly displayName: string;
    readonly organisationKey: Uint8Array;
    readonly contactPointId: Uint8Array;
  },
  now: Date,
): AccountCertificate {
  const fields = {
    organisationKey: guest.organisationKey,
    accountId: guest.accountId,
    accountKey: accountKey.publicKey,
    role: "member" as const,
    displayName: guest.displayName,
    issuedAtSeconds: seconds(now),
    issuer: { kind: "guest" as const, contactPointId: guest.contactPointId },
  };
  return {
    ...fields,
    signature: signStatement(STATEMENT_LABELS.account, accountCertificateBody(fields), accountKey.signKey),
  };
}

export type ContactPointFields = Omit<ContactPoint, "organisationKey" | "issuedAtSeconds" | "issuedBy" | "signature">;

type IssuedByOrganisation = {
  readonly organisationKey: Uint8Array;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
};

/** `content` as a statement the organisation key signs itself: stamped with the key, the time and the admin. */
function signByOrganisation<C extends object>(
  organisationKey: SignatureKeyPair,
  content: C,
  label: StatementLabel,
  body: (fields: C & IssuedByOrganisation) => Uint8Array,
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): C & IssuedByOrganisation & { readonly signature: Uint8Array } {
  const fields = {
    ...content,
    organisationKey: organisationKey.publicKey,
    issuedAtSeconds: seconds(options.now),
    issuedBy: options.issuedBy,
  };
  return { ...fields, signature: signStatement(label, body(fields), organisationKey.signKey) };
}

/** The organisation's statement that publishes (or changes, or closes) a contact point. */
export function createContactPointStatement(
  organisationKey: SignatureKeyPair,
  contactPoint: ContactPointFields,
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): ContactPoint {
  return signByOrganisation(organisationKey, contactPoint, STATEMENT_LABELS.contactPoint, contactPointBody, options);
}

/** The organisation's statement of a person's department and job title (empty clears). */
export function createDirectoryEntry(
  organisationKey: SignatureKeyPair,
  entry: { readonly accountId: Uint8Array; readonly department: string; readonly title: string },
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): DirectoryEntryStatement {
  const { accountId, department, title } = entry;
  return signByOrganisation(
    organisationKey,
    { accountId, department, title },
    STATEMENT_LABELS.directoryEntry,
    directoryEntryBody,
    options,
  );
}

/** The organisation's statement of the rules every device follows (docs/PROTOCOL.md, "Policy"). */
export function createPolicyStatement(
  organisationKey: SignatureKeyPair,
  rules: PolicyRules,
  options: { readonly issuedBy: Uint8Array; readonly now: Date },
): Policy {
  return signByOrganisation(organisationKey, rules, STATEMENT_LABELS.policy, policyBody, options);
}
