/**
 * Ed25519 keys and signed statements made with node:crypto, so the server's
 * tests depend on the protocol's byte layouts only, never on @bote/core. A
 * test holds the organisation's private key the way an admin device would.
 */
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";
import {
  STATEMENT_LABELS,
  accountCertificateBody,
  contactPointBody,
  DEFAULT_POLICY_RULES,
  deviceCertificateBody,
  directoryEntryBody,
  encodeBase64url,
  encodeOrganisationStatement,
  invitationCertificateBody,
  keyRotationBody,
  policyBody,
  revocationBody,
  signedMessage,
  type AccountCertificate,
  type ContactPoint,
  type DeviceCertificate,
  type DirectoryEntryStatement,
  type InvitationCertificate,
  type KeyRotation,
  type OrganisationStatement,
  type Policy,
  type PolicyRules,
  type Revocation,
  type RevocationTarget,
  type Role,
  type StatementLabel,
} from "@bote/protocol";

export interface KeyPair {
  privateKey: KeyObject;
  /** Raw 32 bytes. */
  publicKey: Uint8Array;
}

export function newKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { privateKey, publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32)) };
}

/** The raw 32-byte seed of a private key: what must never appear on the server. */
export function privateSeed(key: KeyPair): Uint8Array {
  return new Uint8Array(key.privateKey.export({ format: "der", type: "pkcs8" }).subarray(-32));
}

export function signAs(key: KeyPair, label: StatementLabel, body: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, signedMessage(label, body), key.privateKey));
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
export const randomAccountId = (): Uint8Array => new Uint8Array(randomBytes(16));

export function invitationCertificate(
  org: KeyPair,
  fields: {
    invitationKey: Uint8Array;
    accountId: Uint8Array;
    role: Role;
    displayName: string;
    issuedBy: Uint8Array;
    expiresAtSeconds?: number;
  },
): InvitationCertificate {
  const body = {
    organisationKey: org.publicKey,
    expiresAtSeconds: fields.expiresAtSeconds ?? nowSeconds() + 7 * 24 * 3600,
    ...fields,
  };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.invitation, invitationCertificateBody(body)) };
}

/** A direct certificate by the organisation key. */
export function organisationAccountCertificate(
  org: KeyPair,
  fields: {
    accountId: Uint8Array;
    accountKey: Uint8Array;
    role: Role;
    displayName: string;
    issuedBy: Uint8Array;
    issuedAtSeconds?: number;
  },
): AccountCertificate {
  const body = {
    organisationKey: org.publicKey,
    accountId: fields.accountId,
    accountKey: fields.accountKey,
    role: fields.role,
    displayName: fields.displayName,
    issuedAtSeconds: fields.issuedAtSeconds ?? nowSeconds(),
    issuer: { kind: "organisation" as const, issuedBy: fields.issuedBy },
  };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.account, accountCertificateBody(body)) };
}

/** A provisional certificate by the invitation key; fields default to what the invitation names. */
export function provisionalAccountCertificate(
  invitation: InvitationCertificate,
  invitationKey: KeyPair,
  accountKey: Uint8Array,
  override: Partial<Pick<AccountCertificate, "accountId" | "role" | "displayName">> = {},
): AccountCertificate {
  const body = {
    organisationKey: invitation.organisationKey,
    accountId: override.accountId ?? invitation.accountId,
    accountKey,
    role: override.role ?? invitation.role,
    displayName: override.displayName ?? invitation.displayName,
    issuedAtSeconds: nowSeconds(),
    issuer: { kind: "invitation" as const, invitation },
  };
  return { ...body, signature: signAs(invitationKey, STATEMENT_LABELS.account, accountCertificateBody(body)) };
}

export function deviceCertificate(
  accountId: Uint8Array,
  accountKey: KeyPair,
  deviceKey: Uint8Array,
): DeviceCertificate {
  const body = { accountId, accountKey: accountKey.publicKey, deviceKey, issuedAtSeconds: nowSeconds() };
  return { ...body, signature: signAs(accountKey, STATEMENT_LABELS.device, deviceCertificateBody(body)) };
}

