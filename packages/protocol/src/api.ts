/**
 * The HTTP control plane: response shapes and the limits and bytes both
 * sides share. The request schemas are in apiSchemas.ts. Binary values
 * travel as unpadded base64url strings.
 */
import type { Language } from "./errors.js";

export const ROLES = ["admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** Largest encoded account or device certificate (a provisional one carries its invitation). */
export const MAX_CERTIFICATE_BYTES = 2048;
/**
 * Largest encoded organisation statement: a contact point with 50 staff and
 * three texts of 8 KiB each is about 26 KiB. The request body limit (4 MiB)
 * bounds a list of them.
 */
export const MAX_STATEMENT_BYTES = 32 * 1024;

/** Most invitations one batch (a CSV file) may make; a bigger staff is invited in several files. */
export const MAX_INVITATION_BATCH = 500;

/** The exact bytes a device signs to log in; the domain label keeps the signature from meaning anything else. */
export function loginSignedBytes(deviceId: Uint8Array, challenge: Uint8Array): Uint8Array {
  const label = Uint8Array.from("bote-login-v1\0", (c) => c.charCodeAt(0));
  const out = new Uint8Array(label.length + deviceId.length + challenge.length);
  out.set(label, 0);
  out.set(deviceId, label.length);
  out.set(challenge, label.length + deviceId.length);
  return out;
}

// Responses: plain JSON with base64url strings.

export interface MailboxAddress {
  mailboxId: string;
  capability: string;
}

export interface OrganisationInfo {
  id: string;
  name: string;
}

/** The languages of Bote's texts; the organisation's default is one of them. */
export const LANGUAGES = ["de", "en"] as const satisfies readonly Language[];

export interface OrganisationSettings extends OrganisationInfo {
  language: Language;
  /** When the first admin finished the setup, or null: then an admin's app opens the setup wizard. */
  setUpAt: string | null;
}

export interface RedeemInvitationResponse {
  accountId: string;
  deviceId: string;
  role: Role;
  organisation: OrganisationInfo;
  mailbox: MailboxAddress;
}

/** The only answer with 200: a used one is 409 invitation_used, anything else 404 invitation_invalid. */
export interface CheckInvitationResponse {
  state: "open";
}

export interface LoginChallengeResponse {
  challenge: string;
  expiresAt: string;
}

export interface LoginResponse {
  sessionToken: string;
  expiresAt: string;
}

export interface MeResponse {
  accountId: string;
  deviceId: string;
  displayName: string;
  role: Role;
  organisation: OrganisationInfo;
  /** The current mailbox first; a retired one that still drains after it. */
  mailboxes: MailboxAddress[];
  keyPackages: KeyPackageStock;
  /** Only for a guest (docs/PROTOCOL.md §18): the contact point it was made for, base64url. */
  contactPointId?: string;
}

export interface KeyPackageStock {
  oneTime: number;
  lastResort: boolean;
  low: boolean;
  /**
   * When this node last handed out the last-resort package instead of a
   * one-time one (ISO 8601); absent once a new last-resort package is uploaded.
   * The device should then replace it.
   */
  lastResortHandedOutAt?: string;
}

export interface CreateInvitationResponse {
  invitationId: string;
  token: string;
  url: string;
  role: Role;
  expiresAt: string;
}

/** In the order of the request. */
export interface CreateInvitationBatchResponse {
  invitations: CreateInvitationResponse[];
}

export interface Member {
  accountId: string;
  /** As the account certificate says; a client shows what the certificate it verified says. */
  displayName: string;
  role: Role;
  /** encodeAccountCertificate of the newest certificate the server holds for this account. */
  certificate: string;
  devices: { deviceId: string; publicKey: string; /** encodeDeviceCertificate */ certificate: string }[];
}

export interface MembersResponse {
  members: Member[];
}

export type InvitationState = "open" | "used" | "expired" | "revoked";

export interface InvitationSummary {
  invitationId: string;
  accountId: string;
  displayName: string;
  role: Role;
  state: InvitationState;
  expiresAt: string;
  /** encodeInvitationCertificate */
  certificate: string;
}

export interface InvitationsResponse {
  invitations: InvitationSummary[];
}

export interface LoggedStatement {
  /** Position in the organisation's log, from 1. */
  seq: number;
  /** encodeOrganisationStatement */
  statement: string;
  /** When the server appended it. */
  at: string;
}

/** The organisation's signed log: key rotations, account certificates, revocations, invitations. */
export interface OrganisationLogResponse {
  organisation: OrganisationSettings;
  /** The organisation key as the server knows it now; clients trust only the chain from their own anchor. */
  organisationKey: string | null;
  statements: LoggedStatement[];
}

export interface PostStatementsResponse {
  /** The log's last position after the statements were appended. */
  seq: number;
}

export interface DeviceKeyPackage extends MailboxAddress {
  deviceId: string;
  keyPackage: string;
  lastResort: boolean;
}

export interface FetchKeyPackagesResponse {
  devices: DeviceKeyPackage[];
  /** Devices of the account that had no key package at all. */
  unavailable: string[];
}

export interface RotateMailboxResponse {
  mailbox: MailboxAddress;
}

export interface BlobUploadResponse {
  blobId: string;
  size: number;
  expiresAt: string;
}

export interface HealthResponse {
  status: "ok";
  protocolVersion: number;
  /**
   * The server's public URL (`--public-url`, or https://DOMAIN): the one origin where the web app
   * may redeem an invitation or log in, since it is the only one the WebSocket accepts.
   */
  publicUrl: string;
}

/** A check of GET /readyz; the names are stable for monitoring. */
export type ReadinessCheck = "database" | "blobs" | "bus" | "secrets";

/**
 * GET /readyz: 200 with status "ready" when every check passes, else 503 with
 * status "unready" and `failed` naming the checks that did not.
 */
export interface ReadinessResponse {
  status: "ready" | "unready";
  /** "skipped" for a check that does not apply here (no NATS configured). */
  checks: Record<ReadinessCheck, "ok" | "failed" | "skipped">;
  failed: ReadinessCheck[];
}

// Linking a second device (docs/PROTOCOL.md, "Linking a device").

/** Crockford base32 without I, L, O and U: the alphabet of a device link code. */
export const DEVICE_LINK_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const DEVICE_LINK_CODE_LENGTH = 10;
/** Largest sealed profile package the initiating device hands the new one. */
export const MAX_DEVICE_LINK_SEALED_BYTES = 256 * 1024;
/** Prefix of the commitment: SHA-256(label ‖ the initiator's ephemeral X25519 public key). */
export const DEVICE_LINK_COMMITMENT_LABEL = "bote-device-link-v1\0";

/**
 * A typed or scanned code as the server hashes it: uppercase, without
 * dashes and spaces, and the look-alikes I, L → 1 and O → 0.
 */
export function normaliseDeviceLinkCode(code: string): string {
  return code.toUpperCase().replace(/[-\s]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
}

/** The bytes the commitment hashes; the caller applies SHA-256 (protocol code has no hash). */
export function deviceLinkCommitmentInput(ephemeralKey: Uint8Array): Uint8Array {
  const label = Uint8Array.from(DEVICE_LINK_COMMITMENT_LABEL, (c) => c.charCodeAt(0));
  const out = new Uint8Array(label.length + ephemeralKey.length);
  out.set(label, 0);
  out.set(ephemeralKey, label.length);
  return out;
}

export type DeviceLinkState = "waiting" | "claimed" | "keyed" | "revealed" | "completed";

export interface CreateDeviceLinkResponse {
  linkId: string;
  /** XXXXX-XXXXX, shown to the person; the server keeps only its hash. */
  code: string;
  /** `<publicUrl>/link#c=<code>`, for a QR code. */
  url: string;
  expiresAt: string;
}

export interface ClaimDeviceLinkResponse {
  linkId: string;
  /** B's secret for POST /v1/device-links/key and /status. */
  claimToken: string;
  /** A's commitment, which B holds before it sends its ephemeral key. */
  commitment: string;
}

export interface KeyDeviceLinkResponse {
  state: "keyed";
}

/** What the initiating device sees: B's device key once claimed, its ephemeral key once keyed. */
export interface DeviceLinkResponse {
  state: DeviceLinkState;
  ephemeralKey?: string;
  publicKey?: string;
}

export interface CompleteDeviceLinkResponse {
  deviceId: string;
}

/** What the new device sees; sealed (and the link) only once, after completion. */
export interface DeviceLinkStatusResponse {
  state: DeviceLinkState;
  commitment: string;
  /** A's ephemeral key, once revealed. */
  ephemeralKey?: string;
  deviceId?: string;
  mailbox?: MailboxAddress;
  sealed?: string;
}
