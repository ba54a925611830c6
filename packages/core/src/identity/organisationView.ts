// What one device knows about its organisation's trust chain: the key it
// anchors on and the rotations since, the account key it accepted for each
// account, which invitation keys were used, and what was revoked. Pure: the
// statements go in, a new view comes out; the SDK stores it with the profile.
import {
  checkAccountCertificate,
  checkContactPoint,
  checkDeviceCertificate,
  checkDirectoryEntry,
  checkGuestCertificate,
  checkKeyRotation,
  checkPolicy,
  checkRevocation,
  decodeAccountCertificate,
  decodeContactPoint,
  decodeDirectoryEntry,
  decodeKeyRotation,
  decodePolicy,
  encodeAccountCertificate,
  encodeContactPoint,
  encodeDirectoryEntry,
  encodeBase64url,
  encodeKeyRotation,
  encodePolicy,
  decodeBase64url,
  equalBytes,
  type AccountCertificate,
  type ContactPoint,
  type DirectoryEntryStatement,
  type KeyRotation,
  type OrganisationStatement,
  type Policy,
  type Revocation,
  type StatementFault,
} from "@bote/protocol";
import type { BoteCredential } from "../credential.js";
import { verifyEd25519 } from "./organisationKey.js";

export interface AccountEntry {
  /** The newest certificate accepted for the account's one key: its name and role are the ones to show. */
  readonly certificate: AccountCertificate;
}

export interface OrganisationView {
  /** The key this device first trusted: from its invitation link, or made by itself as the first admin. */
  readonly anchorKey: Uint8Array;
  /** The head of the rotation chain from the anchor: the only key whose new statements count. */
  readonly currentKey: Uint8Array;
  readonly rotations: readonly KeyRotation[];
  /** By base64url account id. */
  readonly accounts: ReadonlyMap<string, AccountEntry>;
  /** Invitation key → the one account key it certified. */
  readonly invitationKeys: ReadonlyMap<string, string>;
  readonly revokedAccounts: ReadonlySet<string>;
  /** Base64url device keys. */
  readonly revokedDevices: ReadonlySet<string>;
  readonly revokedInvitations: ReadonlySet<string>;
  /** Account id → another account key that was shown for it and not accepted. */
  readonly keyChanges: ReadonlyMap<string, string>;
  /**
   * By base64url contact point id: the newest statement signed by the
   * current key (by issued at, then log order). A guest is accepted only for
   * a contact point named here.
   */
  readonly contactPoints: ReadonlyMap<string, ContactPoint>;
  /**
   * By base64url account id: the newest directory entry (department, title)
   * signed by the current key. The directory shows only what is here, never
   * the server's word.
   */
  readonly directory: ReadonlyMap<string, DirectoryEntryStatement>;
  /**
   * The newest policy signed by the current key (by issued at, then log
   * order); undefined while the organisation set none and the defaults apply.
   */
  readonly policy?: Policy;
  /** How far the server's organisation log has been applied. */
  readonly logSeq: number;
}

export type AdmitOutcome =
  | { readonly kind: "admitted" | "updated" | "unchanged"; readonly entry: AccountEntry }
  | { readonly kind: "key_changed" }
  | { readonly kind: "revoked" }
  | { readonly kind: "invalid"; readonly fault: StatementFault };

export type CredentialVerdict =
  | { readonly status: "confirmed"; readonly entry: AccountEntry }
  /** A customer's self-signed account for a contact point this organisation published; never a member. */
  | { readonly status: "guest"; readonly contactPoint: ContactPoint }
  | {
      readonly status: "unconfirmed";
      readonly reason: "revoked" | "key_changed" | "bad_device_certificate" | StatementFault;
    };

const b64 = encodeBase64url;
const seconds = (now: Date): number => Math.floor(now.getTime() / 1000);