export function revocation(org: KeyPair, target: RevocationTarget, issuedBy: Uint8Array): Revocation {
  const body = { organisationKey: org.publicKey, target, issuedAtSeconds: nowSeconds(), issuedBy };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.revocation, revocationBody(body)) };
}

export function keyRotation(previous: KeyPair, next: KeyPair, issuedBy: Uint8Array): KeyRotation {
  const body = { previousKey: previous.publicKey, nextKey: next.publicKey, issuedAtSeconds: nowSeconds(), issuedBy };
  const message = keyRotationBody(body);
  return {
    ...body,
    previousSignature: signAs(previous, STATEMENT_LABELS.rotation, message),
    nextSignature: signAs(next, STATEMENT_LABELS.rotation, message),
  };
}

/** base64url of encodeOrganisationStatement, as POST /v1/organisation/statements takes it. */
export function statementText(s: OrganisationStatement): string {
  return encodeBase64url(encodeOrganisationStatement(s));
}

/** A contact point statement signed by the organisation key; open, one greeting, no required fields by default. */
export function contactPoint(
  org: KeyPair,
  fields: {
    slug: string;
    staff: Uint8Array[];
    issuedBy: Uint8Array;
    contactPointId?: Uint8Array;
    open?: boolean;
    issuedAtSeconds?: number;
  },
): ContactPoint {
  const body = {
    organisationKey: org.publicKey,
    contactPointId: fields.contactPointId ?? randomAccountId(),
    slug: fields.slug,
    open: fields.open ?? true,
    name: "Testbau – Anfragen",
    staff: fields.staff,
    greeting: "Guten Tag! Schicken Sie uns Fotos vom Schaden.",
    openingHours: "Mo–Fr 8–17 Uhr",
    privacyText: "Wir verwenden Ihre Angaben nur für diese Anfrage.",
    requiredFields: [],
    retentionDays: 90,
    issuedAtSeconds: fields.issuedAtSeconds ?? nowSeconds(),
    issuedBy: fields.issuedBy,
  };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.contactPoint, contactPointBody(body)) };
}

/** A customer's self-signed account certificate for one contact point, as its browser makes it. */
export function guestAccountCertificate(
  accountKey: KeyPair,
  fields: { organisationKey: Uint8Array; contactPointId: Uint8Array; accountId?: Uint8Array; displayName?: string },
): AccountCertificate {
  const body = {
    organisationKey: fields.organisationKey,
    accountId: fields.accountId ?? randomAccountId(),
    accountKey: accountKey.publicKey,
    role: "member" as const,
    displayName: fields.displayName ?? "Kunde",
    issuedAtSeconds: nowSeconds(),
    issuer: { kind: "guest" as const, contactPointId: fields.contactPointId },
  };
  return { ...body, signature: signAs(accountKey, STATEMENT_LABELS.account, accountCertificateBody(body)) };
}

/** A directory entry (department, title) signed by `org`. */
export function directoryEntry(
  org: KeyPair,
  fields: { accountId: Uint8Array; department: string; title?: string; issuedBy: Uint8Array },
): DirectoryEntryStatement {
  const body = {
    organisationKey: org.publicKey,
    accountId: fields.accountId,
    department: fields.department,
    title: fields.title ?? "",
    issuedAtSeconds: nowSeconds(),
    issuedBy: fields.issuedBy,
  };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.directoryEntry, directoryEntryBody(body)) };
}

/** A policy statement signed by `org`: the defaults, with the given rules changed. */
export function policy(
  org: KeyPair,
  fields: Partial<PolicyRules> & { issuedBy: Uint8Array; issuedAtSeconds?: number },
): Policy {
  const body = {
    ...DEFAULT_POLICY_RULES,
    ...fields,
    organisationKey: org.publicKey,
    issuedAtSeconds: fields.issuedAtSeconds ?? nowSeconds(),
  };
  return { ...body, signature: signAs(org, STATEMENT_LABELS.policy, policyBody(body)) };
}
