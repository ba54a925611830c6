/**
 * Signed statements: the organisation's trust chain as bytes. Every signature
 * is Ed25519 over `label ‖ body`, where body is everything of the statement
 * before its signature(s); the label says what is signed, so a signature
 * made for one purpose never verifies as another. Signing lives in @bote/core
 * and verification in core and in the server: this file only fixes the bytes.
 *
 * Chain (docs/PROTOCOL.md, "Identity and trust"): organisation key → account
 * certificate (org-signed, or provisionally by a one-time invitation key the
 * org certified for exactly that account) → device certificate (signed by
 * the account key). Revocations and key rotations are org-signed too.
 */
import { ID_BYTES, MAX_DISAPPEARING_SECONDS, MAX_DISPLAY_NAME_CHARS, MIN_CHUNK_BYTES } from "../limits.js";
import type { Role } from "../api.js";
import { ByteReader, ByteWriter, StatementDecodeError } from "./bytes.js";

export const ED25519_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
/**
 * DER headers of Ed25519 keys (RFC 8410): a 32-byte seed inside PKCS #8, a
 * public key inside SubjectPublicKeyInfo. node:crypto and WebCrypto take
 * keys only in such a container.
 */
export const ED25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x04,
  0x22,
  0x04,
  0x20,
);
export const ED25519_SPKI_PREFIX = Uint8Array.of(
  0x30,
  0x2a,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x70,
  0x03,
  0x21,
  0x00,
);
/** Device keys are Ed25519 today; the room is for a post-quantum signature scheme later. */
export const MAX_DEVICE_KEY_BYTES = 4096;
// Each UTF-16 code unit of a name is at most 3 UTF-8 bytes.
const MAX_DISPLAY_NAME_BYTES = MAX_DISPLAY_NAME_CHARS * 3;
/** The server accepts invitations of at most 30 days; no honest admin device certifies longer. */
export const MAX_INVITATION_LIFETIME_SECONDS = 30 * 24 * 3600;

export const STATEMENT_LABELS = {
  invitation: "bote-invitation-v2\0",
  account: "bote-account-v1\0",
  device: "bote-device-v1\0",
  revocation: "bote-revocation-v1\0",
  rotation: "bote-org-key-v1\0",
  contactPoint: "bote-contact-point-v1\0",
  directoryEntry: "bote-directory-v1\0",
  policy: "bote-policy-v1\0",
} as const;
export type StatementLabel = (typeof STATEMENT_LABELS)[keyof typeof STATEMENT_LABELS];

const utf8Encoder = new TextEncoder();

/** label ‖ body: the exact bytes an Ed25519 signature of a statement covers. */
export function signedMessage(label: StatementLabel, body: Uint8Array): Uint8Array {
  const prefix = utf8Encoder.encode(label);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

const CONTROL_CHARACTER = /\p{Cc}/u;

/** NFC, trimmed, 1–64 UTF-16 units, no control characters: the same rule as the HTTP schemas. */
export function isCanonicalDisplayName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= MAX_DISPLAY_NAME_CHARS &&
    name === name.normalize("NFC").trim() &&
    !CONTROL_CHARACTER.test(name)
  );
}

const ROLE_CODES: Record<Role, number> = { admin: 1, member: 2 };

function writeRole(w: ByteWriter, role: Role): void {
  w.u8(ROLE_CODES[role]);
}

function readRole(r: ByteReader): Role {
  const code = r.u8("role");
  if (code === ROLE_CODES.admin) return "admin";
  if (code === ROLE_CODES.member) return "member";
  throw new StatementDecodeError("role");
}

function writeName(w: ByteWriter, name: string): void {
  if (!isCanonicalDisplayName(name)) throw new RangeError("displayName is not canonical");
  w.text16(name);
}

function readName(r: ByteReader, structure: string): string {
  const name = r.text16("displayName", MAX_DISPLAY_NAME_BYTES);
  if (!isCanonicalDisplayName(name)) throw new StatementDecodeError(`${structure}.displayName`);
  return name;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; field: string };

function decodeWith<T>(read: () => T): Decoded<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof StatementDecodeError) return { ok: false, field: error.field };
    throw error;
  }
}

// ---------------------------------------------------------------------------
// Invitation certificate

/**
 * The organisation's statement "whoever holds the private half of
 * `invitationKey` may certify one account key for exactly this account id,
 * name and role, until `expiresAtSeconds`".
 */
export interface InvitationCertificate {
  /** The organisation key that signed (the head of the chain when it was made). */
  readonly organisationKey: Uint8Array;
  readonly invitationKey: Uint8Array;
  readonly accountId: Uint8Array;
  readonly role: Role;
  readonly displayName: string;
  /** Seconds since 1970 UTC. */
  readonly expiresAtSeconds: number;
  /** The admin account that made it (for the audit log). */
  readonly issuedBy: Uint8Array;
  readonly signature: Uint8Array;
}

