/**
 * The port through which the relay reaches its durable state. Two adapters
 * implement it, SQLite (embedded) and PostgreSQL (distributed), and both pass
 * test/store/contract.ts. Ids and secrets are raw bytes; times are Unix
 * milliseconds. The store holds no capability, no session token in clear, no
 * payload in clear (payloads are end-to-end ciphertext) and no link from a
 * sender to anything.
 */
import type { ServerSecrets } from "../secrets/ServerSecrets.js";
import type { Role } from "@bote/protocol";

export type Bytes = Uint8Array;

export interface Organisation {
  id: Bytes;
  name: string;
  createdAt: number;
  /** The default language of the organisation's apps; "de" until the setup says otherwise. */
  language?: "de" | "en";
  /** When the first admin finished the setup (name, language, recovery kit); absent before. */
  setUpAt?: number;
}

/** What an admin device's invitation certificate names; absent only for the first-admin invitation of bootstrap. */
export interface InvitationCertificateRecord {
  accountId: Bytes;
  invitationKey: Bytes;
  displayName: string;
  /** encodeInvitationCertificate, as verified. */
  certificate: Bytes;
}

export interface NewInvitation {
  id: Bytes;
  orgId: Bytes;
  /** SHA-256 of the invitation token; the token itself is never stored. */
  tokenHash: Bytes;
  role: Role;
  expiresAt: number;
  createdAt: number;
  certified?: InvitationCertificateRecord;
  /** encodeOrganisationStatement of the invitation, appended to the log in the same transaction. */
  statement?: Bytes;
  /** encodeOrganisationStatement of the account's directory entry, appended right after it. */
  directoryStatement?: Bytes;
}

export interface Invitation {
  id: Bytes;
  orgId: Bytes;
  role: Role;
  expiresAt: number;
  createdAt: number;
  redeemedAt: number | undefined;
  revokedAt: number | undefined;
  certified: InvitationCertificateRecord | undefined;
}

/** taken: an account or an open invitation already names the account id, or the invitation key was used before. */
export type CreateInvitationResult = { ok: true; seq: number | undefined } | { ok: false; code: "taken" };
/** index: the first invitation of the batch that was taken; then none of them was made. */
export type CreateInvitationsResult =
  { ok: true; seq: number | undefined } | { ok: false; code: "taken"; index: number };

export interface Account {
  id: Bytes;
  orgId: Bytes;
  displayName: string;
  role: Role;
  createdAt: number;
  /** Ed25519 account key the certificate binds. */
  accountKey: Bytes;
  /** encodeAccountCertificate of the newest verified certificate. */
  certificate: Bytes;
  certificateIssuedAt: number;
  /** Set when the account was revoked; its devices are gone. */
  deactivatedAt: number | undefined;
  /** A customer's throw-away account: the contact point it was made for. Never a member. */
  guestOf: Bytes | undefined;
}

export interface Device {
  id: Bytes;
  accountId: Bytes;
  /** Ed25519 public key, 32 bytes. */
  publicKey: Bytes;
  /** encodeDeviceCertificate by the account key. */
  certificate: Bytes;
  createdAt: number;
}

/** Who a device is, as the HTTP layer needs it after authentication. */
export interface DevicePrincipal {
  deviceId: Bytes;
  accountId: Bytes;
  orgId: Bytes;
  role: Role;
  displayName: string;
  publicKey: Bytes;
  /** Set for a guest's device: the contact point its account was made for (docs/PROTOCOL.md §18). */
  guestOf: Bytes | undefined;
}

/** A device as a live session presents it, with the session's expiry. */
export interface SessionPrincipal extends DevicePrincipal {
  expiresAt: number;
}

export interface Member extends Account {
  devices: Device[];
}

export interface Mailbox {
  id: Bytes;
  deviceId: Bytes;
  /** A retired mailbox accepts no new entries and is deleted once drained. */
  retired: boolean;
}

export type RedeemResult =
  | { ok: true; orgId: Bytes; role: Role; /** The log position of the account certificate. */ seq: number }
  | {
      ok: false;
      /** organisation_key_changed: the key the caller verified against is no longer (or already) the current one. */
      code: "invitation_invalid" | "invitation_used" | "device_key_taken" | "organisation_key_changed";
    };