export function createOrganisationView(anchorKey: Uint8Array): OrganisationView {
  return {
    anchorKey,
    currentKey: anchorKey,
    rotations: [],
    accounts: new Map(),
    invitationKeys: new Map(),
    revokedAccounts: new Set(),
    revokedDevices: new Set(),
    revokedInvitations: new Set(),
    keyChanges: new Map(),
    contactPoints: new Map(),
    directory: new Map(),
    logSeq: 0,
  };
}

function withKeyChange(view: OrganisationView, accountId: string, accountKey: Uint8Array): OrganisationView {
  const keyChanges = new Map(view.keyChanges);
  keyChanges.set(accountId, b64(accountKey));
  return { ...view, keyChanges };
}

/**
 * Accepts an account certificate if it chains to the current organisation
 * key and names the account's one key: the first key seen for an account
 * (and for an invitation) is the one; any other is a key change, never
 * trusted silently. A direct certificate replaces a provisional one, and a
 * newer one an older (rename, promotion, demotion).
 */
export function admitAccount(
  view: OrganisationView,
  certificate: AccountCertificate,
  now: Date,
): { view: OrganisationView; outcome: AdmitOutcome } {
  const id = b64(certificate.accountId);
  if (view.revokedAccounts.has(id)) return { view, outcome: { kind: "revoked" } };
  const fault = checkAccountCertificate(certificate, view.currentKey, seconds(now), verifyEd25519);
  if (fault !== undefined) return { view, outcome: { kind: "invalid", fault } };
  const accountKey = b64(certificate.accountKey);
  const issuer = certificate.issuer;
  const invitationKey = issuer.kind === "invitation" ? b64(issuer.invitation.invitationKey) : undefined;
  if (invitationKey !== undefined) {
    if (view.revokedInvitations.has(invitationKey)) return { view, outcome: { kind: "revoked" } };
    const used = view.invitationKeys.get(invitationKey);
    if (used !== undefined && used !== accountKey) {
      return { view: withKeyChange(view, id, certificate.accountKey), outcome: { kind: "key_changed" } };
    }
  }
  const existing = view.accounts.get(id);
  if (existing !== undefined && !equalBytes(existing.certificate.accountKey, certificate.accountKey)) {
    return { view: withKeyChange(view, id, certificate.accountKey), outcome: { kind: "key_changed" } };
  }
  const entry: AccountEntry = { certificate };
  const accounts = new Map(view.accounts);
  const invitationKeys = new Map(view.invitationKeys);
  if (invitationKey !== undefined) invitationKeys.set(invitationKey, accountKey);
  if (existing === undefined) {
    accounts.set(id, entry);
    return { view: { ...view, accounts, invitationKeys }, outcome: { kind: "admitted", entry } };
  }
  const old = existing.certificate;
  const replaces =
    certificate.issuer.kind === "organisation" &&
    (old.issuer.kind === "invitation" ||
      certificate.issuedAtSeconds > old.issuedAtSeconds ||
      // A re-issue under a rotated key supersedes one under the old key at the same second.
      (certificate.issuedAtSeconds === old.issuedAtSeconds && !equalBytes(old.organisationKey, view.currentKey)));
  if (!replaces) return { view, outcome: { kind: "unchanged", entry: existing } };
  accounts.set(id, entry);
  return { view: { ...view, accounts, invitationKeys }, outcome: { kind: "updated", entry } };
}

export function applyRevocation(
  view: OrganisationView,
  revocation: Revocation,
): { view: OrganisationView; fault?: StatementFault } {
  const fault = checkRevocation(revocation, view.currentKey, verifyEd25519);
  if (fault !== undefined) return { view, fault };
  const target = revocation.target;
  switch (target.kind) {
    case "account": {
      const revokedAccounts = new Set(view.revokedAccounts).add(b64(target.accountId));
      const accounts = new Map(view.accounts);
      accounts.delete(b64(target.accountId));
      return { view: { ...view, revokedAccounts, accounts } };
    }
    case "device":
      return { view: { ...view, revokedDevices: new Set(view.revokedDevices).add(b64(target.deviceKey)) } };
    case "invitation":
      return {
        view: { ...view, revokedInvitations: new Set(view.revokedInvitations).add(b64(target.invitationKey)) },
      };
    default: {
      const unknown: never = target;
      throw new RangeError(`unknown revocation target ${String(unknown)}`);
    }
  }
}

