/**
 * Device links in PostgreSQL: the state machine waiting → claimed → keyed →
 * revealed → completed. Each step locks the link row or updates it
 * conditionally on its state, so of two racing steps the second finds the
 * state the first left.
 */
import type pg from "pg";
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
import { Rollback } from "./transaction.js";

interface DeviceLinkRow {
  id: Buffer;
  initiator_device_id: Buffer;
  state: DeviceLinkState;
  commitment: Buffer;
  expires_at: string;
  claimant_ephemeral_key: Buffer | null;
  claimant_device_key: Buffer | null;
  claim_token_hash: Buffer | null;
  initiator_ephemeral_key: Buffer | null;
  device_id: Buffer | null;
  mailbox_id: Buffer | null;
  sealed: Buffer | null;
}

const COLUMNS = `id, initiator_device_id, state, commitment, expires_at, claimant_ephemeral_key,
  claimant_device_key, claim_token_hash, initiator_ephemeral_key, device_id, mailbox_id, sealed`;

function deviceLinkOf(row: DeviceLinkRow): DeviceLink {
  return {
    id: row.id,
    initiatorDeviceId: row.initiator_device_id,
    state: row.state,
    commitment: row.commitment,
    expiresAt: Number(row.expires_at),
    claimantEphemeralKey: row.claimant_ephemeral_key ?? undefined,
    claimantDeviceKey: row.claimant_device_key ?? undefined,
    claimTokenHash: row.claim_token_hash ?? undefined,
    initiatorEphemeralKey: row.initiator_ephemeral_key ?? undefined,
    deviceId: row.device_id ?? undefined,
    mailboxId: row.mailbox_id ?? undefined,
    sealed: row.sealed ?? undefined,
  };
}

async function keyTaken(client: pg.PoolClient, key: Bytes): Promise<boolean> {
  const result = await client.query(
    `SELECT 1 FROM devices WHERE public_key = $1 UNION ALL SELECT 1 FROM revoked_devices WHERE public_key = $1 LIMIT 1`,
    [key],
  );
  return result.rows.length > 0;
}