const INVITATION_VERSION = 2;

export function invitationCertificateBody(c: Omit<InvitationCertificate, "signature">): Uint8Array {
  const w = new ByteWriter().u8(INVITATION_VERSION);
  w.fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey");
  w.fixed(c.invitationKey, ED25519_KEY_BYTES, "invitationKey");
  w.fixed(c.accountId, ID_BYTES, "accountId");
  writeRole(w, c.role);
  w.u64(c.expiresAtSeconds);
  w.fixed(c.issuedBy, ID_BYTES, "issuedBy");
  writeName(w, c.displayName);
  return w.finish();
}

export function encodeInvitationCertificate(c: InvitationCertificate): Uint8Array {
  return new ByteWriter()
    .bytes(invitationCertificateBody(c))
    .fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature")
    .finish();
}

function readInvitationCertificate(r: ByteReader): InvitationCertificate {
  if (r.u8("version") !== INVITATION_VERSION) throw new StatementDecodeError("invitationCertificate.version");
  const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
  const invitationKey = r.fixed(ED25519_KEY_BYTES, "invitationKey");
  const accountId = r.fixed(ID_BYTES, "accountId");
  const role = readRole(r);
  const expiresAtSeconds = r.u64("expiresAtSeconds");
  const issuedBy = r.fixed(ID_BYTES, "issuedBy");
  const displayName = readName(r, "invitationCertificate");
  const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
  return { organisationKey, invitationKey, accountId, role, displayName, expiresAtSeconds, issuedBy, signature };
}

export function decodeInvitationCertificate(bytes: Uint8Array): Decoded<InvitationCertificate> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "invitationCertificate");
    const value = readInvitationCertificate(r);
    r.end();
    return value;
  });
}

// ---------------------------------------------------------------------------
// Account certificate

/**
 * Who vouches for an account key: the organisation key, or (provisionally) an
 * invitation key it certified — or nobody: a customer's throw-away account,
 * which signs its own certificate for one contact point and is never a
 * member of the organisation (checkGuestCertificate).
 */
export type AccountIssuer =
  | { readonly kind: "organisation"; readonly issuedBy: Uint8Array }
  | { readonly kind: "invitation"; readonly invitation: InvitationCertificate }
  | { readonly kind: "guest"; readonly contactPointId: Uint8Array };

/** Binds an account key to an account id, a display name and a role. */
export interface AccountCertificate {
  /** The organisation key whose chain this certificate belongs to. */
  readonly organisationKey: Uint8Array;
  readonly accountId: Uint8Array;
  readonly accountKey: Uint8Array;
  readonly role: Role;
  readonly displayName: string;
  /** Seconds since 1970 UTC; a newer certificate for the same account key replaces an older one (rename, promotion). */
  readonly issuedAtSeconds: number;
  readonly issuer: AccountIssuer;
  /** By the organisation key, or by the invitation key. */
  readonly signature: Uint8Array;
}

const ACCOUNT_VERSION = 1;
const ISSUER_ORGANISATION = 1;
const ISSUER_INVITATION = 2;
const ISSUER_GUEST = 3;

export function accountCertificateBody(c: Omit<AccountCertificate, "signature">): Uint8Array {
  const w = new ByteWriter().u8(ACCOUNT_VERSION);
  w.fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey");
  w.fixed(c.accountId, ID_BYTES, "accountId");
  w.fixed(c.accountKey, ED25519_KEY_BYTES, "accountKey");
  writeRole(w, c.role);
  w.u64(c.issuedAtSeconds);
  writeName(w, c.displayName);
  switch (c.issuer.kind) {
    case "organisation":
      w.u8(ISSUER_ORGANISATION).fixed(c.issuer.issuedBy, ID_BYTES, "issuedBy");
      break;
    case "invitation":
      w.u8(ISSUER_INVITATION).var16(encodeInvitationCertificate(c.issuer.invitation));
      break;
    case "guest":
      if (c.role !== "member") throw new RangeError("a guest certificate has the member role");
      w.u8(ISSUER_GUEST).fixed(c.issuer.contactPointId, ID_BYTES, "contactPointId");
      break;
    default: {
      const unknown: never = c.issuer;
      throw new RangeError(`unknown issuer ${String(unknown)}`);
    }
  }
  return w.finish();
}

export function encodeAccountCertificate(c: AccountCertificate): Uint8Array {
  return new ByteWriter()
    .bytes(accountCertificateBody(c))
    .fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature")
    .finish();
}