/** Follows one rotation from the current key; anything else leaves the view as it is. */
export function applyRotation(
  view: OrganisationView,
  rotation: KeyRotation,
): { view: OrganisationView; fault?: StatementFault } {
  const fault = checkKeyRotation(rotation, view.currentKey, verifyEd25519);
  if (fault !== undefined) return { view, fault };
  return { view: { ...view, currentKey: rotation.nextKey, rotations: [...view.rotations, rotation] } };
}

/**
 * Keeps a contact point signed by the current key if it is the newest for
 * its id: a later issued-at wins, an equal one too (log order), an older one
 * changes nothing.
 */
export function applyContactPoint(
  view: OrganisationView,
  contactPoint: ContactPoint,
): { view: OrganisationView; fault?: StatementFault } {
  const fault = checkContactPoint(contactPoint, view.currentKey, verifyEd25519);
  if (fault !== undefined) return { view, fault };
  const id = b64(contactPoint.contactPointId);
  const known = view.contactPoints.get(id);
  if (known !== undefined && known.issuedAtSeconds > contactPoint.issuedAtSeconds) return { view };
  const contactPoints = new Map(view.contactPoints).set(id, contactPoint);
  return { view: { ...view, contactPoints } };
}

/** Keeps a directory entry signed by the current key if it is the newest for its account (ties: log order). */
export function applyDirectoryEntry(
  view: OrganisationView,
  entry: DirectoryEntryStatement,
): { view: OrganisationView; fault?: StatementFault } {
  const fault = checkDirectoryEntry(entry, view.currentKey, verifyEd25519);
  if (fault !== undefined) return { view, fault };
  const id = b64(entry.accountId);
  const known = view.directory.get(id);
  if (known !== undefined && known.issuedAtSeconds > entry.issuedAtSeconds) return { view };
  return { view: { ...view, directory: new Map(view.directory).set(id, entry) } };
}

/** Keeps a policy signed by the current key unless a newer one is known: the newest wins, an equal one by log order. */
export function applyPolicy(
  view: OrganisationView,
  policy: Policy,
): { view: OrganisationView; fault?: StatementFault } {
  const fault = checkPolicy(policy, view.currentKey, verifyEd25519);
  if (fault !== undefined) return { view, fault };
  if (view.policy !== undefined && view.policy.issuedAtSeconds > policy.issuedAtSeconds) return { view };
  return { view: { ...view, policy } };
}

/** The contact point with this slug, if the view knows one. */
export function findContactPoint(view: OrganisationView, slug: string): ContactPoint | undefined {
  return [...view.contactPoints.values()].find((c) => c.slug === slug);
}

/** One statement of the organisation's log. Invalid ones change nothing and are reported. */
export function applyStatement(
  view: OrganisationView,
  statement: OrganisationStatement,
  now: Date,
): { view: OrganisationView; fault?: StatementFault | "revoked" | "key_changed" } {
  switch (statement.kind) {
    case "rotation":
      return applyRotation(view, statement.rotation);
    case "revocation":
      return applyRevocation(view, statement.revocation);
    case "account": {
      const { view: next, outcome } = admitAccount(view, statement.certificate, now);
      if (outcome.kind === "invalid") return { view: next, fault: outcome.fault };
      if (outcome.kind === "revoked" || outcome.kind === "key_changed") return { view: next, fault: outcome.kind };
      return { view: next };
    }
    case "invitation":
      // Invitations matter to admins' lists, not to trust: a redeemed one arrives as an account certificate.
      return { view };
    case "contactPoint":
      return applyContactPoint(view, statement.contactPoint);
    case "directoryEntry":
      return applyDirectoryEntry(view, statement.entry);
    case "policy":
      return applyPolicy(view, statement.policy);
    default: {
      const unknown: never = statement;
      throw new RangeError(`unknown statement ${String(unknown)}`);
    }
  }
}

