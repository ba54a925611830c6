/**
 * Every statement the embedded store runs, prepared once when the store
 * opens: re-preparing per call would dominate the relay's hot path.
 */
import type Database from "better-sqlite3";
import type { Role } from "@bote/protocol";
import type { Bytes } from "../ServerStore.js";

/**
 * Statements that take a set of mailboxes bind it as this many slots; a
 * device has its current mailbox and rarely more than one draining, and a
 * shorter set is padded by repeating an id (see mailboxSlots).
 */
export const MAILBOX_SLOTS = 4;
const slots = Array.from({ length: MAILBOX_SLOTS }, () => "?").join(", ");
export const oneOfSlots = Array.from({ length: MAILBOX_SLOTS }, () => "mailbox_id = ?").join(" OR ");
export type Slots = [Bytes, Bytes, Bytes, Bytes];

export interface OrganisationRow {
  id: Buffer;
  name: string;
  created_at: number;
  language: "de" | "en";
  set_up_at: number | null;
}
export interface AccountRow {
  id: Buffer;
  org_id: Buffer;
  display_name: string;
  role: Role;
  created_at: number;
  account_key: Buffer;
  certificate: Buffer;
  certificate_issued_at: number;
  deactivated_at: number | null;
  guest_of: Buffer | null;
}
export interface DeviceRow {
  id: Buffer;
  account_id: Buffer;
  public_key: Buffer;
  certificate: Buffer;
  created_at: number;
}
export interface InvitationRow {
  id: Buffer;
  org_id: Buffer;
  role: Role;
  expires_at: number;
  created_at: number;
  redeemed_at: number | null;
  revoked_at: number | null;
  account_id: Buffer | null;
  invitation_key: Buffer | null;
  display_name: string | null;
  certificate: Buffer | null;
}
export interface PrincipalRow {
  device_id: Buffer;
  account_id: Buffer;
  org_id: Buffer;
  role: Role;
  display_name: string;
  public_key: Buffer;
  guest_of: Buffer | null;
}
export interface ContactPointRow {
  id: Buffer;
  org_id: Buffer;
  slug: string;
  open: number;
  issued_at: number;
  statement: Buffer;
}
export interface MailboxRow {
  id: Buffer;
  device_id: Buffer;
  retired: number;
}

/** The part of better-sqlite3's Statement the store uses; its own type cannot be named in declarations. */
export interface Statement<P extends unknown[], R> {
  run(...params: P): Database.RunResult;
  get(...params: P): R | undefined;
  all(...params: P): R[];
  safeIntegers(toggle?: boolean): this;
}

const invitation = `SELECT id, org_id, role, expires_at, created_at, redeemed_at, revoked_at,
  account_id, invitation_key, display_name, certificate FROM invitations`;

const principal = `SELECT d.id AS device_id, d.account_id, a.org_id, a.role, a.display_name, d.public_key,
  g.contact_point_id AS guest_of
  FROM devices d JOIN accounts a ON a.id = d.account_id LEFT JOIN guest_accounts g ON g.account_id = a.id`;

const account = `SELECT a.*, g.contact_point_id AS guest_of
  FROM accounts a LEFT JOIN guest_accounts g ON g.account_id = a.id`;

