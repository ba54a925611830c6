/**
 * One person's rows in PostgreSQL (docs/PROTOCOL.md §22): the export of
 * Art. 15 and 20 GDPR and the erasure of Art. 17. What PostgreSQL leaves
 * of deleted rows in dead tuples until VACUUM is docs/OPERATIONS.md's.
 */
import type pg from "pg";
import type { Bytes, ErasePersonResult, ErasureJudge, PersonRecord, StoredCell, StoredRow } from "../ServerStore.js";

/** int8 and numeric columns come as text from node-postgres; the export shows numbers, as SQLite's does. */
const NUMERIC_TYPES = new Set([20, 1700]);

function rowsOf(result: pg.QueryResult<Record<string, StoredCell>>): StoredRow[] {
  const numeric = result.fields.filter((f) => NUMERIC_TYPES.has(f.dataTypeID)).map((f) => f.name);
  return result.rows.map((row) => {
    const out: StoredRow = { ...row };
    for (const name of numeric) if (typeof out[name] === "string") out[name] = Number(out[name]);
    return out;
  });
}

async function idsOf(client: pg.PoolClient, accountId: Bytes): Promise<{ devices: Bytes[]; mailboxes: Bytes[] }> {
  const devices = (
    await client.query<{ id: Buffer }>(
      "SELECT id FROM devices WHERE account_id = $1 UNION SELECT device_id FROM revoked_devices WHERE account_id = $1",
      [accountId],
    )
  ).rows.map((r) => r.id);
  const mailboxes = (
    await client.query<{ id: Buffer }>("SELECT id FROM mailboxes WHERE device_id = ANY($1::bytea[])", [devices])
  ).rows.map((r) => r.id);
  return { devices, mailboxes };
}

export async function exportPerson(
  client: pg.PoolClient,
  orgId: Bytes,
  accountId: Bytes,
): Promise<PersonRecord | undefined> {
  const own = await client.query("SELECT 1 FROM accounts WHERE id = $1 AND org_id = $2", [accountId, orgId]);
  if (own.rowCount === 0) return undefined;
  const { devices, mailboxes } = await idsOf(client, accountId);
  const rows: Record<string, StoredRow[]> = {};
  const counts: Record<string, number> = {};
  const take = async (table: string, where: string, params: unknown[]) => {
    const result = await client.query<Record<string, StoredCell>>(`SELECT * FROM ${table} WHERE ${where}`, params);
    if (result.rows.length > 0) rows[table] = rowsOf(result);
  };
  // Other accounts appear where this one (an admin) issued their certificate.
  await take("accounts", "id = $1 OR (org_id = $2 AND position($1 in certificate) > 0)", [accountId, orgId]);
  await take("guest_accounts", "account_id = $1", [accountId]);
  await take("devices", "account_id = $1", [accountId]);
  await take("revoked_devices", "account_id = $1", [accountId]);
  await take("invitations", "org_id = $2 AND (account_id = $1 OR position($1 in certificate) > 0)", [accountId, orgId]);
  await take("organisation_log", "org_id = $2 AND position($1 in statement) > 0", [accountId, orgId]);
  await take("contact_points", "org_id = $2 AND position($1 in statement) > 0", [accountId, orgId]);
  for (const table of ["mailboxes", "sessions", "challenges", "push_subscriptions"]) {
    await take(table, "device_id = ANY($1::bytea[])", [devices]);
  }
  await take("device_links", "initiator_device_id = ANY($1::bytea[]) OR device_id = ANY($1::bytea[])", [devices]);
  const count = async (table: string, column: string, ids: Bytes[]) => {
    const result = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE ${column} = ANY($1::bytea[])`,
      [ids],
    );
    const n = Number(result.rows[0]?.n ?? 0);
    if (n > 0) counts[table] = n;
  };
  await count("key_packages", "device_id", devices);
  await count("entries", "mailbox_id", mailboxes);
  return { rows, counts };
}

export async function erasePerson(
  client: pg.PoolClient,
  orgId: Bytes,
  accountId: Bytes,
  judge: ErasureJudge,
): Promise<ErasePersonResult> {
  const account = await client.query<{ deactivated_at: string | null }>(
    "SELECT deactivated_at FROM accounts WHERE id = $1 AND org_id = $2 FOR UPDATE",
    [accountId, orgId],
  );
  const row = account.rows[0];
  if (row === undefined) return { ok: false, code: "account_unknown" };
  const guest = (await client.query("SELECT 1 FROM guest_accounts WHERE account_id = $1", [accountId])).rowCount === 1;
  if (row.deactivated_at === null && !guest) return { ok: false, code: "person_active" };
  // A guest's device; a deactivated member has none left.
  const found = await client.query<{ id: Buffer }>("SELECT id FROM devices WHERE account_id = $1", [accountId]);
  const devices = found.rows.map((r) => r.id);
  const naming = await client.query<{ statement: Buffer }>(
    "SELECT statement FROM contact_points WHERE org_id = $1 AND position($2 in statement) > 0",
    [orgId, accountId],
  );
  if (naming.rows.some((row) => judge.listsAsStaff(row.statement))) return { ok: false, code: "person_is_staff" };
  const logged = await client.query<{ seq: string; statement: Buffer }>(
    "SELECT seq, statement FROM organisation_log WHERE org_id = $1 AND position($2 in statement) > 0 FOR UPDATE",
    [orgId, accountId],
  );
  let tombstoned = 0;
  for (const { seq, statement } of logged.rows) {
    const replacement = judge.tombstone(statement);
    if (replacement === undefined) continue;
    await client.query("UPDATE organisation_log SET statement = $1 WHERE org_id = $2 AND seq = $3", [
      replacement,
      orgId,
      seq,
    ]);
    tombstoned++;
  }
  const deleted: Record<string, number> = {};
  const remove = async (table: string, where: string, params: Bytes[]) => {
    const n = (await client.query(`DELETE FROM ${table} WHERE ${where}`, params)).rowCount ?? 0;
    if (n > 0) deleted[table] = n;
  };
  await remove("invitations", "org_id = $1 AND account_id = $2", [orgId, accountId]);
  await remove("revoked_devices", "account_id = $1", [accountId]);
  // None are left after a revocation, a guest's device is; mailboxes, entries, sessions and the rest go by cascade.
  await remove("devices", "account_id = $1", [accountId]);
  await remove("guest_accounts", "account_id = $1", [accountId]);
  await remove("accounts", "id = $1", [accountId]);
  return { ok: true, deleted, tombstoned, devices };
}
