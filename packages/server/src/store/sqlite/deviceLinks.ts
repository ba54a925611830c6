/**
 * Device links in SQLite: the state machine waiting → claimed → keyed →
 * revealed → completed, each step a conditional write inside the store's
 * write transaction, so a step out of order changes nothing.
 */
import type Database from "better-sqlite3";
import { randomSeqStart } from "../bytes.js";
import type {
  Bytes,
  ClaimDeviceLink,
  ClaimDeviceLinkResult,
  CompleteDeviceLink,
  CompleteDeviceLinkResult,
  CreateDeviceLinkResult,
  DeviceLink,
  DeviceLinkState,
  KeyDeviceLink,
  KeyDeviceLinkResult,
  NewDeviceLink,
} from "../ServerStore.js";
import type { Statement, Statements } from "./statements.js";

export interface DeviceLinkRow {
  id: Buffer;
  initiator_device_id: Buffer;
  state: DeviceLinkState;
  commitment: Buffer;
  expires_at: number;
  claimant_ephemeral_key: Buffer | null;
  claimant_device_key: Buffer | null;
  claim_token_hash: Buffer | null;
  initiator_ephemeral_key: Buffer | null;
  device_id: Buffer | null;
  mailbox_id: Buffer | null;
  sealed: Buffer | null;
}

const columns = `id, initiator_device_id, state, commitment, expires_at, claimant_ephemeral_key,
  claimant_device_key, claim_token_hash, initiator_ephemeral_key, device_id, mailbox_id, sealed`;

export function prepareDeviceLinkStatements(db: Database.Database) {
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
  return {
    countOpen: prepare<[Bytes, number], { n: number }>(
      `SELECT count(*) AS n FROM device_links
        WHERE initiator_device_id = ? AND expires_at > ? AND state <> 'completed'`,
    ),
    codeTaken: prepare<[Bytes], { taken: number }>("SELECT 1 AS taken FROM device_links WHERE code_hash = ?"),
    insert: prepare<[Bytes, Bytes, Bytes, Bytes, number, number]>(
      `INSERT INTO device_links (id, initiator_device_id, code_hash, commitment, state, created_at, expires_at)
       VALUES (?, ?, ?, ?, 'waiting', ?, ?)`,
    ),
    get: prepare<[Bytes, number], DeviceLinkRow>(`SELECT ${columns} FROM device_links WHERE id = ? AND expires_at > ?`),
    byCode: prepare<[Bytes, number], DeviceLinkRow>(
      `SELECT ${columns} FROM device_links WHERE code_hash = ? AND expires_at > ?`,
    ),
    claim: prepare<[Bytes, Bytes, Bytes]>(
      `UPDATE device_links SET state = 'claimed', claimant_device_key = ?, claim_token_hash = ?
        WHERE id = ? AND state = 'waiting'`,
    ),
    key: prepare<[Bytes, Bytes]>(
      `UPDATE device_links SET state = 'keyed', claimant_ephemeral_key = ? WHERE id = ? AND state = 'claimed'`,
    ),
    reveal: prepare<[Bytes, Bytes, Bytes, number]>(
      `UPDATE device_links SET state = 'revealed', initiator_ephemeral_key = ?
        WHERE id = ? AND initiator_device_id = ? AND state = 'keyed' AND expires_at > ?`,
    ),
    complete: prepare<[Bytes, Bytes, Bytes, Bytes]>(
      `UPDATE device_links SET state = 'completed', device_id = ?, mailbox_id = ?, sealed = ?
        WHERE id = ? AND state = 'revealed'`,
    ),
    take: prepare<[Bytes, Bytes, number], DeviceLinkRow>(
      `DELETE FROM device_links WHERE id = ? AND claim_token_hash = ? AND state = 'completed' AND expires_at > ?
       RETURNING ${columns}`,
    ),
    sweep: prepare<[number]>("DELETE FROM device_links WHERE expires_at <= ?"),
  };
}