/**
 * Whether the chain organisation → account → device holds for a member's
 * credential and nothing revoked any link of it. An account not seen before
 * is admitted on the certificate its leaf carries; the returned view then
 * remembers its key.
 */
export function evaluateCredential(
  view: OrganisationView,
  credential: BoteCredential,
  now: Date,
): { view: OrganisationView; verdict: CredentialVerdict } {
  const deviceFault = checkDeviceCertificate(
    credential.deviceCertificate,
    { accountId: credential.accountId, accountKey: credential.accountKey, deviceKey: credential.devicePublicKey },
    verifyEd25519,
  );
  if (deviceFault !== undefined) {
    return { view, verdict: { status: "unconfirmed", reason: "bad_device_certificate" } };
  }
  const id = b64(credential.accountId);
  if (view.revokedAccounts.has(id) || view.revokedDevices.has(b64(credential.devicePublicKey))) {
    return { view, verdict: { status: "unconfirmed", reason: "revoked" } };
  }
  if (credential.accountCertificate.issuer.kind === "guest") return { view, verdict: evaluateGuest(view, credential) };
  const known = view.accounts.get(id);
  if (known !== undefined) {
    if (equalBytes(known.certificate.accountKey, credential.accountKey)) {
      return { view, verdict: { status: "confirmed", entry: known } };
    }
    return {
      view: withKeyChange(view, id, credential.accountKey),
      verdict: { status: "unconfirmed", reason: "key_changed" },
    };
  }
  const { view: next, outcome } = admitAccount(view, credential.accountCertificate, now);
  switch (outcome.kind) {
    case "admitted":
    case "updated":
    case "unchanged":
      return { view: next, verdict: { status: "confirmed", entry: outcome.entry } };
    case "key_changed":
    case "revoked":
      return { view: next, verdict: { status: "unconfirmed", reason: outcome.kind } };
    case "invalid":
      return { view: next, verdict: { status: "unconfirmed", reason: outcome.fault } };
    default: {
      const unknown: never = outcome;
      throw new RangeError(`unknown outcome ${String(unknown)}`);
    }
  }
}

/**
 * A guest passes only for a contact point the organisation's log names, with
 * its certificate made under the current organisation key; it never takes a
 * member's account id (the view would show a colleague's name for it) and
 * never enters `accounts`.
 */
function evaluateGuest(view: OrganisationView, credential: BoteCredential): CredentialVerdict {
  const certificate = credential.accountCertificate;
  if (certificate.issuer.kind !== "guest") return { status: "unconfirmed", reason: "guest_certificate" };
  if (view.accounts.has(b64(certificate.accountId))) return { status: "unconfirmed", reason: "key_changed" };
  const contactPoint = view.contactPoints.get(b64(certificate.issuer.contactPointId));
  if (contactPoint === undefined) return { status: "unconfirmed", reason: "guest_certificate" };
  const fault = checkGuestCertificate(certificate, view.currentKey, contactPoint.contactPointId, verifyEd25519);
  if (fault !== undefined) return { status: "unconfirmed", reason: fault };
  return { status: "guest", contactPoint };
}

// ---------------------------------------------------------------------------
// Storage: JSON with base64url bytes. The view is the device's own record,
// so it is read back without checking the signatures a second time.

interface StoredView {
  v: 1;
  anchor: string;
  current: string;
  rotations: string[];
  accounts: string[];
  invitationKeys: [string, string][];
  revokedAccounts: string[];
  revokedDevices: string[];
  revokedInvitations: string[];
  keyChanges: [string, string][];
  /** Absent in views stored before contact points existed. */
  contactPoints?: string[];
  /** Absent in views stored before directory entries existed. */
  directory?: string[];
  /** Absent while the organisation set no policy (and in views stored before policies existed). */
  policy?: string;
  logSeq: number;
}