function readAccountCertificate(r: ByteReader): AccountCertificate {
  if (r.u8("version") !== ACCOUNT_VERSION) throw new StatementDecodeError("accountCertificate.version");
  const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
  const accountId = r.fixed(ID_BYTES, "accountId");
  const accountKey = r.fixed(ED25519_KEY_BYTES, "accountKey");
  const role = readRole(r);
  const issuedAtSeconds = r.u64("issuedAtSeconds");
  const displayName = readName(r, "accountCertificate");
  let issuer: AccountIssuer;
  const kind = r.u8("issuer");
  if (kind === ISSUER_ORGANISATION) {
    issuer = { kind: "organisation", issuedBy: r.fixed(ID_BYTES, "issuedBy") };
  } else if (kind === ISSUER_INVITATION) {
    const inner = r.var16("invitation", 1, 1024);
    const invitation = decodeInvitationCertificate(inner);
    if (!invitation.ok) throw new StatementDecodeError(`accountCertificate.${invitation.field}`);
    issuer = { kind: "invitation", invitation: invitation.value };
  } else if (kind === ISSUER_GUEST) {
    if (role !== "member") throw new StatementDecodeError("accountCertificate.role");
    issuer = { kind: "guest", contactPointId: r.fixed(ID_BYTES, "contactPointId") };
  } else {
    throw new StatementDecodeError("accountCertificate.issuer");
  }
  const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
  return { organisationKey, accountId, accountKey, role, displayName, issuedAtSeconds, issuer, signature };
}

export function decodeAccountCertificate(bytes: Uint8Array): Decoded<AccountCertificate> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "accountCertificate");
    const value = readAccountCertificate(r);
    r.end();
    return value;
  });
}

// ---------------------------------------------------------------------------
// Device certificate

/** The account key's statement "this device key is one of my devices". */
export interface DeviceCertificate {
  readonly accountId: Uint8Array;
  readonly accountKey: Uint8Array;
  /** The device's MLS signature key, which is also its login key. */
  readonly deviceKey: Uint8Array;
  readonly issuedAtSeconds: number;
  /** By the account key. */
  readonly signature: Uint8Array;
}

const DEVICE_VERSION = 1;

export function deviceCertificateBody(c: Omit<DeviceCertificate, "signature">): Uint8Array {
  if (c.deviceKey.length === 0 || c.deviceKey.length > MAX_DEVICE_KEY_BYTES) {
    throw new RangeError("deviceKey has an impossible length");
  }
  return new ByteWriter()
    .u8(DEVICE_VERSION)
    .fixed(c.accountId, ID_BYTES, "accountId")
    .fixed(c.accountKey, ED25519_KEY_BYTES, "accountKey")
    .var16(c.deviceKey)
    .u64(c.issuedAtSeconds)
    .finish();
}

export function encodeDeviceCertificate(c: DeviceCertificate): Uint8Array {
  return new ByteWriter()
    .bytes(deviceCertificateBody(c))
    .fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature")
    .finish();
}

export function decodeDeviceCertificate(bytes: Uint8Array): Decoded<DeviceCertificate> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "deviceCertificate");
    if (r.u8("version") !== DEVICE_VERSION) throw new StatementDecodeError("deviceCertificate.version");
    const accountId = r.fixed(ID_BYTES, "accountId");
    const accountKey = r.fixed(ED25519_KEY_BYTES, "accountKey");
    const deviceKey = r.var16("deviceKey", 1, MAX_DEVICE_KEY_BYTES);
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
    r.end();
    return { accountId, accountKey, deviceKey, issuedAtSeconds, signature };
  });
}

// ---------------------------------------------------------------------------
// Revocation

export type RevocationTarget =
  /** A person leaves: every device of the account, and the account key. */
  | { readonly kind: "account"; readonly accountId: Uint8Array }
  /** One lost or replaced device. */
  | { readonly kind: "device"; readonly accountId: Uint8Array; readonly deviceKey: Uint8Array }
  /** An invitation that was not redeemed yet. */
  | { readonly kind: "invitation"; readonly invitationKey: Uint8Array };

export interface Revocation {
  readonly organisationKey: Uint8Array;
  readonly target: RevocationTarget;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  /** By the organisation key. */
  readonly signature: Uint8Array;
}

const REVOCATION_VERSION = 1;
const TARGET_CODES = { account: 1, device: 2, invitation: 3 } as const;