/** A redeem whose certificates the caller has verified; the store re-checks the state they were verified against. */
export interface RedeemInvitation {
  tokenHash: Bytes;
  now: number;
  /** The organisation key the certificates were verified under. */
  organisationKey: Bytes;
  /** True for the first-admin invitation: organisationKey becomes the organisation's key, which must be unset. */
  setsOrganisationKey: boolean;
  accountId: Bytes;
  accountKey: Bytes;
  displayName: string;
  role: Role;
  accountCertificate: Bytes;
  certificateIssuedAt: number;
  deviceId: Bytes;
  publicKey: Bytes;
  deviceCertificate: Bytes;
  mailboxId: Bytes;
  /** encodeOrganisationStatement of the account certificate, appended to the log. */
  statement: Bytes;
}

/**
 * One verified statement of POST /v1/organisation/statements, as a state
 * change. The signatures were checked by the caller; the store checks the
 * state each change needs, inside the transaction of the whole list.
 */
export type StatementChange =
  | {
      kind: "account";
      accountId: Bytes;
      accountKey: Bytes;
      role: Role;
      displayName: string;
      certificate: Bytes;
      issuedAt: number;
      statement: Bytes;
    }
  | { kind: "revokeAccount"; accountId: Bytes; statement: Bytes }
  | { kind: "revokeDevice"; accountId: Bytes; deviceKey: Bytes; statement: Bytes }
  | { kind: "revokeInvitation"; invitationKey: Bytes; statement: Bytes }
  | { kind: "rotate"; nextKey: Bytes; statement: Bytes }
  | {
      kind: "contactPoint";
      contactPointId: Bytes;
      slug: string;
      open: boolean;
      /** Account ids; each must be a member of the organisation that is not revoked. */
      staff: Bytes[];
      issuedAt: number;
      /** encodeContactPoint, as verified: what GET /v1/contact-points/{slug} serves. */
      contactPoint: Bytes;
      statement: Bytes;
    }
  /** The account must be a member of the organisation, or named by one of its invitations. */
  | { kind: "directoryEntry"; accountId: Bytes; statement: Bytes }
  /** The organisation's policy; the server keeps what it enforces (the largest attachment). */
  | { kind: "policy"; maxAttachmentBytes: number; externalChats: boolean; issuedAt: number; statement: Bytes };

export type ApplyStatementsResult =
  | {
      ok: true;
      /** The log's last position. */
      seq: number;
      /** Devices deleted by revocations: their sockets must close. */
      revokedDevices: Bytes[];
    }
  /**
   * Nothing was applied; index is the first change whose state did not hold.
   * code and path (within that change, e.g. "staff.2") say more where the
   * client can act on it.
   */
  | { ok: false; index: number; code?: "contact_point_slug_taken"; path?: string };

/** The newest accepted statement of a contact point. */
export interface ContactPointRecord {
  id: Bytes;
  orgId: Bytes;
  slug: string;
  open: boolean;
  issuedAt: number;
  /** encodeContactPoint. */
  contactPoint: Bytes;
}

/** A guest whose certificates the caller verified under organisationKey; the store re-checks the state. */
export interface CreateGuest {
  contactPointId: Bytes;
  organisationKey: Bytes;
  now: number;
  accountId: Bytes;
  accountKey: Bytes;
  displayName: string;
  accountCertificate: Bytes;
  certificateIssuedAt: number;
  deviceId: Bytes;
  publicKey: Bytes;
  deviceCertificate: Bytes;
  mailboxId: Bytes;
}

export type CreateGuestResult =
  | { ok: true }
  | {
      ok: false;
      code: "account_taken" | "device_key_taken" | "contact_point_closed" | "organisation_key_changed";
    };

export interface LoggedStatement {
  seq: number;
  statement: Bytes;
  at: number;
}

export interface KeyPackageStock {
  oneTime: number;
  lastResort: boolean;
}

export interface TakenKeyPackage {
  deviceId: Bytes;
  data: Bytes;
  lastResort: boolean;
  /** One-time packages left for this device after the take. */
  remaining: number;
  /** The device's current (not retired) mailbox. */
  mailboxId: Bytes;
}