export function encodeOrganisationView(view: OrganisationView): Uint8Array {
  const stored: StoredView = {
    v: 1,
    anchor: b64(view.anchorKey),
    current: b64(view.currentKey),
    rotations: view.rotations.map((r) => b64(encodeKeyRotation(r))),
    accounts: [...view.accounts.values()].map((a) => b64(encodeAccountCertificate(a.certificate))),
    invitationKeys: [...view.invitationKeys],
    revokedAccounts: [...view.revokedAccounts],
    revokedDevices: [...view.revokedDevices],
    revokedInvitations: [...view.revokedInvitations],
    keyChanges: [...view.keyChanges],
    contactPoints: [...view.contactPoints.values()].map((c) => b64(encodeContactPoint(c))),
    directory: [...view.directory.values()].map((e) => b64(encodeDirectoryEntry(e))),
    ...(view.policy === undefined ? {} : { policy: b64(encodePolicy(view.policy)) }),
    logSeq: view.logSeq,
  };
  return new TextEncoder().encode(JSON.stringify(stored));
}

function bytes(text: unknown): Uint8Array {
  const out = typeof text === "string" ? decodeBase64url(text) : undefined;
  if (out === undefined) throw new RangeError("stored organisation view is damaged");
  return out;
}

function strings(value: unknown): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new RangeError("stored organisation view is damaged");
  }
  return value;
}

function pairs(value: unknown): [string, string][] {
  if (!Array.isArray(value) || !value.every((p) => Array.isArray(p) && p.length === 2)) {
    throw new RangeError("stored organisation view is damaged");
  }
  return value.map((p: unknown[]) => [strings([p[0]])[0]!, strings([p[1]])[0]!]);
}

/** Throws RangeError on a damaged record: trust state fails closed. */
export function decodeOrganisationView(encoded: Uint8Array): OrganisationView {
  const stored = JSON.parse(new TextDecoder().decode(encoded)) as Partial<StoredView>;
  if (stored.v !== 1 || typeof stored.logSeq !== "number") throw new RangeError("stored organisation view is damaged");
  const accounts = new Map<string, AccountEntry>();
  for (const text of strings(stored.accounts)) {
    const certificate = decodeAccountCertificate(bytes(text));
    if (!certificate.ok) throw new RangeError("stored organisation view is damaged");
    accounts.set(b64(certificate.value.accountId), { certificate: certificate.value });
  }
  const rotations = strings(stored.rotations).map((text) => {
    const rotation = decodeKeyRotation(bytes(text));
    if (!rotation.ok) throw new RangeError("stored organisation view is damaged");
    return rotation.value;
  });
  const contactPoints = new Map<string, ContactPoint>();
  for (const text of strings(stored.contactPoints ?? [])) {
    const contactPoint = decodeContactPoint(bytes(text));
    if (!contactPoint.ok) throw new RangeError("stored organisation view is damaged");
    contactPoints.set(b64(contactPoint.value.contactPointId), contactPoint.value);
  }
  const directory = new Map<string, DirectoryEntryStatement>();
  for (const text of strings(stored.directory ?? [])) {
    const entry = decodeDirectoryEntry(bytes(text));
    if (!entry.ok) throw new RangeError("stored organisation view is damaged");
    directory.set(b64(entry.value.accountId), entry.value);
  }
  const policy = stored.policy === undefined ? undefined : decodePolicy(bytes(stored.policy));
  if (policy !== undefined && !policy.ok) throw new RangeError("stored organisation view is damaged");
  return {
    ...(policy === undefined ? {} : { policy: policy.value }),
    anchorKey: bytes(stored.anchor),
    currentKey: bytes(stored.current),
    rotations,
    accounts,
    invitationKeys: new Map(pairs(stored.invitationKeys)),
    revokedAccounts: new Set(strings(stored.revokedAccounts)),
    revokedDevices: new Set(strings(stored.revokedDevices)),
    revokedInvitations: new Set(strings(stored.revokedInvitations)),
    keyChanges: new Map(pairs(stored.keyChanges)),
    contactPoints,
    directory,
    logSeq: stored.logSeq,
  };
}