export async function createLink(client: pg.PoolClient, link: NewDeviceLink): Promise<CreateDeviceLinkResult> {
  // The device row's lock serialises two creates of one device, so both cannot pass the count.
  await client.query("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE", [link.deviceId]);
  const open = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM device_links
      WHERE initiator_device_id = $1 AND expires_at > $2 AND state <> 'completed'`,
    [link.deviceId, link.createdAt],
  );
  if (Number(open.rows[0]?.n ?? 0) >= link.maxOpen) return { ok: false, code: "too_many" };
  // An expired link not yet swept still holds its code: the caller draws another.
  const inserted = await client.query(
    `INSERT INTO device_links (id, initiator_device_id, code_hash, commitment, state, created_at, expires_at)
     VALUES ($1, $2, $3, $4, 'waiting', $5, $6) ON CONFLICT (code_hash) DO NOTHING`,
    [link.id, link.deviceId, link.codeHash, link.commitment, link.createdAt, link.expiresAt],
  );
  return inserted.rowCount === 1 ? { ok: true } : { ok: false, code: "code_taken" };
}

export async function getLink(db: pg.Pool | pg.PoolClient, id: Bytes, now: number): Promise<DeviceLink | undefined> {
  const result = await db.query<DeviceLinkRow>(
    `SELECT ${COLUMNS} FROM device_links WHERE id = $1 AND expires_at > $2`,
    [id, now],
  );
  const row = result.rows[0];
  return row && deviceLinkOf(row);
}

export async function claimLink(client: pg.PoolClient, c: ClaimDeviceLink): Promise<ClaimDeviceLinkResult> {
  const found = await client.query<{ id: Buffer; state: DeviceLinkState; commitment: Buffer }>(
    "SELECT id, state, commitment FROM device_links WHERE code_hash = $1 AND expires_at > $2 FOR UPDATE",
    [c.codeHash, c.now],
  );
  const link = found.rows[0];
  if (link === undefined) return { ok: false, code: "device_link_invalid" };
  if (link.state !== "waiting") return { ok: false, code: "device_link_used" };
  if (await keyTaken(client, c.deviceKey)) return { ok: false, code: "device_key_taken" };
  await client.query(
    "UPDATE device_links SET state = 'claimed', claimant_device_key = $1, claim_token_hash = $2 WHERE id = $3",
    [c.deviceKey, c.claimTokenHash, link.id],
  );
  return { ok: true, id: link.id, commitment: link.commitment };
}

export async function keyLink(client: pg.PoolClient, k: KeyDeviceLink): Promise<KeyDeviceLinkResult> {
  const found = await client.query<{ state: DeviceLinkState; claim_token_hash: Buffer | null }>(
    "SELECT state, claim_token_hash FROM device_links WHERE id = $1 AND expires_at > $2 FOR UPDATE",
    [k.linkId, k.now],
  );
  const link = found.rows[0];
  // A wrong token gets the answer of an unknown link: the id alone tells nothing.
  if (link === undefined || link.claim_token_hash === null || !link.claim_token_hash.equals(k.claimTokenHash)) {
    return { ok: false, code: "device_link_invalid" };
  }
  if (link.state !== "claimed") return { ok: false, code: "device_link_state" };
  await client.query("UPDATE device_links SET state = 'keyed', claimant_ephemeral_key = $1 WHERE id = $2", [
    k.ephemeralKey,
    k.linkId,
  ]);
  return { ok: true };
}

export async function revealLink(
  pool: pg.Pool,
  id: Bytes,
  initiatorDeviceId: Bytes,
  ephemeralKey: Bytes,
  now: number,
): Promise<boolean> {
  const result = await pool.query(
    `UPDATE device_links SET state = 'revealed', initiator_ephemeral_key = $1
      WHERE id = $2 AND initiator_device_id = $3 AND state = 'keyed' AND expires_at > $4`,
    [ephemeralKey, id, initiatorDeviceId, now],
  );
  return result.rowCount === 1;
}

export async function completeLink(client: pg.PoolClient, r: CompleteDeviceLink): Promise<CompleteDeviceLinkResult> {
  // The account first, as a revocation locks it: a revoke and a completion cannot cross.
  const account = await client.query<{ account_key: Buffer; deactivated_at: string | null }>(
    "SELECT account_key, deactivated_at FROM accounts WHERE id = $1 FOR UPDATE",
    [r.accountId],
  );
  const found = await client.query<DeviceLinkRow>(
    `SELECT ${COLUMNS} FROM device_links WHERE id = $1 AND expires_at > $2 FOR UPDATE`,
    [r.linkId, r.now],
  );
  const link = found.rows[0];
  if (link === undefined || !link.initiator_device_id.equals(r.initiatorDeviceId)) {
    return { ok: false, code: "device_link_invalid" };
  }
  if (link.state !== "revealed" || link.claimant_device_key === null || !link.claimant_device_key.equals(r.deviceKey)) {
    return { ok: false, code: "device_link_state" };
  }
  const holder = account.rows[0];
  const initiator = await client.query("SELECT 1 FROM devices WHERE id = $1 AND account_id = $2", [
    r.initiatorDeviceId,
    r.accountId,
  ]);
  if (
    holder === undefined ||
    holder.deactivated_at !== null ||
    !holder.account_key.equals(r.accountKey) ||
    initiator.rows.length === 0
  ) {
    return { ok: false, code: "account_changed" };
  }
  if (await keyTaken(client, r.deviceKey)) return { ok: false, code: "device_key_taken" };
  const device = await client.query(
    `INSERT INTO devices (id, account_id, public_key, certificate, created_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (public_key) DO NOTHING`,
    [r.deviceId, r.accountId, r.deviceKey, r.deviceCertificate, r.now],
  );
  if (device.rowCount !== 1) throw new Rollback<CompleteDeviceLinkResult>({ ok: false, code: "device_key_taken" });
  await client.query("INSERT INTO mailboxes (id, device_id, retired, seq) VALUES ($1, $2, false, $3)", [
    r.mailboxId,
    r.deviceId,
    randomSeqStart(),
  ]);
  await client.query(
    "UPDATE device_links SET state = 'completed', device_id = $1, mailbox_id = $2, sealed = $3 WHERE id = $4",
    [r.deviceId, r.mailboxId, r.sealed, r.linkId],
  );
  return { ok: true };
}

export async function takeCompletedLink(
  pool: pg.Pool,
  id: Bytes,
  claimTokenHash: Bytes,
  now: number,
): Promise<DeviceLink | undefined> {
  const result = await pool.query<DeviceLinkRow>(
    `DELETE FROM device_links
      WHERE id = $1 AND claim_token_hash = $2 AND state = 'completed' AND expires_at > $3
      RETURNING ${COLUMNS}`,
    [id, claimTokenHash, now],
  );
  const row = result.rows[0];
  return row && deviceLinkOf(row);
}