export function revocationBody(c: Omit<Revocation, "signature">): Uint8Array {
  const w = new ByteWriter().u8(REVOCATION_VERSION).fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey");
  const t = c.target;
  switch (t.kind) {
    case "account":
      w.u8(TARGET_CODES.account).fixed(t.accountId, ID_BYTES, "accountId");
      break;
    case "device":
      w.u8(TARGET_CODES.device).fixed(t.accountId, ID_BYTES, "accountId").var16(t.deviceKey);
      break;
    case "invitation":
      w.u8(TARGET_CODES.invitation).fixed(t.invitationKey, ED25519_KEY_BYTES, "invitationKey");
      break;
    default: {
      const unknown: never = t;
      throw new RangeError(`unknown revocation target ${String(unknown)}`);
    }
  }
  return w.u64(c.issuedAtSeconds).fixed(c.issuedBy, ID_BYTES, "issuedBy").finish();
}

export function encodeRevocation(c: Revocation): Uint8Array {
  return new ByteWriter().bytes(revocationBody(c)).fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature").finish();
}

export function decodeRevocation(bytes: Uint8Array): Decoded<Revocation> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "revocation");
    if (r.u8("version") !== REVOCATION_VERSION) throw new StatementDecodeError("revocation.version");
    const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
    const code = r.u8("target");
    let target: RevocationTarget;
    if (code === TARGET_CODES.account) {
      target = { kind: "account", accountId: r.fixed(ID_BYTES, "accountId") };
    } else if (code === TARGET_CODES.device) {
      const accountId = r.fixed(ID_BYTES, "accountId");
      target = { kind: "device", accountId, deviceKey: r.var16("deviceKey", 1, MAX_DEVICE_KEY_BYTES) };
    } else if (code === TARGET_CODES.invitation) {
      target = { kind: "invitation", invitationKey: r.fixed(ED25519_KEY_BYTES, "invitationKey") };
    } else {
      throw new StatementDecodeError("revocation.target");
    }
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const issuedBy = r.fixed(ID_BYTES, "issuedBy");
    const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
    r.end();
    return { organisationKey, target, issuedAtSeconds, issuedBy, signature };
  });
}

// ---------------------------------------------------------------------------
// Key rotation

/**
 * The old organisation key hands over to a new one. Both sign: the old one
 * says "this is my successor", the new one proves it exists. After it,
 * clients accept statements only from the new key; certificates the old key
 * made are honoured only where the new key re-issued them.
 */
export interface KeyRotation {
  readonly previousKey: Uint8Array;
  readonly nextKey: Uint8Array;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  readonly previousSignature: Uint8Array;
  readonly nextSignature: Uint8Array;
}

const ROTATION_VERSION = 1;

export function keyRotationBody(c: Omit<KeyRotation, "previousSignature" | "nextSignature">): Uint8Array {
  return new ByteWriter()
    .u8(ROTATION_VERSION)
    .fixed(c.previousKey, ED25519_KEY_BYTES, "previousKey")
    .fixed(c.nextKey, ED25519_KEY_BYTES, "nextKey")
    .u64(c.issuedAtSeconds)
    .fixed(c.issuedBy, ID_BYTES, "issuedBy")
    .finish();
}

export function encodeKeyRotation(c: KeyRotation): Uint8Array {
  return new ByteWriter()
    .bytes(keyRotationBody(c))
    .fixed(c.previousSignature, ED25519_SIGNATURE_BYTES, "previousSignature")
    .fixed(c.nextSignature, ED25519_SIGNATURE_BYTES, "nextSignature")
    .finish();
}

export function decodeKeyRotation(bytes: Uint8Array): Decoded<KeyRotation> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "keyRotation");
    if (r.u8("version") !== ROTATION_VERSION) throw new StatementDecodeError("keyRotation.version");
    const previousKey = r.fixed(ED25519_KEY_BYTES, "previousKey");
    const nextKey = r.fixed(ED25519_KEY_BYTES, "nextKey");
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const issuedBy = r.fixed(ID_BYTES, "issuedBy");
    const previousSignature = r.fixed(ED25519_SIGNATURE_BYTES, "previousSignature");
    const nextSignature = r.fixed(ED25519_SIGNATURE_BYTES, "nextSignature");
    r.end();
    return { previousKey, nextKey, issuedAtSeconds, issuedBy, previousSignature, nextSignature };
  });
}

// ---------------------------------------------------------------------------
// Contact point

/** The details a customer may be asked for; a set bit makes the field required. */
export const CONTACT_FIELDS = { name: 1, phone: 2, email: 4, address: 8 } as const;
export type ContactField = keyof typeof CONTACT_FIELDS;

/** Lower-case letters, digits and single hyphens, 3–40 characters: the `<slug>` of `/k/<slug>`. */
export const CONTACT_POINT_SLUG = /^[a-z0-9](?:-?[a-z0-9]){2,39}$/;
export const MAX_CONTACT_POINT_STAFF = 50;
/** Greeting, opening hours and privacy text, each at most this many UTF-8 bytes. */
export const MAX_CONTACT_POINT_TEXT_BYTES = 8192;