export interface TakeKeyPackagesResult {
  taken: TakenKeyPackage[];
  /** Devices of the account that had neither a one-time nor a last-resort package. */
  unavailable: Bytes[];
}

/**
 * One recipient's entry of a send: the padded payload sealed for this
 * mailbox alone (AtRestKeys.sealEntry), so that two entries of one send
 * share no bytes.
 */
export interface NewEntry {
  mailboxId: Bytes;
  sealed: Bytes;
}

export interface SendOp {
  /** AtRestKeys.sendKey of the message id: a resend reads as a duplicate, yet the key names nothing. */
  sendKey: Bytes;
  /** Part 0 is the message; part 1, if present, the Welcome that travels with a commit. One entry per recipient. */
  parts: NewEntry[][];
  /** groupKey is AtRestKeys.groupKey of the group id. */
  commit?: { groupKey: Bytes; epoch: bigint };
  expiresAt: number;
}

export interface StoredEntry {
  part: number;
  /** Index of the recipient within its part. */
  index: number;
  mailboxId: Bytes;
  /** Random, unique, below 2^53: it tells nothing about when or with which other entry it was stored. */
  entryId: number;
  /** The entry's position in its mailbox; the order in which it is delivered. */
  seq: number;
}

export type SendOutcome =
  | {
      kind: "stored";
      entries: StoredEntry[];
      /** Recipients (part, index) whose mailbox does not exist or is retired; nothing was queued for them. */
      gone: { part: number; index: number }[];
    }
  | { kind: "duplicate" }
  | { kind: "stale_epoch"; currentEpoch: bigint };

export interface AckOp {
  /** The mailboxes of the acknowledging device: an entry of another mailbox is never deleted. */
  mailboxIds: Bytes[];
  entryIds: number[];
}

export interface RelayBatch {
  sends: SendOp[];
  acks: AckOp[];
}

/**
 * A send whose entries are not sealed yet: each part's padded payload once,
 * with the mailboxes it goes to. What a SealingCommitter takes.
 */
export interface OpenSendOp extends Omit<SendOp, "parts"> {
  parts: { payload: Bytes; mailboxIds: Bytes[] }[];
}

/** An open part (payload once, its mailboxes) rather than entries already sealed. */
export function isOpenPart(part: OpenSendOp["parts"][number] | NewEntry[]): part is OpenSendOp["parts"][number] {
  return !Array.isArray(part);
}

export interface OpenRelayBatch {
  sends: OpenSendOp[];
  acks: AckOp[];
}

/** Commits relay batches and seals their entries on the way, off the event loop. */
export interface SealingCommitter {
  /** As ServerStore.commitBatch, after sealing each entry for its mailbox (AtRestKeys.sealEntry). */
  commit(batch: OpenRelayBatch): Promise<RelayBatchResult>;
}

export interface RelayBatchResult {
  /** One outcome per send, in order. */
  sends: SendOutcome[];
  /** Entries actually deleted per ack op, in order. */
  acked: number[];
}

/** An entry as stored: sealed. */
export interface SealedEntry {
  entryId: number;
  mailboxId: Bytes;
  seq: number;
  sealed: Bytes;
}

/** An entry as delivered: opened. */
export interface QueuedEntry {
  entryId: number;
  mailboxId: Bytes;
  seq: number;
  payload: Bytes;
}

/** What upgradeLegacyQueue needs to turn rows of the shared-envelope queue into sealed entries. */
export interface LegacyQueueKeys {
  sealEntry(mailboxId: Bytes, payload: Bytes): Bytes;
  sendKey(messageId: Bytes): Bytes;
  groupKey(groupId: Bytes): Bytes;
}

export interface BlobMeta {
  id: Bytes;
  size: number;
  expiresAt: number;
  /** The organisation of the device that uploaded it; undefined for blobs stored before migration 8. */
  orgId: Bytes | undefined;
}

export interface SweepResult {
  entries: number;
  /** Send keys kept for deduplication. */
  sends: number;
  /** Blob ids whose metadata was deleted; the caller deletes their content. */
  blobs: Bytes[];
}

