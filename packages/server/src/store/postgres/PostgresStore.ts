/**
 * The distributed adapter of ServerStore: any number of relay nodes share one
 * PostgreSQL database. Whatever two nodes could race on is settled inside
 * the database (unique constraints, conditional updates, row locks).
 */
import type pg from "pg";
import type { Role } from "@bote/protocol";
import type {
  Account,
  ApplyStatementsResult,
  ErasePersonResult,
  ErasureJudge,
  PersonRecord,
  BlobMeta,
  ContactPointRecord,
  CreateGuest,
  CreateGuestResult,
  ClaimDeviceLink,
  ClaimDeviceLinkResult,
  CompleteDeviceLink,
  CompleteDeviceLinkResult,
  CreateDeviceLinkResult,
  CreateInvitationResult,
  CreateInvitationsResult,
  DeviceLink,
  KeyDeviceLink,
  KeyDeviceLinkResult,
  NewDeviceLink,
  Invitation,
  LoggedStatement,
  StatementChange,
  Bytes,
  DevicePrincipal,
  KeyPackageStock,
  Mailbox,
  Member,
  NewInvitation,
  Organisation,
  LegacyQueueKeys,
  PushSubscription,
  SealedEntry,
  SessionPrincipal,
  RedeemInvitation,
  RedeemResult,
  RelayBatch,
  RelayBatchResult,
  EnforcedPolicy,
  ServerStore,
  SweepResult,
  TakeKeyPackagesResult,
  TakenKeyPackage,
} from "../ServerStore.js";
import { randomSeqStart, toHex } from "../bytes.js";
import { applyMigrations } from "./migrations.js";
import { openPool } from "./pool.js";
import { commitBatch, commitSends } from "./commitBatch.js";
import { upgradeLegacyQueue } from "./legacyQueue.js";
import { claimLink, completeLink, createLink, getLink, keyLink, revealLink, takeCompletedLink } from "./deviceLinks.js";
import { Rollback, transaction } from "./transaction.js";
import { deletePushSubscription, pushSubscriptionOfMailbox, putPushSubscription } from "./pushSubscriptions.js";
import * as contactPoints from "./contactPoints.js";
import * as personData from "./personData.js";
import {
  ACCOUNT,
  INVITATION,
  append,
  applyChange,
  invitationOf,
  lockOrganisation,
  type AccountRow,
  type InvitationRow,
} from "./organisation.js";

export async function openPostgresStore(url: string): Promise<ServerStore> {
  return new PostgresStore(await openPool(url));
}

interface PrincipalRow {
  device_id: Buffer;
  account_id: Buffer;
  org_id: Buffer;
  role: Role;
  display_name: string;
  public_key: Buffer;
  guest_of: Buffer | null;
}
const PRINCIPAL = `SELECT d.id AS device_id, d.account_id, a.org_id, a.role, a.display_name, d.public_key,
  g.contact_point_id AS guest_of
  FROM devices d JOIN accounts a ON a.id = d.account_id LEFT JOIN guest_accounts g ON g.account_id = a.id`;

function principalOf(row: PrincipalRow): DevicePrincipal {
  return {
    deviceId: row.device_id,
    accountId: row.account_id,
    orgId: row.org_id,
    role: row.role,
    displayName: row.display_name,
    publicKey: row.public_key,
    guestOf: row.guest_of ?? undefined,
  };
}

function accountOf(row: AccountRow): Account {
  return {
    id: row.id,
    orgId: row.org_id,
    displayName: row.display_name,
    role: row.role,
    createdAt: Number(row.created_at),
    accountKey: row.account_key,
    certificate: row.certificate,
    certificateIssuedAt: Number(row.certificate_issued_at),
    deactivatedAt: row.deactivated_at === null ? undefined : Number(row.deactivated_at),
    guestOf: row.guest_of ?? undefined,
  };
}

class PostgresStore implements ServerStore {
  readonly kind = "postgres";