/**
 * The organisation's statement "customers may write to this contact point,
 * and these accounts answer them". The newest statement for an id (by
 * `issuedAtSeconds`, then log order) replaces the ones before; a closed one
 * takes no new inquiries. Staff are account ids: each staff member's devices
 * are whatever the organisation's chain certifies for that account.
 */
export interface ContactPoint {
  readonly organisationKey: Uint8Array;
  readonly contactPointId: Uint8Array;
  readonly slug: string;
  readonly open: boolean;
  /** Shown to customers, e.g. "Dachdecker Schmidt – Anfragen". */
  readonly name: string;
  readonly staff: readonly Uint8Array[];
  readonly greeting: string;
  readonly openingHours: string;
  /** The business's privacy notice the customer consents to (Art. 13 GDPR). */
  readonly privacyText: string;
  readonly requiredFields: readonly ContactField[];
  /** Days a closed inquiry stays on staff devices unless archived; 0 keeps it. Shown to the customer. */
  readonly retentionDays: number;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  /** By the organisation key. */
  readonly signature: Uint8Array;
}

const CONTACT_POINT_VERSION = 1;

function writeText(w: ByteWriter, value: string, field: string): void {
  const bytes = utf8Encoder.encode(value);
  if (bytes.length > MAX_CONTACT_POINT_TEXT_BYTES || value !== value.normalize("NFC")) {
    throw new RangeError(`${field} is too long or not NFC`);
  }
  w.var16(bytes);
}

export function contactPointBody(c: Omit<ContactPoint, "signature">): Uint8Array {
  if (!CONTACT_POINT_SLUG.test(c.slug)) throw new RangeError("slug is not a contact point slug");
  if (c.staff.length === 0 || c.staff.length > MAX_CONTACT_POINT_STAFF) throw new RangeError("staff count");
  const w = new ByteWriter().u8(CONTACT_POINT_VERSION);
  w.fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey");
  w.fixed(c.contactPointId, ID_BYTES, "contactPointId");
  w.text16(c.slug).u8(c.open ? 1 : 0);
  writeName(w, c.name);
  w.u16(c.staff.length);
  for (const id of c.staff) w.fixed(id, ID_BYTES, "staff");
  writeText(w, c.greeting, "greeting");
  writeText(w, c.openingHours, "openingHours");
  writeText(w, c.privacyText, "privacyText");
  w.u8(c.requiredFields.reduce((bits, f) => bits | CONTACT_FIELDS[f], 0));
  w.u16(c.retentionDays);
  return w.u64(c.issuedAtSeconds).fixed(c.issuedBy, ID_BYTES, "issuedBy").finish();
}

export function encodeContactPoint(c: ContactPoint): Uint8Array {
  return new ByteWriter().bytes(contactPointBody(c)).fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature").finish();
}

export function decodeContactPoint(bytes: Uint8Array): Decoded<ContactPoint> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "contactPoint");
    if (r.u8("version") !== CONTACT_POINT_VERSION) throw new StatementDecodeError("contactPoint.version");
    const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
    const contactPointId = r.fixed(ID_BYTES, "contactPointId");
    const slug = r.text16("slug", 40);
    if (!CONTACT_POINT_SLUG.test(slug)) throw new StatementDecodeError("contactPoint.slug");
    const openByte = r.u8("open");
    if (openByte > 1) throw new StatementDecodeError("contactPoint.open");
    const name = readName(r, "contactPoint");
    const count = r.u16("staff");
    if (count === 0 || count > MAX_CONTACT_POINT_STAFF) throw new StatementDecodeError("contactPoint.staff");
    const staff: Uint8Array[] = [];
    for (let i = 0; i < count; i++) staff.push(r.fixed(ID_BYTES, "staff"));
    const readText = (field: string): string => {
      const text = r.text16(field, MAX_CONTACT_POINT_TEXT_BYTES);
      if (text !== text.normalize("NFC")) throw new StatementDecodeError(`contactPoint.${field}`);
      return text;
    };
    const greeting = readText("greeting");
    const openingHours = readText("openingHours");
    const privacyText = readText("privacyText");
    const bits = r.u8("requiredFields");
    const all = Object.values(CONTACT_FIELDS).reduce((a, b) => a | b, 0);
    if ((bits & ~all) !== 0) throw new StatementDecodeError("contactPoint.requiredFields");
    const requiredFields = (Object.keys(CONTACT_FIELDS) as ContactField[]).filter(
      (f) => (bits & CONTACT_FIELDS[f]) !== 0,
    );
    const retentionDays = r.u16("retentionDays");
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const issuedBy = r.fixed(ID_BYTES, "issuedBy");
    const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
    r.end();
    return {
      organisationKey,
      contactPointId,
      slug,
      open: openByte === 1,
      name,
      staff,
      greeting,
      openingHours,
      privacyText,
      requiredFields,
      retentionDays,
      issuedAtSeconds,
      issuedBy,
      signature,
    };
  });
}

