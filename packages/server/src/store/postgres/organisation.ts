/**
 * The organisation's trust state in PostgreSQL: invitations by certificate,
 * the signed log, and the state changes of verified statements. Every
 * function runs inside a transaction that holds the organisation row's lock
 * (lockOrganisation), so the key, the log's seq and revocations cannot race.
 */
import type pg from "pg";
import type { Role } from "@bote/protocol";
import type { Bytes, Invitation, StatementChange } from "../ServerStore.js";

export interface AccountRow {
  id: Buffer;
  org_id: Buffer;
  display_name: string;
  role: Role;
  created_at: string;
  account_key: Buffer;
  certificate: Buffer;
  certificate_issued_at: string;
  deactivated_at: string | null;
  guest_of: Buffer | null;
}

/** Reads an account with its guest mark (guest_of: the contact point, NULL for a member). */
export const ACCOUNT = `SELECT a.*, g.contact_point_id AS guest_of
  FROM accounts a LEFT JOIN guest_accounts g ON g.account_id = a.id`;

/** Why a change's state did not hold, beyond "it did not": a code or a path within the change. */
export interface ChangeFault {
  code?: "contact_point_slug_taken";
  path?: string;
}
export interface InvitationRow {
  id: Buffer;
  org_id: Buffer;
  role: Role;
  expires_at: string;
  created_at: string;
  redeemed_at: string | null;
  revoked_at: string | null;
  account_id: Buffer | null;
  invitation_key: Buffer | null;
  display_name: string | null;
  certificate: Buffer | null;
}

export const INVITATION = `SELECT id, org_id, role, expires_at, created_at, redeemed_at, revoked_at,
  account_id, invitation_key, display_name, certificate FROM invitations`;

export function invitationOf(row: InvitationRow): Invitation {
  const certified =
    row.account_id !== null && row.invitation_key !== null && row.display_name !== null && row.certificate !== null
      ? {
          accountId: row.account_id,
          invitationKey: row.invitation_key,
          displayName: row.display_name,
          certificate: row.certificate,
        }
      : undefined;
  return {
    id: row.id,
    orgId: row.org_id,
    role: row.role,
    expiresAt: Number(row.expires_at),
    createdAt: Number(row.created_at),
    redeemedAt: row.redeemed_at === null ? undefined : Number(row.redeemed_at),
    revokedAt: row.revoked_at === null ? undefined : Number(row.revoked_at),
    certified,
  };
}

/** Appends to the organisation's log; the caller holds the organisation row's lock, so seq cannot race. */
export async function append(client: pg.PoolClient, orgId: Bytes, statement: Bytes, now: number): Promise<number> {
  const result = await client.query<{ seq: string }>(
    `INSERT INTO organisation_log (org_id, seq, statement, at)
     SELECT $1, coalesce(max(seq), 0) + 1, $2, $3 FROM organisation_log WHERE org_id = $1 RETURNING seq`,
    [orgId, statement, now],
  );
  return Number(result.rows[0]!.seq);
}

/** Locks the organisation row (its key and its log) for the transaction; the key, or null. */
export async function lockOrganisation(client: pg.PoolClient, orgId: Bytes): Promise<Buffer | null | undefined> {
  const result = await client.query<{ organisation_key: Buffer | null }>(
    "SELECT organisation_key FROM organisations WHERE id = $1 FOR UPDATE",
    [orgId],
  );
  return result.rows[0]?.organisation_key;
}

/** A revoked device leaves a tombstone; its mailboxes and their entries go by cascade. */
async function deleteDevice(
  client: pg.PoolClient,
  deviceId: Buffer,
  publicKey: Buffer,
  accountId: Bytes,
  now: number,
): Promise<void> {
  await client.query(
    "INSERT INTO revoked_devices (device_id, public_key, revoked_at, account_id) VALUES ($1, $2, $3, $4)",
    [deviceId, publicKey, now, accountId],
  );
  // Mailboxes, sessions, challenges and key packages go by cascade.
  await client.query("DELETE FROM devices WHERE id = $1", [deviceId]);
}

