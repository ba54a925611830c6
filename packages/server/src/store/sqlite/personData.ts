/**
 * One person's rows in SQLite (docs/PROTOCOL.md §22): the export of Art. 15
 * and 20 GDPR and the erasure of Art. 17. Rare admin operations: their
 * statements are prepared per call rather than kept with the hot path's.
 */
import type Database from "better-sqlite3";
import type { Bytes, ErasePersonResult, ErasureJudge, PersonRecord, StoredRow } from "../ServerStore.js";

const slots = (n: number): string => Array.from({ length: n }, () => "?").join(", ");

/** Live and revoked device ids of the account, and the mailbox ids of the live ones. */
function idsOf(db: Database.Database, accountId: Bytes): { devices: Bytes[]; mailboxes: Bytes[] } {
  const devices = db
    .prepare<[Bytes, Bytes], { id: Buffer }>(
      "SELECT id FROM devices WHERE account_id = ? UNION SELECT device_id FROM revoked_devices WHERE account_id = ?",
    )
    .all(accountId, accountId)
    .map((r) => r.id);
  const mailboxes =
    devices.length === 0
      ? []
      : db
          .prepare<Bytes[], { id: Buffer }>(`SELECT id FROM mailboxes WHERE device_id IN (${slots(devices.length)})`)
          .all(...devices)
          .map((r) => r.id);
  return { devices, mailboxes };
}

export function exportPerson(db: Database.Database, orgId: Bytes, accountId: Bytes): PersonRecord | undefined {
  return db.transaction((): PersonRecord | undefined => {
    const own = db.prepare("SELECT 1 FROM accounts WHERE id = ? AND org_id = ?").get(accountId, orgId);
    if (own === undefined) return undefined;
    const { devices, mailboxes } = idsOf(db, accountId);
    const rows: Record<string, StoredRow[]> = {};
    const counts: Record<string, number> = {};
    const take = (table: string, where: string, ...params: Bytes[]) => {
      const found = db.prepare<Bytes[], StoredRow>(`SELECT * FROM ${table} WHERE ${where}`).all(...params);
      if (found.length > 0) rows[table] = found;
    };
    const count = (table: string, column: string, ids: Bytes[]) => {
      if (ids.length === 0) return;
      const n = db
        .prepare<Bytes[], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE ${column} IN (${slots(ids.length)})`)
        .get(...ids);
      if ((n?.n ?? 0) > 0) counts[table] = n!.n;
    };
    // Other accounts appear where this one (an admin) issued their certificate.
    take("accounts", "id = ? OR (org_id = ? AND instr(certificate, ?) > 0)", accountId, orgId, accountId);
    take("guest_accounts", "account_id = ?", accountId);
    take("devices", "account_id = ?", accountId);
    take("revoked_devices", "account_id = ?", accountId);
    take("invitations", "org_id = ? AND (account_id = ? OR instr(certificate, ?) > 0)", orgId, accountId, accountId);
    take("organisation_log", "org_id = ? AND instr(statement, ?) > 0", orgId, accountId);
    take("contact_points", "org_id = ? AND instr(statement, ?) > 0", orgId, accountId);
    if (devices.length > 0) {
      const inDevices = `IN (${slots(devices.length)})`;
      for (const table of ["mailboxes", "sessions", "challenges", "push_subscriptions"]) {
        take(table, `device_id ${inDevices}`, ...devices);
      }
      take("device_links", `initiator_device_id ${inDevices} OR device_id ${inDevices}`, ...devices, ...devices);
    }
    count("key_packages", "device_id", devices);
    count("entries", "mailbox_id", mailboxes);
    return { rows, counts };
  })();
}

/** Runs inside the store's write transaction; the caller truncates the WAL afterwards. */
export function erasePerson(
  db: Database.Database,
  orgId: Bytes,
  accountId: Bytes,
  judge: ErasureJudge,
): ErasePersonResult {
  const account = db
    .prepare<[Bytes, Bytes], { deactivated_at: number | null }>(
      "SELECT deactivated_at FROM accounts WHERE id = ? AND org_id = ?",
    )
    .get(accountId, orgId);
  if (account === undefined) return { ok: false, code: "account_unknown" };
  const guest = db
    .prepare<[Bytes], { one: number }>("SELECT 1 AS one FROM guest_accounts WHERE account_id = ?")
    .get(accountId);
  if (account.deactivated_at === null && guest === undefined) return { ok: false, code: "person_active" };
  // A guest's device; a deactivated member has none left.
  const devices = db
    .prepare<[Bytes], { id: Buffer }>("SELECT id FROM devices WHERE account_id = ?")
    .all(accountId)
    .map((r) => r.id);
  const naming = db
    .prepare<[Bytes, Bytes], { statement: Buffer }>(
      "SELECT statement FROM contact_points WHERE org_id = ? AND instr(statement, ?) > 0",
    )
    .all(orgId, accountId);
  if (naming.some((row) => judge.listsAsStaff(row.statement))) return { ok: false, code: "person_is_staff" };
  let tombstoned = 0;
  const replace = db.prepare<[Bytes, Bytes, number]>(
    "UPDATE organisation_log SET statement = ? WHERE org_id = ? AND seq = ?",
  );
  const logged = db
    .prepare<[Bytes, Bytes], { seq: number; statement: Buffer }>(
      "SELECT seq, statement FROM organisation_log WHERE org_id = ? AND instr(statement, ?) > 0",
    )
    .all(orgId, accountId);
  for (const { seq, statement } of logged) {
    const replacement = judge.tombstone(statement);
    if (replacement === undefined) continue;
    replace.run(replacement, orgId, seq);
    tombstoned++;
  }
  const deleted: Record<string, number> = {};
  const remove = (table: string, where: string, ...params: Bytes[]) => {
    const n = db.prepare<Bytes[]>(`DELETE FROM ${table} WHERE ${where}`).run(...params).changes;
    if (n > 0) deleted[table] = n;
  };
  remove("invitations", "org_id = ? AND account_id = ?", orgId, accountId);
  remove("revoked_devices", "account_id = ?", accountId);
  // None are left after a revocation, a guest's device is; mailboxes, entries, sessions and the rest go by cascade.
  remove("devices", "account_id = ?", accountId);
  remove("guest_accounts", "account_id = ?", accountId);
  remove("accounts", "id = ?", accountId);
  return { ok: true, deleted, tombstoned, devices };
}