// ---------------------------------------------------------------------------
// Directory entry

/**
 * The organisation's statement "this account works in this department, with
 * this job title". Name and role stay in the account certificate; the
 * department lives beside it, so adding it changed no certificate format.
 * The newest entry for an account (by `issuedAtSeconds`, then log order)
 * replaces the ones before; empty texts clear a field.
 */
export interface DirectoryEntryStatement {
  readonly organisationKey: Uint8Array;
  readonly accountId: Uint8Array;
  /** "" or a canonical name (isCanonicalDisplayName), e.g. "Vertrieb". */
  readonly department: string;
  /** "" or a canonical name, e.g. "Bauleiterin". */
  readonly title: string;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  /** By the organisation key. */
  readonly signature: Uint8Array;
}

const DIRECTORY_ENTRY_VERSION = 1;

/** A department or job title: empty, or the display-name rule (NFC, trimmed, 1–64, no control characters). */
export function isDirectoryText(text: string): boolean {
  return text === "" || isCanonicalDisplayName(text);
}

function writeDirectoryText(w: ByteWriter, text: string, field: string): void {
  if (!isDirectoryText(text)) throw new RangeError(`${field} is not canonical`);
  w.text16(text);
}

function readDirectoryText(r: ByteReader, field: string): string {
  const text = r.text16(field, MAX_DISPLAY_NAME_BYTES);
  if (!isDirectoryText(text)) throw new StatementDecodeError(`directoryEntry.${field}`);
  return text;
}

export function directoryEntryBody(c: Omit<DirectoryEntryStatement, "signature">): Uint8Array {
  const w = new ByteWriter().u8(DIRECTORY_ENTRY_VERSION);
  w.fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey");
  w.fixed(c.accountId, ID_BYTES, "accountId");
  writeDirectoryText(w, c.department, "department");
  writeDirectoryText(w, c.title, "title");
  return w.u64(c.issuedAtSeconds).fixed(c.issuedBy, ID_BYTES, "issuedBy").finish();
}

export function encodeDirectoryEntry(c: DirectoryEntryStatement): Uint8Array {
  return new ByteWriter()
    .bytes(directoryEntryBody(c))
    .fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature")
    .finish();
}

export function decodeDirectoryEntry(bytes: Uint8Array): Decoded<DirectoryEntryStatement> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "directoryEntry");
    if (r.u8("version") !== DIRECTORY_ENTRY_VERSION) throw new StatementDecodeError("directoryEntry.version");
    const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
    const accountId = r.fixed(ID_BYTES, "accountId");
    const department = readDirectoryText(r, "department");
    const title = readDirectoryText(r, "title");
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const issuedBy = r.fixed(ID_BYTES, "issuedBy");
    const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
    r.end();
    return { organisationKey, accountId, department, title, issuedAtSeconds, issuedBy, signature };
  });
}

// ---------------------------------------------------------------------------
// Policy

/** The languages an organisation may default to. */
export const POLICY_LANGUAGES = ["de", "en"] as const;
export type PolicyLanguage = (typeof POLICY_LANGUAGES)[number];
/** A PIN shorter than 4 digits protects nothing; the web app's lock takes at most 12. */
export const MIN_POLICY_PIN_LENGTH = 4;
export const MAX_POLICY_PIN_LENGTH = 12;
/** The largest attachment a policy may allow: 4 GiB (a server's own limit may be lower). */
export const MAX_POLICY_ATTACHMENT_BYTES = 4 * 1024 * 1024 * 1024;

/** What the organisation asks of every device; clients enforce it, the server where it can. */
export interface PolicyRules {
  /** The default disappearing-message time of new chats, in seconds; 0 is off. */
  readonly disappearingSeconds: number;
  /** The largest attachment a member may send, in bytes of the file. */
  readonly maxAttachmentBytes: number;
  /** Whether members may chat with people outside the organisation. */
  readonly externalChats: boolean;
  /** Whether every device must have an app lock (a PIN). */
  readonly appLockRequired: boolean;
  /** The shortest PIN an app lock may have. */
  readonly minPinLength: number;
  /** Whether the organisation's MLS groups use the post-quantum suite (X-Wing). */
  readonly postQuantum: boolean;
  /** Whether a deactivated or revoked device deletes its local data. */
  readonly wipeOnDeactivation: boolean;
  /** The language new members' apps start in. */
  readonly language: PolicyLanguage;
}