  constructor(private readonly pool: pg.Pool) {}

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async databaseVersion(): Promise<string> {
    const [row] = await this.rows<{ server_version: string }>("SHOW server_version", []);
    return row?.server_version ?? "";
  }

  migrate(): Promise<void> {
    return applyMigrations(this.pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  async createOrganisation(org: Organisation): Promise<void> {
    await this.pool.query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)", [
      org.id,
      org.name,
      org.createdAt,
    ]);
  }

  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.rows<OrganisationRow>(
      "SELECT id, name, created_at, language, set_up_at FROM organisations ORDER BY created_at, id",
      [],
    );
    return rows.map(organisationOf);
  }

  async getOrganisation(id: Bytes): Promise<Organisation | undefined> {
    const [row] = await this.rows<OrganisationRow>(
      "SELECT id, name, created_at, language, set_up_at FROM organisations WHERE id = $1",
      [id],
    );
    return row && organisationOf(row);
  }

  async setUpOrganisation(id: Bytes, settings: { name: string; language: "de" | "en"; now: number }): Promise<void> {
    await this.pool.query("UPDATE organisations SET name = $1, language = $2, set_up_at = $3 WHERE id = $4", [
      settings.name,
      settings.language,
      settings.now,
      id,
    ]);
  }

  async getEnforcedPolicy(orgId: Bytes): Promise<EnforcedPolicy> {
    const [row] = await this.rows<{ max_attachment_bytes: string | null; external_chats: boolean }>(
      "SELECT max_attachment_bytes, external_chats FROM organisations WHERE id = $1",
      [orgId],
    );
    return {
      maxAttachmentBytes: row?.max_attachment_bytes == null ? undefined : Number(row.max_attachment_bytes),
      externalChats: row?.external_chats !== false,
    };
  }

  async getOrganisationKey(orgId: Bytes): Promise<Bytes | undefined> {
    const [row] = await this.rows<{ organisation_key: Buffer | null }>(
      "SELECT organisation_key FROM organisations WHERE id = $1",
      [orgId],
    );
    return row?.organisation_key ?? undefined;
  }

  async setOrganisationKey(orgId: Bytes, key: Bytes): Promise<boolean> {
    const result = await this.pool.query(
      "UPDATE organisations SET organisation_key = $1 WHERE id = $2 AND organisation_key IS NULL",
      [key, orgId],
    );
    return result.rowCount === 1;
  }

  createInvitation(inv: NewInvitation): Promise<CreateInvitationResult> {
    return transaction(this.pool, async (client): Promise<CreateInvitationResult> => {
      // The organisation lock also serialises two invitations naming one account id.
      await lockOrganisation(client, inv.orgId);
      return insertInvitation(client, inv);
    });
  }

  createInvitations(invitations: NewInvitation[]): Promise<CreateInvitationsResult> {
    return transaction(this.pool, async (client): Promise<CreateInvitationsResult> => {
      // A batch belongs to one organisation (the admin's); its lock serialises it with single invitations.
      const first = invitations[0];
      if (first !== undefined) await lockOrganisation(client, first.orgId);
      let seq: number | undefined;
      for (const [index, inv] of invitations.entries()) {
        const made = await insertInvitation(client, inv);
        if (!made.ok) throw new Rollback<CreateInvitationsResult>({ ok: false, code: "taken", index });
        seq = made.seq ?? seq;
      }
      return { ok: true, seq };
    });
  }

  async getInvitation(tokenHash: Bytes): Promise<Invitation | undefined> {
    const [row] = await this.rows<InvitationRow>(`${INVITATION} WHERE token_hash = $1`, [tokenHash]);
    return row && invitationOf(row);
  }

  async listInvitations(orgId: Bytes): Promise<Invitation[]> {
    const rows = await this.rows<InvitationRow>(
      `${INVITATION} WHERE org_id = $1 AND certificate IS NOT NULL ORDER BY created_at DESC, id`,
      [orgId],
    );
    return rows.map(invitationOf);
  }

  redeemInvitation(r: RedeemInvitation): Promise<RedeemResult> {
    return transaction(this.pool, async (client): Promise<RedeemResult> => {
      const found = await client.query<{ org_id: Buffer }>("SELECT org_id FROM invitations WHERE token_hash = $1", [
        r.tokenHash,
      ]);
      const orgId = found.rows[0]?.org_id;
      if (orgId === undefined) return { ok: false, code: "invitation_invalid" };
      // Organisation first, then the invitation: the same lock order as applyStatements.
      const current = await lockOrganisation(client, orgId);
      // Of two concurrent redeems the second waits on the row, then finds redeemed_at set.
      const claimed = await client.query<{ account_id: Buffer | null }>(
        `UPDATE invitations SET redeemed_at = $2
          WHERE token_hash = $1 AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > $2
          RETURNING account_id`,
        [r.tokenHash, r.now],
      );
      const invitation = claimed.rows[0];
      if (invitation === undefined) {
        const state = await client.query<{ expires_at: string; revoked_at: string | null }>(
          "SELECT expires_at, revoked_at FROM invitations WHERE token_hash = $1",
          [r.tokenHash],
        );
        const row = state.rows[0];
        const invalid = row === undefined || Number(row.expires_at) <= r.now || row.revoked_at !== null;
        return { ok: false, code: invalid ? "invitation_invalid" : "invitation_used" };
      }
      const bootstrap = invitation.account_id === null;
      // An invitation naming no account: the first admin's (sets the key) or a recovery's (the key holds).
      if (!bootstrap && (r.setsOrganisationKey || !invitation.account_id!.equals(r.accountId))) {
        throw new Rollback<RedeemResult>({ ok: false, code: "invitation_invalid" });
      }
      const keyHolds = r.setsOrganisationKey
        ? current === null
        : current !== null && current !== undefined && current.equals(r.organisationKey);
      if (!keyHolds) throw new Rollback<RedeemResult>({ ok: false, code: "organisation_key_changed" });
      const revoked = await client.query("SELECT 1 FROM revoked_devices WHERE public_key = $1", [r.publicKey]);
      if (revoked.rows.length > 0) throw new Rollback<RedeemResult>({ ok: false, code: "device_key_taken" });
      if (r.setsOrganisationKey) {
        await client.query("UPDATE organisations SET organisation_key = $1 WHERE id = $2", [r.organisationKey, orgId]);
      }
      await client.query(
        `INSERT INTO accounts (id, org_id, display_name, role, created_at, account_key, certificate, certificate_issued_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [r.accountId, orgId, r.displayName, r.role, r.now, r.accountKey, r.accountCertificate, r.certificateIssuedAt],
      );
      const device = await client.query(
        `INSERT INTO devices (id, account_id, public_key, certificate, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (public_key) DO NOTHING`,
        [r.deviceId, r.accountId, r.publicKey, r.deviceCertificate, r.now],
      );
      if (device.rowCount !== 1) throw new Rollback<RedeemResult>({ ok: false, code: "device_key_taken" });
      await client.query("INSERT INTO mailboxes (id, device_id, retired, seq) VALUES ($1, $2, false, $3)", [
        r.mailboxId,
        r.deviceId,
        randomSeqStart(),
      ]);
      const seq = await append(client, orgId, r.statement, r.now);
      return { ok: true, orgId, role: r.role, seq };
    });
  }

  applyStatements(
    orgId: Bytes,
    organisationKey: Bytes,
    changes: StatementChange[],
    now: number,
  ): Promise<ApplyStatementsResult> {
    return transaction(this.pool, async (client): Promise<ApplyStatementsResult> => {
      const current = await lockOrganisation(client, orgId);
      if (current === null || current === undefined || !current.equals(organisationKey)) {
        return { ok: false, index: 0 };
      }
      const revokedDevices: Bytes[] = [];
      let seq = 0;
      for (const [index, change] of changes.entries()) {
        const fault = await applyChange(client, orgId, change, now, revokedDevices);
        if (fault !== undefined) throw new Rollback<ApplyStatementsResult>({ ok: false, index, ...fault });
        seq = await append(client, orgId, change.statement, now);
      }
      return { ok: true, seq, revokedDevices };
    });
  }

  async listStatements(orgId: Bytes, after: number, limit: number): Promise<LoggedStatement[]> {
    const rows = await this.rows<{ seq: string; statement: Buffer; at: string }>(
      "SELECT seq, statement, at FROM organisation_log WHERE org_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [orgId, after, limit],
    );
    return rows.map((row) => ({ seq: Number(row.seq), statement: row.statement, at: Number(row.at) }));
  }

  async revokedDeviceKey(deviceId: Bytes): Promise<Bytes | undefined> {
    const [row] = await this.rows<{ public_key: Buffer }>(
      "SELECT public_key FROM revoked_devices WHERE device_id = $1",
      [deviceId],
    );
    return row?.public_key;
  }

  async countAccounts(orgId: Bytes): Promise<number> {
    const [row] = await this.rows<{ n: string }>("SELECT count(*) AS n FROM accounts WHERE org_id = $1", [orgId]);
    return Number(row?.n ?? 0);
  }

  async listServerMeta(): Promise<Map<string, Bytes>> {
    const rows = await this.rows<{ key: string; value: Buffer }>("SELECT key, value FROM server_meta", []);
    return new Map(rows.map((row) => [row.key, row.value]));
  }

  async probeWrite(now: number): Promise<void> {
    const value = Buffer.alloc(8);
    value.writeDoubleBE(now);
    await this.pool.query(
      "INSERT INTO server_meta (key, value) VALUES ('readiness-probe', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      [value],
    );
  }

  async putServerMetaIfAbsent(key: string, value: Bytes): Promise<void> {
    await this.pool.query("INSERT INTO server_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
      key,
      value,
    ]);
  }

  async getDevice(deviceId: Bytes): Promise<DevicePrincipal | undefined> {
    const [row] = await this.rows<PrincipalRow>(`${PRINCIPAL} WHERE d.id = $1`, [deviceId]);
    return row && principalOf(row);
  }

  async getAccount(accountId: Bytes): Promise<Account | undefined> {
    const [row] = await this.rows<AccountRow>(`${ACCOUNT} WHERE a.id = $1`, [accountId]);
    return row && accountOf(row);
  }

  async listMembers(orgId: Bytes): Promise<Member[]> {
    const accounts = await this.rows<AccountRow>(
      // Guests are no members: the directory never lists them.
      `${ACCOUNT} WHERE a.org_id = $1 AND a.deactivated_at IS NULL AND g.account_id IS NULL
        ORDER BY a.created_at, a.id`,
      [orgId],
    );
    const devices = await this.rows<{
      id: Buffer;
      account_id: Buffer;
      public_key: Buffer;
      certificate: Buffer;
      created_at: string;
    }>(
      `SELECT d.* FROM devices d JOIN accounts a ON a.id = d.account_id
        WHERE a.org_id = $1 ORDER BY d.created_at, d.id`,
      [orgId],
    );
    const members: Member[] = accounts.map((row) => ({ ...accountOf(row), devices: [] }));
    const byAccount = new Map(members.map((m) => [toHex(m.id), m]));
    for (const d of devices) {
      byAccount.get(d.account_id.toString("hex"))?.devices.push({
        id: d.id,
        accountId: d.account_id,
        publicKey: d.public_key,
        certificate: d.certificate,
        createdAt: Number(d.created_at),
      });
    }
    return members;
  }

  async createChallenge(challenge: Bytes, deviceId: Bytes, expiresAt: number): Promise<void> {
    await this.pool.query("INSERT INTO challenges (challenge, device_id, expires_at) VALUES ($1, $2, $3)", [
      challenge,
      deviceId,
      expiresAt,
    ]);
  }

  async consumeChallenge(challenge: Bytes, deviceId: Bytes, now: number): Promise<boolean> {
    // Deleted whoever presents it: a challenge is single use even when misused.
    const [row] = await this.rows<{ device_id: Buffer; expires_at: string }>(
      "DELETE FROM challenges WHERE challenge = $1 RETURNING device_id, expires_at",
      [challenge],
    );
    return row !== undefined && Number(row.expires_at) > now && row.device_id.equals(deviceId);
  }

  async createSession(tokenHash: Bytes, deviceId: Bytes, expiresAt: number, maxPerDevice?: number): Promise<Bytes[]> {
    await this.pool.query("INSERT INTO sessions (token_hash, device_id, expires_at) VALUES ($1, $2, $3)", [
      tokenHash,
      deviceId,
      expiresAt,
    ]);
    if (maxPerDevice === undefined) return [];
    // Two logins at once may each keep one extra session until the next login: a bound, not an exact count.
    const dropped = await this.pool.query<{ token_hash: Buffer }>(
      `DELETE FROM sessions WHERE token_hash IN
         (SELECT token_hash FROM sessions WHERE device_id = $1 ORDER BY expires_at DESC, token_hash OFFSET $2)
       RETURNING token_hash`,
      [deviceId, maxPerDevice],
    );
    return dropped.rows.map((row) => row.token_hash);
  }

  async getSession(tokenHash: Bytes, now: number): Promise<SessionPrincipal | undefined> {
    const [row] = await this.rows<PrincipalRow & { expires_at: string }>(
      `SELECT d.id AS device_id, d.account_id, a.org_id, a.role, a.display_name, d.public_key,
              g.contact_point_id AS guest_of, s.expires_at
         FROM sessions s JOIN devices d ON d.id = s.device_id JOIN accounts a ON a.id = d.account_id
         LEFT JOIN guest_accounts g ON g.account_id = a.id
        WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    return row && { ...principalOf(row), expiresAt: Number(row.expires_at) };
  }

  async deleteSession(tokenHash: Bytes): Promise<void> {
    await this.pool.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
  }

  addKeyPackages(deviceId: Bytes, oneTime: Bytes[], lastResort: Bytes | undefined, max: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      // Serialises uploads of one device, so two cannot both pass the count check.
      await client.query("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE", [deviceId]);
      if ((await stock(client, deviceId)).oneTime + oneTime.length > max) return false;
      if (oneTime.length > 0) {
        await client.query(
          "INSERT INTO key_packages (device_id, data, last_resort) SELECT $1, data, false FROM unnest($2::bytea[]) AS k(data)",
          [deviceId, oneTime],
        );
      }
      if (lastResort !== undefined) {
        await client.query("DELETE FROM key_packages WHERE device_id = $1 AND last_resort", [deviceId]);
        await client.query("INSERT INTO key_packages (device_id, data, last_resort) VALUES ($1, $2, true)", [
          deviceId,
          lastResort,
        ]);
      }
      return true;
    });
  }

  countKeyPackages(deviceId: Bytes): Promise<KeyPackageStock> {
    return stock(this.pool, deviceId);
  }

  takeKeyPackages(
    accountId: Bytes,
    mayTakeOneTime: (deviceId: Bytes) => boolean = () => true,
  ): Promise<TakeKeyPackagesResult> {
    return transaction(this.pool, async (client) => {
      const devices = await client.query<{ device_id: Buffer; mailbox_id: Buffer | null }>(
        `SELECT d.id AS device_id, m.id AS mailbox_id FROM devices d
           LEFT JOIN mailboxes m ON m.device_id = d.id AND NOT m.retired
          WHERE d.account_id = $1 ORDER BY d.created_at, d.id`,
        [accountId],
      );
      const taken: TakenKeyPackage[] = [];
      const unavailable: Bytes[] = [];
      for (const { device_id: deviceId, mailbox_id: mailboxId } of devices.rows) {
        // A device without a current mailbox could not be reached by the Welcome.
        if (mailboxId === null) {
          unavailable.push(deviceId);
          continue;
        }
        // SKIP LOCKED: a concurrent taker holding the oldest package makes this one take the next.
        const oneTime = mayTakeOneTime(deviceId)
          ? await client.query<{ data: Buffer }>(
              `DELETE FROM key_packages WHERE id =
                 (SELECT id FROM key_packages WHERE device_id = $1 AND NOT last_resort
                   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
               RETURNING data`,
              [deviceId],
            )
          : { rows: [] };
        const lastResort =
          oneTime.rows[0] === undefined
            ? await client.query<{ data: Buffer }>(
                "SELECT data FROM key_packages WHERE device_id = $1 AND last_resort",
                [deviceId],
              )
            : undefined;
        const data = oneTime.rows[0]?.data ?? lastResort?.rows[0]?.data;
        if (data === undefined) {
          unavailable.push(deviceId);
          continue;
        }
        const remaining = (await stock(client, deviceId)).oneTime;
        taken.push({ deviceId, data, lastResort: lastResort !== undefined, remaining, mailboxId });
      }
      return { taken, unavailable };
    });
  }

  async listMailboxes(deviceId: Bytes): Promise<Mailbox[]> {
    const rows = await this.rows<{ id: Buffer; device_id: Buffer; retired: boolean }>(
      "SELECT id, device_id, retired FROM mailboxes WHERE device_id = $1 ORDER BY retired, id",
      [deviceId],
    );
    return rows.map((row) => ({ id: row.id, deviceId: row.device_id, retired: row.retired }));
  }

  rotateMailbox(deviceId: Bytes, newMailboxId: Bytes): Promise<void> {
    return transaction(this.pool, async (client) => {
      // Two rotations at once would otherwise each retire the old mailbox and both insert a current one.
      await client.query("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE", [deviceId]);
      await client.query("UPDATE mailboxes SET retired = true WHERE device_id = $1 AND NOT retired", [deviceId]);
      // The new mailbox continues the device's seq line, so one cursor covers all its mailboxes.
      await client.query(
        `INSERT INTO mailboxes (id, device_id, retired, seq)
         VALUES ($1, $2, false, (SELECT coalesce(max(seq), 0) FROM mailboxes WHERE device_id = $2))`,
        [newMailboxId, deviceId],
      );
    });
  }

  deleteDrainedMailboxes(deviceId: Bytes): Promise<number> {
    return transaction(this.pool, async (client) => {
      // Once locked, no send can add an entry, and the NOT EXISTS below
      // (a new statement, a new snapshot) sees every entry committed before.
      const locked = await client.query<{ id: Buffer }>(
        "SELECT id FROM mailboxes WHERE device_id = $1 AND retired ORDER BY id FOR UPDATE",
        [deviceId],
      );
      if (locked.rows.length === 0) return 0;
      const deleted = await client.query(
        `DELETE FROM mailboxes m WHERE m.id = ANY($1::bytea[])
            AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.mailbox_id = m.id)`,
        [locked.rows.map((row) => row.id)],
      );
      return deleted.rowCount ?? 0;
    });
  }

  /**
   * One: two would be safe (a mailbox's seqs are taken under its row lock,
   * held until commit), and one node gained ~8 %, but two nodes lost ~15 %
   * to four transactions waiting for each other's rows (docs/BENCHMARKS.md).
   */
  readonly batchesInFlight = 1;

  async commitBatch(batch: RelayBatch): Promise<RelayBatchResult> {
    return (await commitSends(this.pool, batch)) ?? transaction(this.pool, (client) => commitBatch(client, batch));
  }

  async countEntries(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM entries");
    return Number(result.rows[0]!.n);
  }

  async fetchQueue(mailboxIds: Bytes[], afterSeq: number, limit: number, now: number): Promise<SealedEntry[]> {
    const result = await this.pool.query<{ id: string; mailbox_id: Buffer; seq: string; sealed: Buffer }>({
      name: "bote_fetch_queue",
      text: `SELECT id, mailbox_id, seq, sealed FROM entries
              WHERE mailbox_id = ANY($1::bytea[]) AND seq > $2 AND expires_at > $4
              ORDER BY seq LIMIT $3`,
      values: [mailboxIds, afterSeq, limit, now],
    });
    return result.rows.map((row) => ({
      entryId: Number(row.id),
      mailboxId: row.mailbox_id,
      seq: Number(row.seq),
      sealed: row.sealed,
    }));
  }

  upgradeLegacyQueue(keys: LegacyQueueKeys, now: number): Promise<number> {
    return transaction(this.pool, (client) => upgradeLegacyQueue(client, keys, now));
  }

  async createBlob(meta: BlobMeta): Promise<void> {
    await this.pool.query("INSERT INTO blobs (id, size, expires_at, org_id) VALUES ($1, $2, $3, $4)", [
      meta.id,
      meta.size,
      meta.expiresAt,
      meta.orgId ?? null,
    ]);
  }

  async getBlob(id: Bytes, now: number): Promise<BlobMeta | undefined> {
    const [row] = await this.rows<{ id: Buffer; size: string; expires_at: string; org_id: Buffer | null }>(
      "SELECT id, size, expires_at, org_id FROM blobs WHERE id = $1 AND expires_at > $2",
      [id, now],
    );
    return (
      row && { id: row.id, size: Number(row.size), expiresAt: Number(row.expires_at), orgId: row.org_id ?? undefined }
    );
  }

  createDeviceLink(link: NewDeviceLink): Promise<CreateDeviceLinkResult> {
    return transaction(this.pool, (client) => createLink(client, link));
  }

  getDeviceLink(id: Bytes, now: number): Promise<DeviceLink | undefined> {
    return getLink(this.pool, id, now);
  }

  claimDeviceLink(claim: ClaimDeviceLink): Promise<ClaimDeviceLinkResult> {
    return transaction(this.pool, (client) => claimLink(client, claim));
  }

  keyDeviceLink(key: KeyDeviceLink): Promise<KeyDeviceLinkResult> {
    return transaction(this.pool, (client) => keyLink(client, key));
  }

  revealDeviceLink(id: Bytes, initiatorDeviceId: Bytes, ephemeralKey: Bytes, now: number): Promise<boolean> {
    return revealLink(this.pool, id, initiatorDeviceId, ephemeralKey, now);
  }

  completeDeviceLink(request: CompleteDeviceLink): Promise<CompleteDeviceLinkResult> {
    return transaction(this.pool, (client) => completeLink(client, request));
  }

  takeCompletedDeviceLink(id: Bytes, claimTokenHash: Bytes, now: number): Promise<DeviceLink | undefined> {
    return takeCompletedLink(this.pool, id, claimTokenHash, now);
  }

  putPushSubscription(deviceId: Bytes, subscription: PushSubscription): Promise<void> {
    return putPushSubscription(this.pool, deviceId, subscription);
  }

  pushSubscriptionOfMailbox(mailboxId: Bytes): Promise<(PushSubscription & { deviceId: Bytes }) | undefined> {
    return pushSubscriptionOfMailbox(this.pool, mailboxId);
  }

  deletePushSubscription(deviceId: Bytes, endpoint?: string): Promise<boolean> {
    return deletePushSubscription(this.pool, deviceId, endpoint);
  }

  getContactPoint(id: Bytes): Promise<ContactPointRecord | undefined> {
    return contactPoints.getContactPoint(this.pool, "id", id);
  }

  getContactPointBySlug(slug: string): Promise<ContactPointRecord | undefined> {
    return contactPoints.getContactPoint(this.pool, "slug", slug);
  }

  createGuest(request: CreateGuest): Promise<CreateGuestResult> {
    return contactPoints.createGuest(this.pool, request);
  }

  touchGuest(accountId: Bytes, now: number): Promise<void> {
    return contactPoints.touchGuest(this.pool, accountId, now);
  }

  countGuestKeyPackageFetch(accountId: Bytes, max: number): Promise<boolean> {
    return contactPoints.countGuestKeyPackageFetch(this.pool, accountId, max);
  }

  reserveGuestBlob(accountId: Bytes, maxBlobs: number, maxBytes: number): Promise<number | undefined> {
    return contactPoints.reserveGuestBlob(this.pool, accountId, maxBlobs, maxBytes);
  }

  addGuestBlobBytes(accountId: Bytes, bytes: number): Promise<void> {
    return contactPoints.addGuestBlobBytes(this.pool, accountId, bytes);
  }

  sweepGuests(idleBefore: number): Promise<number> {
    return contactPoints.sweepGuests(this.pool, idleBefore);
  }

  exportPerson(orgId: Bytes, accountId: Bytes): Promise<PersonRecord | undefined> {
    // One snapshot: a read-only transaction, so the tables agree with each other.
    return transaction(this.pool, async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      return personData.exportPerson(client, orgId, accountId);
    });
  }

  erasePerson(orgId: Bytes, accountId: Bytes, judge: ErasureJudge): Promise<ErasePersonResult> {
    return transaction(this.pool, (client) => personData.erasePerson(client, orgId, accountId, judge));
  }

  sweep(now: number): Promise<SweepResult> {
    return transaction(this.pool, async (client) => {
      const entries = await client.query("DELETE FROM entries WHERE expires_at <= $1", [now]);
      const sends = await client.query("DELETE FROM sends WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM challenges WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM sessions WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM invitations WHERE redeemed_at IS NULL AND expires_at <= $1", [now]);
      await client.query("DELETE FROM device_links WHERE expires_at <= $1", [now]);
      const blobs = await client.query<{ id: Buffer }>("DELETE FROM blobs WHERE expires_at <= $1 RETURNING id", [now]);
      return {
        entries: entries.rowCount ?? 0,
        sends: sends.rowCount ?? 0,
        blobs: blobs.rows.map((row) => row.id),
      };
    });
  }
}

