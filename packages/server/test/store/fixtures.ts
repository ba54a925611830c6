/** What the store contract needs from a backend, and the helpers its tests share. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "@bote/protocol";
import type {
  Bytes,
  NewEntry,
  RedeemInvitation,
  SendOp,
  SendOutcome,
  ServerStore,
} from "../../src/store/ServerStore.js";

export interface StoreFixture {
  store: ServerStore;
  /** A second, independent instance on the same database, as another server node would open it. */
  openPeer(): Promise<ServerStore>;
  /** The expiry of a send key, read directly: the dedupe rows are not visible through the port. */
  peekSend(sendKey: Bytes): Promise<number | undefined>;
  cleanup(): Promise<void>;
}

/** Times are fixed, never the wall clock, so expiry is under the test's control. */
export const T = 1_700_000_000_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export function id(bytes = 16): Buffer {
  return randomBytes(bytes);
}

export function assertBytes(actual: Bytes | null | undefined, expected: Bytes, message?: string): void {
  assert.ok(actual != null, message ?? "bytes missing");
  assert.equal(Buffer.from(actual).toString("hex"), Buffer.from(expected).toString("hex"), message);
}

export function hexes(list: readonly Bytes[]): string[] {
  return list.map((b) => Buffer.from(b).toString("hex"));
}

export function tokenHash(token: Bytes): Buffer {
  return createHash("sha256").update(token).digest();
}

/** The organisation key the fixtures give an organisation: the store treats it as opaque bytes. */
export function organisationKeyOf(orgId: Bytes): Buffer {
  return createHash("sha256").update(orgId).digest();
}

/** An organisation whose first admin has joined, so it has its key. */
export async function seedOrganisation(store: ServerStore, options: { withKey?: boolean } = {}): Promise<Buffer> {
  const orgId = id();
  await store.createOrganisation({ id: orgId, name: `Org ${orgId.toString("hex").slice(0, 6)}`, createdAt: T });
  if (options.withKey ?? true) assert.equal(await store.setOrganisationKey(orgId, organisationKeyOf(orgId)), true);
  return orgId;
}

export interface SeededInvitation {
  orgId: Buffer;
  tokenHash: Buffer;
  role: Role;
  /** Undefined for a bootstrap invitation. */
  accountId: Buffer | undefined;
  invitationKey: Buffer;
  certificate: Buffer;
}

/** A certified invitation (the certificate is opaque bytes to the store), or with bootstrap the first-admin kind. */
export async function seedInvitation(
  store: ServerStore,
  orgId: Buffer,
  options: { role?: Role; expiresAt?: number; bootstrap?: boolean; accountId?: Buffer } = {},
): Promise<SeededInvitation> {
  const hash = tokenHash(id(32));
  const role = options.role ?? "member";
  const accountId = options.bootstrap === true ? undefined : (options.accountId ?? id());
  const invitationKey = id(32);
  const certificate = id(150);
  const result = await store.createInvitation({
    id: id(),
    orgId,
    tokenHash: hash,
    role,
    expiresAt: options.expiresAt ?? T + DAY,
    createdAt: T,
    ...(accountId === undefined
      ? {}
      : {
          certified: { accountId, invitationKey, displayName: "Erika Mustermann", certificate },
          statement: Buffer.concat([Buffer.of(4), certificate]),
        }),
  });
  assert.equal(result.ok, true);
  return { orgId, tokenHash: hash, role, accountId, invitationKey, certificate };
}

/** A redeem of the invitation as the route would make it after verifying the certificates. */
export function redeemRequest(
  invitation: SeededInvitation,
  overrides: Partial<RedeemInvitation> = {},
): RedeemInvitation {
  const bootstrap = invitation.accountId === undefined;
  return {
    tokenHash: invitation.tokenHash,
    now: T,
    organisationKey: bootstrap ? id(32) : organisationKeyOf(invitation.orgId),
    setsOrganisationKey: bootstrap,
    accountId: invitation.accountId ?? id(),
    accountKey: id(32),
    displayName: "Erika Mustermann",
    role: invitation.role,
    accountCertificate: id(200),
    certificateIssuedAt: T / 1000,
    deviceId: id(),
    publicKey: id(32),
    deviceCertificate: id(120),
    mailboxId: id(),
    statement: id(201),
    ...overrides,
  };
}

export interface SeededDevice {
  orgId: Buffer;
  accountId: Buffer;
  deviceId: Buffer;
  mailboxId: Buffer;
  publicKey: Buffer;
  accountKey: Buffer;
}

/** An account with one device and its mailbox, made the only way the port allows: by redeeming an invitation. */
export async function seedDevice(store: ServerStore, orgId: Buffer, role: Role = "member"): Promise<SeededDevice> {
  const invitation = await seedInvitation(store, orgId, { role });
  const device = { deviceId: id(), mailboxId: id(), publicKey: id(32), accountKey: id(32) };
  const result = await store.redeemInvitation(redeemRequest(invitation, device));
  assert.equal(result.ok, true);
  return { orgId, accountId: invitation.accountId!, ...device };
}

/** One entry per recipient, each with its own bytes, as the relay seals them. */
export function entriesFor(mailboxIds: Bytes[], size = 200): NewEntry[] {
  return mailboxIds.map((mailboxId) => ({ mailboxId, sealed: id(size) }));
}

export function sendTo(mailboxIds: Bytes[], options: Partial<SendOp> = {}): SendOp {
  return {
    sendKey: id(),
    parts: [entriesFor(mailboxIds)],
    expiresAt: T + 30 * DAY,
    ...options,
  };
}

/** Narrows an outcome to "stored" or fails the test. */
export function stored(outcome: SendOutcome | undefined): Extract<SendOutcome, { kind: "stored" }> {
  assert.ok(outcome?.kind === "stored", `expected stored, got ${describeOutcome(outcome)}`);
  return outcome;
}

export function describeOutcome(outcome: SendOutcome | undefined): string {
  return JSON.stringify(outcome, (_key, value: unknown) => (typeof value === "bigint" ? `${value}n` : value));
}