/**
 * The organisation's statement "these rules apply". The newest valid one
 * (by `issuedAtSeconds`, then log order) replaces every earlier one; with
 * none, DEFAULT_POLICY_RULES apply.
 */
export interface Policy extends PolicyRules {
  readonly organisationKey: Uint8Array;
  readonly issuedAtSeconds: number;
  readonly issuedBy: Uint8Array;
  /** By the organisation key. */
  readonly signature: Uint8Array;
}

/**
 * The most bytes a blob of an attachment of `fileBytes` can take: the file
 * and one 16-byte GCM tag per chunk of at least MIN_CHUNK_BYTES. The
 * server holds a member's upload to this for the policy's limit.
 */
export function maxAttachmentBlobBytes(fileBytes: number): number {
  return fileBytes + 16 * (Math.ceil(fileBytes / MIN_CHUNK_BYTES) + 1);
}

export const DEFAULT_POLICY_RULES: PolicyRules = {
  disappearingSeconds: 0,
  maxAttachmentBytes: 100_000_000,
  externalChats: true,
  appLockRequired: false,
  minPinLength: 6,
  postQuantum: false,
  wipeOnDeactivation: false,
  language: "de",
};

const POLICY_VERSION = 1;
const POLICY_FLAGS = { externalChats: 1, appLockRequired: 2, postQuantum: 4, wipeOnDeactivation: 8 } as const;
const ALL_POLICY_FLAGS = 15;
const LANGUAGE_CODES: Record<PolicyLanguage, number> = { de: 1, en: 2 };

/** Undefined when the rules fit the wire; otherwise the first field that does not. */
export function policyRulesFault(r: PolicyRules): keyof PolicyRules | undefined {
  const whole = (n: number, max: number, min = 0) => Number.isSafeInteger(n) && n >= min && n <= max;
  if (!whole(r.disappearingSeconds, MAX_DISAPPEARING_SECONDS)) return "disappearingSeconds";
  if (!whole(r.maxAttachmentBytes, MAX_POLICY_ATTACHMENT_BYTES, 1)) return "maxAttachmentBytes";
  if (!whole(r.minPinLength, MAX_POLICY_PIN_LENGTH, MIN_POLICY_PIN_LENGTH)) return "minPinLength";
  if (!POLICY_LANGUAGES.includes(r.language)) return "language";
  return undefined;
}

export function policyBody(c: Omit<Policy, "signature">): Uint8Array {
  const fault = policyRulesFault(c);
  if (fault !== undefined) throw new RangeError(`policy ${fault} is out of range`);
  const flags =
    (c.externalChats ? POLICY_FLAGS.externalChats : 0) |
    (c.appLockRequired ? POLICY_FLAGS.appLockRequired : 0) |
    (c.postQuantum ? POLICY_FLAGS.postQuantum : 0) |
    (c.wipeOnDeactivation ? POLICY_FLAGS.wipeOnDeactivation : 0);
  return new ByteWriter()
    .u8(POLICY_VERSION)
    .fixed(c.organisationKey, ED25519_KEY_BYTES, "organisationKey")
    .u64(c.disappearingSeconds)
    .u64(c.maxAttachmentBytes)
    .u8(flags)
    .u8(c.minPinLength)
    .u8(LANGUAGE_CODES[c.language])
    .u64(c.issuedAtSeconds)
    .fixed(c.issuedBy, ID_BYTES, "issuedBy")
    .finish();
}

export function encodePolicy(c: Policy): Uint8Array {
  return new ByteWriter().bytes(policyBody(c)).fixed(c.signature, ED25519_SIGNATURE_BYTES, "signature").finish();
}