/** One verified change; a fault when the state it needs does not hold. */
export async function applyChange(
  client: pg.PoolClient,
  orgId: Bytes,
  change: StatementChange,
  now: number,
  revokedDevices: Bytes[],
): Promise<ChangeFault | undefined> {
  const fault = (holds: boolean) => (holds ? undefined : {});
  const accountOfOrg = async (accountId: Bytes) => {
    const result = await client.query<AccountRow>(`${ACCOUNT} WHERE a.id = $1 FOR UPDATE OF a`, [accountId]);
    const row = result.rows[0];
    return row !== undefined && row.org_id.equals(orgId) ? row : undefined;
  };
  switch (change.kind) {
    case "account": {
      const account = await accountOfOrg(change.accountId);
      if (
        account === undefined ||
        account.deactivated_at !== null ||
        // An org-signed certificate never turns a customer's guest account into a member.
        account.guest_of !== null ||
        !account.account_key.equals(change.accountKey) ||
        change.issuedAt < Number(account.certificate_issued_at)
      ) {
        return {};
      }
      await client.query(
        "UPDATE accounts SET certificate = $1, certificate_issued_at = $2, role = $3, display_name = $4 WHERE id = $5",
        [change.certificate, change.issuedAt, change.role, change.displayName, change.accountId],
      );
      return undefined;
    }
    case "revokeAccount": {
      const account = await accountOfOrg(change.accountId);
      if (account === undefined || account.deactivated_at !== null) return {};
      await client.query("UPDATE accounts SET deactivated_at = $1 WHERE id = $2", [now, change.accountId]);
      const devices = await client.query<{ id: Buffer; public_key: Buffer }>(
        "SELECT id, public_key FROM devices WHERE account_id = $1 ORDER BY id",
        [change.accountId],
      );
      for (const device of devices.rows) {
        await deleteDevice(client, device.id, device.public_key, change.accountId, now);
        revokedDevices.push(device.id);
      }
      return undefined;
    }
    case "revokeDevice": {
      if ((await accountOfOrg(change.accountId)) === undefined) return {};
      const result = await client.query<{ id: Buffer; public_key: Buffer }>(
        "SELECT id, public_key FROM devices WHERE account_id = $1 AND public_key = $2",
        [change.accountId, change.deviceKey],
      );
      const device = result.rows[0];
      if (device === undefined) return {};
      await deleteDevice(client, device.id, device.public_key, change.accountId, now);
      revokedDevices.push(device.id);
      return undefined;
    }
    case "revokeInvitation": {
      const result = await client.query(
        `UPDATE invitations SET revoked_at = $1
          WHERE invitation_key = $2 AND org_id = $3 AND redeemed_at IS NULL AND revoked_at IS NULL`,
        [now, change.invitationKey, orgId],
      );
      return fault(result.rowCount === 1);
    }
    case "rotate":
      await client.query("UPDATE organisations SET organisation_key = $1 WHERE id = $2", [change.nextKey, orgId]);
      return undefined;
    case "contactPoint":
      return applyContactPoint(client, orgId, change);
    case "directoryEntry": {
      // For a member, or for someone invited and not yet joined; never a guest or a former member.
      const result = await client.query<AccountRow>(`${ACCOUNT} WHERE a.id = $1`, [change.accountId]);
      const account = result.rows[0];
      if (account !== undefined) {
        return fault(account.org_id.equals(orgId) && account.deactivated_at === null && account.guest_of === null);
      }
      const invited = await client.query(
        "SELECT 1 FROM invitations WHERE account_id = $1 AND org_id = $2 AND revoked_at IS NULL LIMIT 1",
        [change.accountId, orgId],
      );
      return fault(invited.rows.length > 0);
    }
    case "policy": {
      // The newest policy wins; an older one arriving late changes nothing and is refused.
      const result = await client.query(
        `UPDATE organisations SET policy_issued_at = $1, max_attachment_bytes = $2, external_chats = $4
          WHERE id = $3 AND (policy_issued_at IS NULL OR policy_issued_at <= $1)`,
        [change.issuedAt, change.maxAttachmentBytes, orgId, change.externalChats],
      );
      return fault(result.rowCount === 1);
    }
    default: {
      const unknown: never = change;
      throw new RangeError(`unknown change ${String(unknown)}`);
    }
  }
}

/**
 * The newest statement of a contact point replaces the one stored: an older
 * one (by issuedAt) is refused, one of the same time wins by log order. The
 * slug is unique on the server; every staff account must be a member of the
 * organisation that is not revoked. The caller holds the organisation's lock.
 */
async function applyContactPoint(
  client: pg.PoolClient,
  orgId: Bytes,
  change: Extract<StatementChange, { kind: "contactPoint" }>,
): Promise<ChangeFault | undefined> {
  const existing = await client.query<{ org_id: Buffer; issued_at: string }>(
    "SELECT org_id, issued_at FROM contact_points WHERE id = $1 FOR UPDATE",
    [change.contactPointId],
  );
  const row = existing.rows[0];
  if (row !== undefined && (!row.org_id.equals(orgId) || change.issuedAt < Number(row.issued_at))) return {};
  for (const [j, accountId] of change.staff.entries()) {
    const result = await client.query<AccountRow>(`${ACCOUNT} WHERE a.id = $1`, [accountId]);
    const account = result.rows[0];
    if (
      account === undefined ||
      !account.org_id.equals(orgId) ||
      account.deactivated_at !== null ||
      account.guest_of !== null
    ) {
      return { path: `staff.${j}` };
    }
  }
  const holder = await client.query<{ id: Buffer }>("SELECT id FROM contact_points WHERE slug = $1", [change.slug]);
  if (holder.rows[0] !== undefined && !holder.rows[0].id.equals(change.contactPointId)) {
    return { code: "contact_point_slug_taken" };
  }
  // Another organisation may take the slug at the same moment: its unique index settles that race.
  await client.query("SAVEPOINT contact_point");
  try {
    await client.query(
      `INSERT INTO contact_points (id, org_id, slug, open, issued_at, statement) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, open = excluded.open,
         issued_at = excluded.issued_at, statement = excluded.statement`,
      [change.contactPointId, orgId, change.slug, change.open, change.issuedAt, change.contactPoint],
    );
  } catch (error) {
    if ((error as { code?: string }).code !== "23505") throw error;
    await client.query("ROLLBACK TO SAVEPOINT contact_point");
    return { code: "contact_point_slug_taken" };
  }
  await client.query("RELEASE SAVEPOINT contact_point");
  return undefined;
}
