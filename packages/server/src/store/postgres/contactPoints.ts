/**
 * Contact points and their guests in PostgreSQL (docs/PROTOCOL.md §18). A
 * guest is an accounts row plus a guest_accounts row; the latter holds the
 * contact point, the last login and the guest's counters, nothing about staff.
 */
import type pg from "pg";
import type { Bytes, ContactPointRecord, CreateGuest, CreateGuestResult } from "../ServerStore.js";
import { randomSeqStart } from "../bytes.js";
import { Rollback, transaction } from "./transaction.js";

interface ContactPointRow {
  id: Buffer;
  org_id: Buffer;
  slug: string;
  open: boolean;
  issued_at: string;
  statement: Buffer;
}

export async function getContactPoint(
  pool: pg.Pool,
  column: "id" | "slug",
  value: Bytes | string,
): Promise<ContactPointRecord | undefined> {
  const result = await pool.query<ContactPointRow>(`SELECT * FROM contact_points WHERE ${column} = $1`, [value]);
  const row = result.rows[0];
  return (
    row && {
      id: row.id,
      orgId: row.org_id,
      slug: row.slug,
      open: row.open,
      issuedAt: Number(row.issued_at),
      contactPoint: row.statement,
    }
  );
}

export function createGuest(pool: pg.Pool, r: CreateGuest): Promise<CreateGuestResult> {
  return transaction(pool, async (client): Promise<CreateGuestResult> => {
    // Shared locks: guests of one organisation do not wait for each other, but a rotation or a
    // closing statement (which lock these rows for update) cannot slip in between check and insert.
    const found = await client.query<{ org_id: Buffer; open: boolean; organisation_key: Buffer | null }>(
      `SELECT c.org_id, c.open, o.organisation_key FROM contact_points c JOIN organisations o ON o.id = c.org_id
        WHERE c.id = $1 FOR SHARE`,
      [r.contactPointId],
    );
    const cp = found.rows[0];
    if (cp === undefined || !cp.open) return { ok: false, code: "contact_point_closed" };
    if (cp.organisation_key === null || !cp.organisation_key.equals(r.organisationKey)) {
      return { ok: false, code: "organisation_key_changed" };
    }
    const revoked = await client.query("SELECT 1 FROM revoked_devices WHERE public_key = $1", [r.publicKey]);
    if (revoked.rows.length > 0) return { ok: false, code: "device_key_taken" };
    const account = await client.query(
      `INSERT INTO accounts (id, org_id, display_name, role, created_at, account_key, certificate, certificate_issued_at)
       VALUES ($1, $2, $3, 'member', $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [r.accountId, cp.org_id, r.displayName, r.now, r.accountKey, r.accountCertificate, r.certificateIssuedAt],
    );
    if (account.rowCount !== 1) return { ok: false, code: "account_taken" };
    await client.query("INSERT INTO guest_accounts (account_id, contact_point_id, last_login_at) VALUES ($1, $2, $3)", [
      r.accountId,
      r.contactPointId,
      r.now,
    ]);
    const device = await client.query(
      `INSERT INTO devices (id, account_id, public_key, certificate, created_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (public_key) DO NOTHING`,
      [r.deviceId, r.accountId, r.publicKey, r.deviceCertificate, r.now],
    );
    if (device.rowCount !== 1) throw new Rollback<CreateGuestResult>({ ok: false, code: "device_key_taken" });
    await client.query("INSERT INTO mailboxes (id, device_id, retired, seq) VALUES ($1, $2, false, $3)", [
      r.mailboxId,
      r.deviceId,
      randomSeqStart(),
    ]);
    return { ok: true };
  });
}

export async function touchGuest(pool: pg.Pool, accountId: Bytes, now: number): Promise<void> {
  await pool.query("UPDATE guest_accounts SET last_login_at = $1 WHERE account_id = $2", [now, accountId]);
}

export async function countGuestKeyPackageFetch(pool: pg.Pool, accountId: Bytes, max: number): Promise<boolean> {
  const result = await pool.query(
    `UPDATE guest_accounts SET key_package_fetches = key_package_fetches + 1
      WHERE account_id = $1 AND key_package_fetches < $2`,
    [accountId, max],
  );
  return result.rowCount === 1;
}

export async function reserveGuestBlob(
  pool: pg.Pool,
  accountId: Bytes,
  maxBlobs: number,
  maxBytes: number,
): Promise<number | undefined> {
  const result = await pool.query<{ blob_bytes: string }>(
    `UPDATE guest_accounts SET blobs = blobs + 1
      WHERE account_id = $1 AND blobs < $2 AND blob_bytes < $3 RETURNING blob_bytes`,
    [accountId, maxBlobs, maxBytes],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : Number(row.blob_bytes);
}

export async function addGuestBlobBytes(pool: pg.Pool, accountId: Bytes, bytes: number): Promise<void> {
  await pool.query("UPDATE guest_accounts SET blob_bytes = blob_bytes + $1 WHERE account_id = $2", [bytes, accountId]);
}

/** Devices, and with them mailboxes, entries, sessions, challenges, key packages and push subscriptions, go by cascade. */
export async function sweepGuests(pool: pg.Pool, idleBefore: number): Promise<number> {
  const result = await pool.query(
    "DELETE FROM accounts WHERE id IN (SELECT account_id FROM guest_accounts WHERE last_login_at <= $1)",
    [idleBefore],
  );
  return result.rowCount ?? 0;
}