export function prepareStatements(db: Database.Database) {
  const prepare = <P extends unknown[], R = unknown>(sql: string): Statement<P, R> => db.prepare<P, R>(sql);
  return {
    insertOrganisation: prepare<[Bytes, string, number]>(
      "INSERT INTO organisations (id, name, created_at) VALUES (?, ?, ?)",
    ),
    listOrganisations: prepare<[], OrganisationRow>(
      "SELECT id, name, created_at, language, set_up_at FROM organisations ORDER BY created_at, id",
    ),
    getOrganisation: prepare<[Bytes], OrganisationRow>(
      "SELECT id, name, created_at, language, set_up_at FROM organisations WHERE id = ?",
    ),
    setUpOrganisation: prepare<[string, string, number, Bytes]>(
      "UPDATE organisations SET name = ?, language = ?, set_up_at = ? WHERE id = ?",
    ),

    getOrganisationKey: prepare<[Bytes], { organisation_key: Buffer | null }>(
      "SELECT organisation_key FROM organisations WHERE id = ?",
    ),
    setFirstOrganisationKey: prepare<[Bytes, Bytes]>(
      "UPDATE organisations SET organisation_key = ? WHERE id = ? AND organisation_key IS NULL",
    ),
    replaceOrganisationKey: prepare<[Bytes, Bytes]>("UPDATE organisations SET organisation_key = ? WHERE id = ?"),
    getPolicy: prepare<
      [Bytes],
      { policy_issued_at: number | null; max_attachment_bytes: number | null; external_chats: number }
    >("SELECT policy_issued_at, max_attachment_bytes, external_chats FROM organisations WHERE id = ?"),
    setPolicy: prepare<[number, number, number, Bytes]>(
      "UPDATE organisations SET policy_issued_at = ?, max_attachment_bytes = ?, external_chats = ? WHERE id = ?",
    ),

    insertInvitation: prepare<
      [Bytes, Bytes, Bytes, Role, number, number, Bytes | null, Bytes | null, string | null, Bytes | null]
    >(
      `INSERT INTO invitations (id, org_id, token_hash, role, expires_at, created_at,
                                account_id, invitation_key, display_name, certificate)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    invitationTaken: prepare<[Bytes, Bytes, number, Bytes], { taken: number }>(
      `SELECT 1 AS taken FROM accounts WHERE id = ?
       UNION ALL SELECT 1 FROM invitations
        WHERE account_id = ? AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > ?
       UNION ALL SELECT 1 FROM invitations WHERE invitation_key = ?
       LIMIT 1`,
    ),
    getInvitation: prepare<[Bytes], InvitationRow>(`${invitation} WHERE token_hash = ?`),
    invitationNamesAccount: prepare<[Bytes, Bytes], { found: number }>(
      "SELECT 1 AS found FROM invitations WHERE account_id = ? AND org_id = ? AND revoked_at IS NULL LIMIT 1",
    ),
    invitationByKey: prepare<[Bytes], InvitationRow>(`${invitation} WHERE invitation_key = ?`),
    listInvitations: prepare<[Bytes], InvitationRow>(
      `${invitation} WHERE org_id = ? AND certificate IS NOT NULL ORDER BY created_at DESC, id`,
    ),
    markInvitationRedeemed: prepare<[number, Bytes]>("UPDATE invitations SET redeemed_at = ? WHERE id = ?"),
    markInvitationRevoked: prepare<[number, Bytes]>("UPDATE invitations SET revoked_at = ? WHERE id = ?"),
    publicKeyTaken: prepare<[Bytes, Bytes], { taken: number }>(
      `SELECT 1 AS taken FROM devices WHERE public_key = ?
       UNION ALL SELECT 1 FROM revoked_devices WHERE public_key = ? LIMIT 1`,
    ),
    insertAccount: prepare<[Bytes, Bytes, string, Role, number, Bytes, Bytes, number]>(
      `INSERT INTO accounts (id, org_id, display_name, role, created_at, account_key, certificate, certificate_issued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertDevice: prepare<[Bytes, Bytes, Bytes, Bytes, number]>(
      "INSERT INTO devices (id, account_id, public_key, certificate, created_at) VALUES (?, ?, ?, ?, ?)",
    ),
    updateAccountCertificate: prepare<[Bytes, number, Role, string, Bytes]>(
      "UPDATE accounts SET certificate = ?, certificate_issued_at = ?, role = ?, display_name = ? WHERE id = ?",
    ),
    deactivateAccount: prepare<[number, Bytes]>("UPDATE accounts SET deactivated_at = ? WHERE id = ?"),
    devicesOfAccountKeys: prepare<[Bytes], { id: Buffer; public_key: Buffer }>(
      "SELECT id, public_key FROM devices WHERE account_id = ?",
    ),
    deviceOfAccountByKey: prepare<[Bytes, Bytes], { id: Buffer; public_key: Buffer }>(
      "SELECT id, public_key FROM devices WHERE account_id = ? AND public_key = ?",
    ),
    insertTombstone: prepare<[Bytes, Bytes, number, Bytes]>(
      "INSERT INTO revoked_devices (device_id, public_key, revoked_at, account_id) VALUES (?, ?, ?, ?)",
    ),
    // Mailboxes (with their queue entries), sessions, challenges and key packages go by cascade.
    deleteDevice: prepare<[Bytes]>("DELETE FROM devices WHERE id = ?"),
    revokedDeviceKey: prepare<[Bytes], { public_key: Buffer }>(
      "SELECT public_key FROM revoked_devices WHERE device_id = ?",
    ),
    nextLogSeq: prepare<[Bytes], { seq: number }>(
      "SELECT coalesce(max(seq), 0) + 1 AS seq FROM organisation_log WHERE org_id = ?",
    ),
    insertLog: prepare<[Bytes, number, Bytes, number]>(
      "INSERT INTO organisation_log (org_id, seq, statement, at) VALUES (?, ?, ?, ?)",
    ),
    listLog: prepare<[Bytes, number, number], { seq: number; statement: Buffer; at: number }>(
      "SELECT seq, statement, at FROM organisation_log WHERE org_id = ? AND seq > ? ORDER BY seq LIMIT ?",
    ),
    insertMailbox: prepare<[Bytes, Bytes, number]>(
      "INSERT INTO mailboxes (id, device_id, retired, seq) VALUES (?, ?, 0, ?)",
    ),
    countAccounts: prepare<[Bytes], { n: number }>("SELECT count(*) AS n FROM accounts WHERE org_id = ?"),

    principalOfDevice: prepare<[Bytes], PrincipalRow>(`${principal} WHERE d.id = ?`),
    principalOfSession: prepare<[Bytes, number], PrincipalRow & { expires_at: number }>(
      `SELECT d.id AS device_id, d.account_id, a.org_id, a.role, a.display_name, d.public_key,
              g.contact_point_id AS guest_of, s.expires_at
         FROM sessions s JOIN devices d ON d.id = s.device_id JOIN accounts a ON a.id = d.account_id
         LEFT JOIN guest_accounts g ON g.account_id = a.id
        WHERE s.token_hash = ? AND s.expires_at > ?`,
    ),
    getAccount: prepare<[Bytes], AccountRow>(`${account} WHERE a.id = ?`),
    // Guests are no members: the directory never lists them.
    accountsOfOrganisation: prepare<[Bytes], AccountRow>(
      `${account} WHERE a.org_id = ? AND a.deactivated_at IS NULL AND g.account_id IS NULL
        ORDER BY a.created_at, a.id`,
    ),

    contactPointById: prepare<[Bytes], ContactPointRow>("SELECT * FROM contact_points WHERE id = ?"),
    contactPointBySlug: prepare<[string], ContactPointRow>("SELECT * FROM contact_points WHERE slug = ?"),
    upsertContactPoint: prepare<[Bytes, Bytes, string, number, number, Bytes]>(
      `INSERT INTO contact_points (id, org_id, slug, open, issued_at, statement) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, open = excluded.open,
         issued_at = excluded.issued_at, statement = excluded.statement`,
    ),
    insertGuest: prepare<[Bytes, Bytes, number]>(
      "INSERT INTO guest_accounts (account_id, contact_point_id, last_login_at) VALUES (?, ?, ?)",
    ),
    touchGuest: prepare<[number, Bytes]>("UPDATE guest_accounts SET last_login_at = ? WHERE account_id = ?"),
    countGuestFetch: prepare<[Bytes, number]>(
      `UPDATE guest_accounts SET key_package_fetches = key_package_fetches + 1
        WHERE account_id = ? AND key_package_fetches < ?`,
    ),
    reserveGuestBlob: prepare<[Bytes, number, number], { blob_bytes: number }>(
      `UPDATE guest_accounts SET blobs = blobs + 1
        WHERE account_id = ? AND blobs < ? AND blob_bytes < ? RETURNING blob_bytes`,
    ),
    addGuestBlobBytes: prepare<[number, Bytes]>(
      "UPDATE guest_accounts SET blob_bytes = blob_bytes + ? WHERE account_id = ?",
    ),
    // Devices, and with them mailboxes, entries, sessions, challenges, key packages and push subscriptions, go by cascade.
    sweepGuests: prepare<[number]>(
      "DELETE FROM accounts WHERE id IN (SELECT account_id FROM guest_accounts WHERE last_login_at <= ?)",
    ),
    devicesOfOrganisation: prepare<[Bytes], DeviceRow>(
      `SELECT d.* FROM devices d JOIN accounts a ON a.id = d.account_id
        WHERE a.org_id = ? ORDER BY d.created_at, d.id`,
    ),

    insertChallenge: prepare<[Bytes, Bytes, number]>(
      "INSERT INTO challenges (challenge, device_id, expires_at) VALUES (?, ?, ?)",
    ),
    deleteChallenge: prepare<[Bytes], { device_id: Buffer; expires_at: number }>(
      "DELETE FROM challenges WHERE challenge = ? RETURNING device_id, expires_at",
    ),
    insertSession: prepare<[Bytes, Bytes, number]>(
      "INSERT INTO sessions (token_hash, device_id, expires_at) VALUES (?, ?, ?)",
    ),
    deleteSession: prepare<[Bytes]>("DELETE FROM sessions WHERE token_hash = ?"),
    deleteOldSessions: prepare<[Bytes, number], { token_hash: Buffer }>(
      `DELETE FROM sessions WHERE token_hash IN
         (SELECT token_hash FROM sessions WHERE device_id = ? ORDER BY expires_at DESC, token_hash LIMIT -1 OFFSET ?)
       RETURNING token_hash`,
    ),

    keyPackageStock: prepare<[Bytes], { one_time: number; last_resort: number }>(
      `SELECT coalesce(sum(last_resort = 0), 0) AS one_time, coalesce(sum(last_resort), 0) AS last_resort
         FROM key_packages WHERE device_id = ?`,
    ),
    insertKeyPackage: prepare<[Bytes, Bytes, number]>(
      "INSERT INTO key_packages (device_id, data, last_resort) VALUES (?, ?, ?)",
    ),
    deleteLastResort: prepare<[Bytes]>("DELETE FROM key_packages WHERE device_id = ? AND last_resort"),
    devicesOfAccount: prepare<[Bytes], { device_id: Buffer; mailbox_id: Buffer | null }>(
      `SELECT d.id AS device_id, m.id AS mailbox_id FROM devices d
         LEFT JOIN mailboxes m ON m.device_id = d.id AND NOT m.retired
        WHERE d.account_id = ? ORDER BY d.created_at, d.id`,
    ),
    takeOneTime: prepare<[Bytes], { data: Buffer }>(
      `DELETE FROM key_packages WHERE id =
         (SELECT id FROM key_packages WHERE device_id = ? AND NOT last_resort ORDER BY id LIMIT 1)
       RETURNING data`,
    ),
    lastResort: prepare<[Bytes], { data: Buffer }>("SELECT data FROM key_packages WHERE device_id = ? AND last_resort"),

    listMailboxes: prepare<[Bytes], MailboxRow>(
      "SELECT id, device_id, retired FROM mailboxes WHERE device_id = ? ORDER BY retired, id",
    ),
    retireMailboxes: prepare<[Bytes]>("UPDATE mailboxes SET retired = 1 WHERE device_id = ? AND NOT retired"),
    // The new mailbox continues the device's seq line, so one cursor covers all its mailboxes.
    insertNextMailbox: prepare<[Bytes, Bytes, Bytes]>(
      `INSERT INTO mailboxes (id, device_id, retired, seq)
       VALUES (?, ?, 0, (SELECT coalesce(max(seq), 0) FROM mailboxes WHERE device_id = ?))`,
    ),
    deleteDrainedMailboxes: prepare<[Bytes]>(
      `DELETE FROM mailboxes WHERE device_id = ? AND retired
          AND NOT EXISTS (SELECT 1 FROM entries WHERE entries.mailbox_id = mailboxes.id)`,
    ),

    fetchQueue: prepare<
      [...Slots, number, number, number],
      { id: number; mailbox_id: Buffer; seq: number; sealed: Buffer }
    >(
      `SELECT id, mailbox_id, seq, sealed FROM entries
        WHERE mailbox_id IN (${slots}) AND seq > ? AND expires_at > ?
        ORDER BY seq LIMIT ?`,
    ),

    insertBlob: prepare<[Bytes, number, number, Bytes | null]>(
      "INSERT INTO blobs (id, size, expires_at, org_id) VALUES (?, ?, ?, ?)",
    ),
    getBlob: prepare<[Bytes, number], { id: Buffer; size: number; expires_at: number; org_id: Buffer | null }>(
      "SELECT id, size, expires_at, org_id FROM blobs WHERE id = ? AND expires_at > ?",
    ),

    sweepEntries: prepare<[number]>("DELETE FROM entries WHERE expires_at <= ?"),
    sweepSends: prepare<[number]>("DELETE FROM sends WHERE expires_at <= ?"),
    sweepChallenges: prepare<[number]>("DELETE FROM challenges WHERE expires_at <= ?"),
    sweepSessions: prepare<[number]>("DELETE FROM sessions WHERE expires_at <= ?"),
    sweepInvitations: prepare<[number]>("DELETE FROM invitations WHERE redeemed_at IS NULL AND expires_at <= ?"),
    sweepBlobs: prepare<[number], { id: Buffer }>("DELETE FROM blobs WHERE expires_at <= ? RETURNING id"),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Splits a mailbox set into MAILBOX_SLOTS-sized groups, padding the last by repeating its first id. */
export function mailboxSlots(mailboxIds: readonly Bytes[]): Slots[] {
  const groups: Slots[] = [];
  for (let i = 0; i < mailboxIds.length; i += MAILBOX_SLOTS) {
    const group = mailboxIds.slice(i, i + MAILBOX_SLOTS);
    const first = group[0] as Bytes;
    while (group.length < MAILBOX_SLOTS) group.push(first);
    groups.push(group as Slots);
  }
  return groups;
}