export function decodePolicy(bytes: Uint8Array): Decoded<Policy> {
  return decodeWith(() => {
    const r = new ByteReader(bytes, "policy");
    if (r.u8("version") !== POLICY_VERSION) throw new StatementDecodeError("policy.version");
    const organisationKey = r.fixed(ED25519_KEY_BYTES, "organisationKey");
    const disappearingSeconds = r.u64("disappearingSeconds");
    const maxAttachmentBytes = r.u64("maxAttachmentBytes");
    const flags = r.u8("flags");
    if ((flags & ~ALL_POLICY_FLAGS) !== 0) throw new StatementDecodeError("policy.flags");
    const minPinLength = r.u8("minPinLength");
    const languageCode = r.u8("language");
    const language = POLICY_LANGUAGES.find((l) => LANGUAGE_CODES[l] === languageCode);
    if (language === undefined) throw new StatementDecodeError("policy.language");
    const issuedAtSeconds = r.u64("issuedAtSeconds");
    const issuedBy = r.fixed(ID_BYTES, "issuedBy");
    const signature = r.fixed(ED25519_SIGNATURE_BYTES, "signature");
    r.end();
    const policy: Policy = {
      organisationKey,
      disappearingSeconds,
      maxAttachmentBytes,
      externalChats: (flags & POLICY_FLAGS.externalChats) !== 0,
      appLockRequired: (flags & POLICY_FLAGS.appLockRequired) !== 0,
      minPinLength,
      postQuantum: (flags & POLICY_FLAGS.postQuantum) !== 0,
      wipeOnDeactivation: (flags & POLICY_FLAGS.wipeOnDeactivation) !== 0,
      language,
      issuedAtSeconds,
      issuedBy,
      signature,
    };
    const fault = policyRulesFault(policy);
    if (fault !== undefined) throw new StatementDecodeError(`policy.${fault}`);
    return policy;
  });
}

// ---------------------------------------------------------------------------
// The organisation log: any org-signed statement, tagged

export type OrganisationStatement =
  | { readonly kind: "account"; readonly certificate: AccountCertificate }
  | { readonly kind: "revocation"; readonly revocation: Revocation }
  | { readonly kind: "rotation"; readonly rotation: KeyRotation }
  | { readonly kind: "invitation"; readonly certificate: InvitationCertificate }
  | { readonly kind: "contactPoint"; readonly contactPoint: ContactPoint }
  | { readonly kind: "policy"; readonly policy: Policy }
  | { readonly kind: "directoryEntry"; readonly entry: DirectoryEntryStatement };

const STATEMENT_CODES = {
  account: 1,
  revocation: 2,
  rotation: 3,
  invitation: 4,
  contactPoint: 5,
  policy: 6,
  directoryEntry: 7,
} as const;

/** kind byte ‖ the statement's own encoding. */
export function encodeOrganisationStatement(s: OrganisationStatement): Uint8Array {
  const w = new ByteWriter().u8(STATEMENT_CODES[s.kind]);
  switch (s.kind) {
    case "account":
      return w.bytes(encodeAccountCertificate(s.certificate)).finish();
    case "revocation":
      return w.bytes(encodeRevocation(s.revocation)).finish();
    case "rotation":
      return w.bytes(encodeKeyRotation(s.rotation)).finish();
    case "invitation":
      return w.bytes(encodeInvitationCertificate(s.certificate)).finish();
    case "contactPoint":
      return w.bytes(encodeContactPoint(s.contactPoint)).finish();
    case "policy":
      return w.bytes(encodePolicy(s.policy)).finish();
    case "directoryEntry":
      return w.bytes(encodeDirectoryEntry(s.entry)).finish();
    default: {
      const unknown: never = s;
      throw new RangeError(`unknown statement ${String(unknown)}`);
    }
  }
}

export function decodeOrganisationStatement(bytes: Uint8Array): Decoded<OrganisationStatement> {
  if (bytes.length === 0) return { ok: false, field: "statement.kind" };
  const rest = bytes.subarray(1);
  const wrap = <T>(d: Decoded<T>, make: (v: T) => OrganisationStatement): Decoded<OrganisationStatement> =>
    d.ok ? { ok: true, value: make(d.value) } : d;
  // The length was checked above; `?? 0` only tells the type checker (0 is no kind).
  const kind: number = bytes[0] ?? 0;
  switch (kind) {
    case STATEMENT_CODES.account:
      return wrap(decodeAccountCertificate(rest), (certificate) => ({ kind: "account", certificate }));
    case STATEMENT_CODES.revocation:
      return wrap(decodeRevocation(rest), (revocation) => ({ kind: "revocation", revocation }));
    case STATEMENT_CODES.rotation:
      return wrap(decodeKeyRotation(rest), (rotation) => ({ kind: "rotation", rotation }));
    case STATEMENT_CODES.invitation:
      return wrap(decodeInvitationCertificate(rest), (certificate) => ({ kind: "invitation", certificate }));
    case STATEMENT_CODES.contactPoint:
      return wrap(decodeContactPoint(rest), (contactPoint) => ({ kind: "contactPoint", contactPoint }));
    case STATEMENT_CODES.policy:
      return wrap(decodePolicy(rest), (policy) => ({ kind: "policy", policy }));
    case STATEMENT_CODES.directoryEntry:
      return wrap(decodeDirectoryEntry(rest), (entry) => ({ kind: "directoryEntry", entry }));
    default:
      return { ok: false, field: "statement.kind" };
  }
}
