/** What the store contract needs from a backend, and the helpers its tests share. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import type { Role } from "@bote/protocol";
import type { Bytes, SendOp, SendOutcome, ServerStore } from "../../src/store/ServerStore.js";

export interface StoreFixture {
  store: ServerStore;
  /** A second, independent instance on the same database, as another server node would open it. */
  openPeer(): Promise<ServerStore>;
  /** Reads an envelope row directly: the payload drop and the dedupe tombstone are not visible through the port. */
  peekEnvelope(messageId: Bytes, part: number): Promise<EnvelopeRow | undefined>;
  cleanup(): Promise<void>;
}

export interface EnvelopeRow {
  payload: Bytes | null;
  pending: number;
  expiresAt: number;
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

export async function seedOrganisation(store: ServerStore): Promise<Buffer> {
  const orgId = id();
  await store.createOrganisation({ id: orgId, name: `Org ${orgId.toString("hex").slice(0, 6)}`, createdAt: T });
  return orgId;
}

export interface SeededInvitation {
  tokenHash: Buffer;
  role: Role;
}

export async function seedInvitation(
  store: ServerStore,
  orgId: Bytes,
  options: { role?: Role; expiresAt?: number } = {},
): Promise<SeededInvitation> {
  const hash = tokenHash(id(32));
  const role = options.role ?? "member";
  await store.createInvitation({
    id: id(),
    orgId,
    tokenHash: hash,
    role,
    expiresAt: options.expiresAt ?? T + DAY,
    createdAt: T,
  });
  return { tokenHash: hash, role };
}

export interface SeededDevice {
  orgId: Buffer;
  accountId: Buffer;
  deviceId: Buffer;
  mailboxId: Buffer;
  publicKey: Buffer;
}

/** An account with one device and its mailbox, made the only way the port allows: by redeeming an invitation. */
export async function seedDevice(store: ServerStore, orgId: Buffer, role: Role = "member"): Promise<SeededDevice> {
  const invitation = await seedInvitation(store, orgId, { role });
  const device = { orgId, accountId: id(), deviceId: id(), mailboxId: id(), publicKey: id(32) };
  const result = await store.redeemInvitation({
    tokenHash: invitation.tokenHash,
    now: T,
    displayName: "Erika Mustermann",
    ...device,
  });
  assert.equal(result.ok, true);
  return device;
}

export function sendTo(mailboxIds: Bytes[], options: Partial<SendOp> = {}): SendOp {
  return {
    messageId: id(),
    parts: [{ mailboxIds, payload: id(200) }],
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