/** waiting → claimed (B's device key) → keyed (B's ephemeral key) → revealed (A's) → completed. */
export type DeviceLinkState = "waiting" | "claimed" | "keyed" | "revealed" | "completed";

/** A link opened by a logged-in device for a second device of its account. */
export interface NewDeviceLink {
  id: Bytes;
  /** The initiating device; the link goes with it when it is revoked. */
  deviceId: Bytes;
  /** SHA-256 of the normalised code; the code itself is never stored. */
  codeHash: Bytes;
  /** SHA-256("bote-device-link-v1\0" ‖ the initiator's ephemeral public key). */
  commitment: Bytes;
  createdAt: number;
  expiresAt: number;
  /** Open (not expired, not completed) links of the device allowed, this one included. */
  maxOpen: number;
}

export type CreateDeviceLinkResult = { ok: true } | { ok: false; code: "too_many" | "code_taken" };

/** Opaque bytes only: keys, hashes and the sealed package, never a plaintext of either device. */
export interface DeviceLink {
  id: Bytes;
  initiatorDeviceId: Bytes;
  state: DeviceLinkState;
  commitment: Bytes;
  expiresAt: number;
  /** B's, once keyed: sent only after B received the commitment. */
  claimantEphemeralKey: Bytes | undefined;
  /** B's, once claimed. */
  claimantDeviceKey: Bytes | undefined;
  claimTokenHash: Bytes | undefined;
  /** A's, once revealed. */
  initiatorEphemeralKey: Bytes | undefined;
  /** Once completed. */
  deviceId: Bytes | undefined;
  mailboxId: Bytes | undefined;
  sealed: Bytes | undefined;
}

export interface ClaimDeviceLink {
  codeHash: Bytes;
  now: number;
  deviceKey: Bytes;
  claimTokenHash: Bytes;
}

/** On success the link and A's commitment, which the claim answers B with. */
export type ClaimDeviceLinkResult =
  | { ok: true; id: Bytes; commitment: Bytes }
  | { ok: false; code: "device_link_invalid" | "device_link_used" | "device_key_taken" };

/** B's ephemeral key, presented with the hash of the claim token. */
export interface KeyDeviceLink {
  linkId: Bytes;
  claimTokenHash: Bytes;
  ephemeralKey: Bytes;
  now: number;
}

/** device_link_invalid: unknown, expired or the wrong token; device_link_state: not claimed. */
export type KeyDeviceLinkResult = { ok: true } | { ok: false; code: "device_link_invalid" | "device_link_state" };

/** A completion whose certificate the caller verified against accountKey; the store re-checks the state. */
export interface CompleteDeviceLink {
  linkId: Bytes;
  initiatorDeviceId: Bytes;
  accountId: Bytes;
  /** The account key the certificate was verified under: it must still be the account's. */
  accountKey: Bytes;
  now: number;
  deviceId: Bytes;
  /** The claimed device key the certificate names; it must be the link's. */
  deviceKey: Bytes;
  deviceCertificate: Bytes;
  mailboxId: Bytes;
  sealed: Bytes;
}

export type CompleteDeviceLinkResult =
  | { ok: true }
  | { ok: false; code: "device_link_invalid" | "device_link_state" | "device_key_taken" | "account_changed" };

/**
 * A browser's Web Push subscription (RFC 8030, 8291): where its push service
 * takes pushes for it, and the keys a push is encrypted for. One per device;
 * it goes with the device.
 */
export interface PushSubscription {
  endpoint: string;
  /** P-256 public key of the browser, uncompressed, 65 bytes. */
  p256dh: Bytes;
  /** Authentication secret, 16 bytes. */
  auth: Bytes;
}

/** A cell as the database gives it: bytes, text, a number (PostgreSQL's bigints as numbers too), a boolean or NULL. */
export type StoredCell = Bytes | string | number | boolean | null;
export type StoredRow = Record<string, StoredCell>;

/** Every row about one person (docs/PROTOCOL.md §22): in full by table, or only counted. */
export interface PersonRecord {
  rows: Record<string, StoredRow[]>;
  /** Sealed queue entries of the person's mailboxes and the person's key packages: counted, never exported. */
  counts: Record<string, number>;
}