export type DeviceLinkStatements = ReturnType<typeof prepareDeviceLinkStatements>;

export function deviceLinkOf(row: DeviceLinkRow): DeviceLink {
  return {
    id: row.id,
    initiatorDeviceId: row.initiator_device_id,
    state: row.state,
    commitment: row.commitment,
    expiresAt: row.expires_at,
    claimantEphemeralKey: row.claimant_ephemeral_key ?? undefined,
    claimantDeviceKey: row.claimant_device_key ?? undefined,
    claimTokenHash: row.claim_token_hash ?? undefined,
    initiatorEphemeralKey: row.initiator_ephemeral_key ?? undefined,
    deviceId: row.device_id ?? undefined,
    mailboxId: row.mailbox_id ?? undefined,
    sealed: row.sealed ?? undefined,
  };
}

export function createLink(l: DeviceLinkStatements, link: NewDeviceLink): CreateDeviceLinkResult {
  if ((l.countOpen.get(link.deviceId, link.createdAt)?.n ?? 0) >= link.maxOpen) return { ok: false, code: "too_many" };
  // An expired link not yet swept still holds its code: the caller draws another.
  if (l.codeTaken.get(link.codeHash) !== undefined) return { ok: false, code: "code_taken" };
  l.insert.run(link.id, link.deviceId, link.codeHash, link.commitment, link.createdAt, link.expiresAt);
  return { ok: true };
}

export function claimLink(s: Statements, l: DeviceLinkStatements, c: ClaimDeviceLink): ClaimDeviceLinkResult {
  const link = l.byCode.get(c.codeHash, c.now);
  if (link === undefined) return { ok: false, code: "device_link_invalid" };
  if (link.state !== "waiting") return { ok: false, code: "device_link_used" };
  if (s.publicKeyTaken.get(c.deviceKey, c.deviceKey) !== undefined) return { ok: false, code: "device_key_taken" };
  l.claim.run(c.deviceKey, c.claimTokenHash, link.id);
  return { ok: true, id: link.id, commitment: link.commitment };
}

export function keyLink(l: DeviceLinkStatements, k: KeyDeviceLink): KeyDeviceLinkResult {
  const link = l.get.get(k.linkId, k.now);
  // A wrong token gets the answer of an unknown link: the id alone tells nothing.
  if (link === undefined || link.claim_token_hash === null || !link.claim_token_hash.equals(k.claimTokenHash)) {
    return { ok: false, code: "device_link_invalid" };
  }
  if (link.state !== "claimed") return { ok: false, code: "device_link_state" };
  l.key.run(k.ephemeralKey, link.id);
  return { ok: true };
}

export function completeLink(s: Statements, l: DeviceLinkStatements, r: CompleteDeviceLink): CompleteDeviceLinkResult {
  const link = l.get.get(r.linkId, r.now);
  if (link === undefined || !link.initiator_device_id.equals(r.initiatorDeviceId)) {
    return { ok: false, code: "device_link_invalid" };
  }
  if (link.state !== "revealed" || link.claimant_device_key === null || !link.claimant_device_key.equals(r.deviceKey)) {
    return { ok: false, code: "device_link_state" };
  }
  const account = s.getAccount.get(r.accountId);
  const initiator = s.principalOfDevice.get(r.initiatorDeviceId);
  if (
    account === undefined ||
    account.deactivated_at !== null ||
    !account.account_key.equals(r.accountKey) ||
    initiator === undefined ||
    !initiator.account_id.equals(r.accountId)
  ) {
    return { ok: false, code: "account_changed" };
  }
  if (s.publicKeyTaken.get(r.deviceKey, r.deviceKey) !== undefined) return { ok: false, code: "device_key_taken" };
  s.insertDevice.run(r.deviceId, r.accountId, r.deviceKey, r.deviceCertificate, r.now);
  s.insertMailbox.run(r.mailboxId, r.deviceId, randomSeqStart());
  l.complete.run(r.deviceId, r.mailboxId, r.sealed, r.linkId);
  return { ok: true };
}