async function stock(db: pg.Pool | pg.PoolClient, deviceId: Bytes): Promise<KeyPackageStock> {
  const result = await db.query<{ one_time: string; last_resort: string }>(
    `SELECT count(*) FILTER (WHERE NOT last_resort) AS one_time, count(*) FILTER (WHERE last_resort) AS last_resort
       FROM key_packages WHERE device_id = $1`,
    [deviceId],
  );
  const row = result.rows[0];
  return { oneTime: Number(row?.one_time ?? 0), lastResort: Number(row?.last_resort ?? 0) > 0 };
}

/** Inside a transaction that holds the organisation's lock. */
async function insertInvitation(client: pg.PoolClient, inv: NewInvitation): Promise<CreateInvitationResult> {
  const c = inv.certified;
  if (c !== undefined) {
    const taken = await client.query(
      `SELECT 1 FROM accounts WHERE id = $1
       UNION ALL SELECT 1 FROM invitations
        WHERE account_id = $1 AND redeemed_at IS NULL AND revoked_at IS NULL AND expires_at > $2
       UNION ALL SELECT 1 FROM invitations WHERE invitation_key = $3
       LIMIT 1`,
      [c.accountId, inv.createdAt, c.invitationKey],
    );
    if (taken.rows.length > 0) return { ok: false, code: "taken" };
  }
  await client.query(
    `INSERT INTO invitations (id, org_id, token_hash, role, expires_at, created_at,
                              account_id, invitation_key, display_name, certificate)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      inv.id,
      inv.orgId,
      inv.tokenHash,
      inv.role,
      inv.expiresAt,
      inv.createdAt,
      c?.accountId ?? null,
      c?.invitationKey ?? null,
      c?.displayName ?? null,
      c?.certificate ?? null,
    ],
  );
  let seq = inv.statement === undefined ? undefined : await append(client, inv.orgId, inv.statement, inv.createdAt);
  if (inv.directoryStatement !== undefined) {
    seq = await append(client, inv.orgId, inv.directoryStatement, inv.createdAt);
  }
  return { ok: true, seq };
}

interface OrganisationRow {
  id: Buffer;
  name: string;
  created_at: string;
  language: "de" | "en";
  set_up_at: string | null;
}

function organisationOf(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    createdAt: Number(row.created_at),
    language: row.language,
    ...(row.set_up_at === null ? {} : { setUpAt: Number(row.set_up_at) }),
  };
}