/** How erasePerson judges bytes that name the person: the store does not decode statements. */
export interface ErasureJudge {
  /** The replacement for a log statement that names the person, or undefined to keep it (one they only issued). */
  tombstone(statement: Bytes): Bytes | undefined;
  /** Whether a contact point (encodeContactPoint) lists the person as staff, rather than naming them as its issuer. */
  listsAsStaff(contactPoint: Bytes): boolean;
}

export type ErasePersonResult =
  | {
      ok: true;
      deleted: Record<string, number>;
      tombstoned: number;
      /** A guest's devices, deleted with it (a member's went with the deactivation): their sockets close. */
      devices: Bytes[];
    }
  | { ok: false; code: "account_unknown" | "person_active" | "person_is_staff" };

/** The part of the organisation's signed policy the server itself holds its members to (docs/PROTOCOL.md §19). */
export interface EnforcedPolicy {
  /** The largest attachment; undefined while no policy set one. */
  readonly maxAttachmentBytes: number | undefined;
  /** Whether people outside the organisation may open chats: customers through a contact point. */
  readonly externalChats: boolean;
}

export interface ServerStore {
  readonly kind: "sqlite" | "postgres";
  /** The database engine's version, e.g. "3.46.1" or "17.2", for the data protection documents. */
  databaseVersion(): Promise<string>;
  /** Applies the numbered migrations not yet applied. Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createOrganisation(org: Organisation): Promise<void>;
  listOrganisations(): Promise<Organisation[]>;
  getOrganisation(id: Bytes): Promise<Organisation | undefined>;
  /** An admin's setup: the organisation's name and default language, and that the setup is done. */
  setUpOrganisation(id: Bytes, settings: { name: string; language: "de" | "en"; now: number }): Promise<void>;

  /** The organisation's current key (head of its rotation chain), undefined until the first admin joined. */
  getOrganisationKey(orgId: Bytes): Promise<Bytes | undefined>;
  /** What the server enforces of the organisation's newest policy; the defaults while it set none. */
  getEnforcedPolicy(orgId: Bytes): Promise<EnforcedPolicy>;
  /** Sets the first key; false (and nothing changed) if the organisation already has one. */
  setOrganisationKey(orgId: Bytes, key: Bytes): Promise<boolean>;

  /** A certified invitation is refused when an account or an open invitation already names its account id. */
  createInvitation(invitation: NewInvitation): Promise<CreateInvitationResult>;
  /** Like createInvitation for each, in one transaction: all are made, or (one taken) none. */
  createInvitations(invitations: NewInvitation[]): Promise<CreateInvitationsResult>;
  getInvitation(tokenHash: Bytes): Promise<Invitation | undefined>;
  /** Certified invitations of the organisation (not the bootstrap one), newest first. */
  listInvitations(orgId: Bytes): Promise<Invitation[]>;
  /** Atomically: checks the invitation and the organisation key, marks it used, creates account, device and mailbox, appends the log. */
  redeemInvitation(request: RedeemInvitation): Promise<RedeemResult>;
  countAccounts(orgId: Bytes): Promise<number>;

  /** Every row of the server's own key/value table (key-check values). */
  listServerMeta(): Promise<Map<string, Bytes>>;
  /** Stores the value unless the key already has one; concurrent nodes keep the first. */
  putServerMetaIfAbsent(key: string, value: Bytes): Promise<void>;
  /**
   * A real, committed write of one tiny row (the readiness check): rejects
   * when the database cannot store anything right now.
   */
  probeWrite(now: number): Promise<void>;

  /** Applies all changes in order in one transaction, each appended to the log, or none. */
  applyStatements(
    orgId: Bytes,
    organisationKey: Bytes,
    changes: StatementChange[],
    now: number,
  ): Promise<ApplyStatementsResult>;
  /** Log entries with seq > after, oldest first. */
  listStatements(orgId: Bytes, after: number, limit: number): Promise<LoggedStatement[]>;
  /** The public key of a device that was revoked, if this device id was. */
  revokedDeviceKey(deviceId: Bytes): Promise<Bytes | undefined>;

  getDevice(deviceId: Bytes): Promise<DevicePrincipal | undefined>;
  getAccount(accountId: Bytes): Promise<Account | undefined>;
  /** Accounts that are not deactivated and not guests, with their devices. */
  listMembers(orgId: Bytes): Promise<Member[]>;

  /** Stores a login challenge (random 32 bytes) for one device. */
  createChallenge(challenge: Bytes, deviceId: Bytes, expiresAt: number): Promise<void>;
  /** Deletes the challenge; true only if it existed for this device and had not expired. */
  consumeChallenge(challenge: Bytes, deviceId: Bytes, now: number): Promise<boolean>;

  /**
   * tokenHash is SHA-256 of the session token. With maxPerDevice, the device's
   * oldest sessions beyond that many (this one included) are deleted; their
   * token hashes are returned, so that their sockets can be closed.
   */
  createSession(tokenHash: Bytes, deviceId: Bytes, expiresAt: number, maxPerDevice?: number): Promise<Bytes[]>;
  getSession(tokenHash: Bytes, now: number): Promise<SessionPrincipal | undefined>;
  deleteSession(tokenHash: Bytes): Promise<void>;

  /** Adds one-time packages and replaces the last-resort one if given. Fails with false if the device would hold more than max one-time packages. */
  addKeyPackages(deviceId: Bytes, oneTime: Bytes[], lastResort: Bytes | undefined, max: number): Promise<boolean>;
  countKeyPackages(deviceId: Bytes): Promise<KeyPackageStock>;
  /**
   * For every device of the account: deletes and returns one one-time package,
   * or returns (keeps) the last-resort one. mayTakeOneTime is asked once per
   * device that has a current mailbox; when it says no, the last-resort
   * package is returned even if one-time ones are left.
   */
  takeKeyPackages(accountId: Bytes, mayTakeOneTime?: (deviceId: Bytes) => boolean): Promise<TakeKeyPackagesResult>;

  /** Current mailbox first, then retired ones still draining. */
  listMailboxes(deviceId: Bytes): Promise<Mailbox[]>;
  /** Retires the device's current mailbox and creates newMailboxId as current. */
  rotateMailbox(deviceId: Bytes, newMailboxId: Bytes): Promise<void>;
  /** Deletes retired mailboxes of the device that hold no entries; returns how many. */
  deleteDrainedMailboxes(deviceId: Bytes): Promise<number>;

  /** One transaction: all sends and acks of one event-loop tick. Durable when the promise resolves. */
  commitBatch(batch: RelayBatch): Promise<RelayBatchResult>;
  /**
   * How many relay batches may be committing at once. More than one only
   * where the store commits batches one after another, in the order handed
   * over, and resolves them in that order: a mailbox's seqs must become
   * visible in order, or a socket reading the store could pass one by.
   */
  readonly batchesInFlight: number;
  /**
   * Where the store commits on a thread of its own (SQLite's writer), it
   * can seal the entries there too, under the given secrets; elsewhere
   * absent or undefined, and the relay seals them on the event loop.
   */
  sealingCommitter?(secrets: ServerSecrets): SealingCommitter | undefined;
  /**
   * Entries of these mailboxes (one device's) with seq > afterSeq that have
   * not expired by now, in seq order. A device's mailboxes share one seq
   * line: a new mailbox starts where the retired one ended.
   */
  fetchQueue(mailboxIds: Bytes[], afterSeq: number, limit: number, now: number): Promise<SealedEntry[]>;
  /**
   * Converts a queue of databases before migration 5 (one payload shared by
   * its recipients) into sealed entries, in one transaction, and drops the
   * old tables. Returns how many entries it sealed; a no-op once done.
   */
  upgradeLegacyQueue(keys: LegacyQueueKeys, now: number): Promise<number>;
  /** Entries stored and not yet acknowledged or swept, of all mailboxes (the metrics' queue depth). */
  countEntries(): Promise<number>;

  createBlob(meta: BlobMeta): Promise<void>;
  getBlob(id: Bytes, now: number): Promise<BlobMeta | undefined>;

  /** Opens a link unless the device holds maxOpen open links already or the code hash is in use. */
  createDeviceLink(link: NewDeviceLink): Promise<CreateDeviceLinkResult>;
  /** The link, whatever its state, unless it expired by now. */
  getDeviceLink(id: Bytes, now: number): Promise<DeviceLink | undefined>;
  /** Once per link: waiting → claimed with B's device key; the device key must never have been registered. */
  claimDeviceLink(claim: ClaimDeviceLink): Promise<ClaimDeviceLinkResult>;
  /** Once per link: claimed → keyed with B's ephemeral key, for the holder of the claim token only. */
  keyDeviceLink(key: KeyDeviceLink): Promise<KeyDeviceLinkResult>;
  /** keyed → revealed with A's ephemeral key; false (nothing changed) in any other state or for another device. */
  revealDeviceLink(id: Bytes, initiatorDeviceId: Bytes, ephemeralKey: Bytes, now: number): Promise<boolean>;
  /** Atomically: revealed → completed, the device (with its certificate) and its mailbox under the account. */
  completeDeviceLink(request: CompleteDeviceLink): Promise<CompleteDeviceLinkResult>;
  /** Deletes a completed link presented with its claim token hash and returns it; undefined if there was none. */
  takeCompletedDeviceLink(id: Bytes, claimTokenHash: Bytes, now: number): Promise<DeviceLink | undefined>;

  /** Stores the device's push subscription in place of its earlier one; an endpoint another device had moves here. */
  putPushSubscription(deviceId: Bytes, subscription: PushSubscription): Promise<void>;
  /** The push subscription of the device that owns the mailbox, if it has one. */
  pushSubscriptionOfMailbox(mailboxId: Bytes): Promise<(PushSubscription & { deviceId: Bytes }) | undefined>;
  /**
   * Deletes the device's push subscription; with an endpoint, only while it
   * is still that one (a push service's 410 for a replaced one changes nothing).
   */
  deletePushSubscription(deviceId: Bytes, endpoint?: string): Promise<boolean>;

  getContactPoint(id: Bytes): Promise<ContactPointRecord | undefined>;
  getContactPointBySlug(slug: string): Promise<ContactPointRecord | undefined>;
  /**
   * Atomically: checks that the contact point is open and the organisation
   * key unchanged, creates the guest account (no log entry: a guest is no
   * member), its device and its mailbox.
   */
  createGuest(request: CreateGuest): Promise<CreateGuestResult>;
  /** A guest logged in: its idle time starts again. No-op for a member. */
  touchGuest(accountId: Bytes, now: number): Promise<void>;
  /** Counts one staff key package fetch of the guest; false (nothing counted) when it made max already. */
  countGuestKeyPackageFetch(accountId: Bytes, max: number): Promise<boolean>;
  /**
   * Counts one blob upload of the guest unless it made maxBlobs or its blobs
   * hold maxBytes already; the bytes its blobs hold before this one, or
   * undefined when it may not upload.
   */
  reserveGuestBlob(accountId: Bytes, maxBlobs: number, maxBytes: number): Promise<number | undefined>;
  addGuestBlobBytes(accountId: Bytes, bytes: number): Promise<void>;
  /** Deletes guest accounts (devices, mailboxes, entries, sessions) last logged in before idleBefore; how many. */
  sweepGuests(idleBefore: number): Promise<number>;

  /**
   * Every row that names the account of this organisation: its id, the ids
   * of its devices (live or revoked) or of their mailboxes, as a cell or
   * inside a cell's bytes (certificates, the log's statements, contact
   * points). Undefined when the organisation has no such account.
   */
  exportPerson(orgId: Bytes, accountId: Bytes): Promise<PersonRecord | undefined>;
  /**
   * In one transaction: deletes the rows of a deactivated account (account,
   * invitations naming it, device tombstones) and replaces each log
   * statement that names it by judge.tombstone(statement) where that is
   * defined. Refused while the account is active or a contact point lists
   * it as staff.
   */
  /**
   * Erases a deactivated member, or a customer's guest at once (a guest is
   * never in the log, so there is nothing to revoke first).
   */
  erasePerson(orgId: Bytes, accountId: Bytes, judge: ErasureJudge): Promise<ErasePersonResult>;

  /** Deletes whatever expired before now: queue entries, send keys, challenges, sessions, invitations, device links, blob metadata. */
  sweep(now: number): Promise<SweepResult>;
}
