/**
 * The embedded adapter of ServerStore: one SQLite file in WAL mode, driven
 * synchronously by better-sqlite3. Each method runs to completion inside one
 * event-loop turn, so no two of them ever interleave within the process.
 */
import Database from "better-sqlite3";
import type { Worker } from "node:worker_threads";
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
  SealingCommitter,
  ServerStore,
  SweepResult,
  TakeKeyPackagesResult,
  TakenKeyPackage,
} from "../ServerStore.js";
import type { ServerSecrets } from "../../secrets/ServerSecrets.js";
import { randomSeqStart, toHex } from "../bytes.js";
import { upgradeLegacyQueue } from "./legacyQueue.js";
import {
  WalTruncation,
  commitRelayBatch,
  configureConnection,
  prepareQueueStatements,
  type QueueStatements,
} from "./queue.js";
import { RelayWriter } from "./RelayWriter.js";
import { StartCheckError } from "../StartCheckError.js";
import { applyMigrations } from "./migrations.js";
import {
  mailboxSlots,
  prepareStatements,
  type AccountRow,
  type InvitationRow,
  type OrganisationRow,
  type PrincipalRow,
  type Statements,
} from "./statements.js";
import { Rollback, appendStatement, applyChanges } from "./organisation.js";
import {
  claimLink,
  keyLink,
  completeLink,
  createLink,
  deviceLinkOf,
  prepareDeviceLinkStatements,
  type DeviceLinkStatements,
} from "./deviceLinks.js";
import { SqlitePushSubscriptions } from "./pushSubscriptions.js";
import { contactPointOf, insertGuest, reserveGuestBlob } from "./contactPoints.js";
import { erasePerson, exportPerson } from "./personData.js";

export interface SqliteStoreOptions {
  /** "full" syncs the WAL at every commit, so a resolved commitBatch survives power loss; "normal" only survives process crashes. */
  synchronous?: "full" | "normal";
}

export function openSqliteStore(file: string, options: SqliteStoreOptions = {}): Promise<ServerStore> {
  return settle(() => {
    const db = new Database(file);
    const synchronous = options.synchronous ?? "full";
    try {
      checkIntegrity(db, file);
      configureConnection(db, synchronous);
      // Statements can only be prepared against tables that exist.
      applyMigrations(db);
      // A database in memory has no file a second connection could open.
      return new SqliteStore(db, file === ":memory:" ? undefined : new RelayWriter({ file, synchronous }));
    } catch (error) {
      db.close();
      if (isDamage(error)) throw new StartCheckError("database_corrupt", file, (error as Error).message);
      throw error;
    }
  });
}

/**
 * Before anything is written: a damaged file refuses to open instead of
 * failing on some later read. quick_check skips the index-content checks of
 * integrity_check, so it takes seconds even on a large file.
 */
function checkIntegrity(db: Database.Database, file: string): void {
  if (file === ":memory:") return;
  const rows = db.pragma("quick_check(10)") as { quick_check: string }[];
  const problems = rows.map((row) => row.quick_check).filter((text) => text !== "ok");
  if (problems.length > 0) throw new StartCheckError("database_corrupt", file, problems.join("; "));
}

function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}

/** The row the readiness check rewrites; no other reader looks at it. */
const PROBE_KEY = "readiness-probe";

function probeValue(now: number): Buffer {
  const value = Buffer.alloc(8);
  value.writeDoubleBE(now);
  return value;
}

/** Runs synchronous work so that a throw becomes a rejection, as callers of an async port expect. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(work()));
}

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
    createdAt: row.created_at,
    accountKey: row.account_key,
    certificate: row.certificate,
    certificateIssuedAt: row.certificate_issued_at,
    deactivatedAt: row.deactivated_at ?? undefined,
    guestOf: row.guest_of ?? undefined,
  };
}

function invitationOf(row: InvitationRow): Invitation {
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
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    redeemedAt: row.redeemed_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
    certified,
  };
}

class SqliteStore implements ServerStore {
  readonly kind = "sqlite";
  private readonly s: Statements;
  private readonly links: DeviceLinkStatements;
  private readonly pushes: SqlitePushSubscriptions;
  private readonly transaction;
  private readonly wal: WalTruncation;
  /** Statements of the relay's own writes, when they run on this connection (no relay writer). */
  private queue: QueueStatements | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly relayWriter: RelayWriter | undefined,
  ) {
    this.s = prepareStatements(db);
    this.wal = new WalTruncation(db);
    this.links = prepareDeviceLinkStatements(db);
    this.pushes = new SqlitePushSubscriptions(db);
    this.transaction = db.transaction((work: () => unknown) => work());
  }

  /**
   * Runs work as one write transaction. BEGIN IMMEDIATE: a deferred
   * transaction that reads first could not upgrade to a writer once another
   * connection had committed, and would fail instead of waiting.
   */
  private write<T>(work: () => T): Promise<T> {
    return settle(() => this.transaction.immediate(work) as T);
  }

  databaseVersion(): Promise<string> {
    return settle(() => this.db.prepare<[], { v: string }>("SELECT sqlite_version() AS v").get()!.v);
  }

  migrate(): Promise<void> {
    return settle(() => applyMigrations(this.db));
  }

  async close(): Promise<void> {
    await this.relayWriter?.close();
    return settle(() => {
      this.wal.stop();
      if (this.db.open) this.db.pragma("wal_checkpoint(TRUNCATE)");
      this.db.close();
    });
  }

  createOrganisation(org: Organisation): Promise<void> {
    return settle(() => void this.s.insertOrganisation.run(org.id, org.name, org.createdAt));
  }

  listOrganisations(): Promise<Organisation[]> {
    return settle(() => this.s.listOrganisations.all().map(organisationOf));
  }

  getOrganisation(id: Bytes): Promise<Organisation | undefined> {
    return settle(() => {
      const row = this.s.getOrganisation.get(id);
      return row && organisationOf(row);
    });
  }

  setUpOrganisation(id: Bytes, settings: { name: string; language: "de" | "en"; now: number }): Promise<void> {
    return this.write(() => {
      this.s.setUpOrganisation.run(settings.name, settings.language, settings.now, id);
    });
  }

  getOrganisationKey(orgId: Bytes): Promise<Bytes | undefined> {
    return settle(() => this.s.getOrganisationKey.get(orgId)?.organisation_key ?? undefined);
  }

  getEnforcedPolicy(orgId: Bytes): Promise<EnforcedPolicy> {
    return settle(() => {
      const row = this.s.getPolicy.get(orgId);
      return { maxAttachmentBytes: row?.max_attachment_bytes ?? undefined, externalChats: row?.external_chats !== 0 };
    });
  }

  setOrganisationKey(orgId: Bytes, key: Bytes): Promise<boolean> {
    return settle(() => this.s.setFirstOrganisationKey.run(key, orgId).changes === 1);
  }

  createInvitation(inv: NewInvitation): Promise<CreateInvitationResult> {
    return this.write((): CreateInvitationResult => this.insertInvitation(inv));
  }

  createInvitations(invitations: NewInvitation[]): Promise<CreateInvitationsResult> {
    return settle(() => {
      try {
        return this.transaction.immediate((): CreateInvitationsResult => {
          let seq: number | undefined;
          invitations.forEach((inv, index) => {
            const made = this.insertInvitation(inv);
            if (!made.ok) throw new Rollback<CreateInvitationsResult>({ ok: false, code: "taken", index });
            seq = made.seq ?? seq;
          });
          return { ok: true, seq };
        }) as CreateInvitationsResult;
      } catch (error) {
        // Caught outside the transaction, which the throw has rolled back.
        if (error instanceof Rollback) return error.result as CreateInvitationsResult;
        throw error;
      }
    });
  }

  /** Inside a write transaction. */
  private insertInvitation(inv: NewInvitation): CreateInvitationResult {
    {
      const c = inv.certified;
      if (
        c !== undefined &&
        this.s.invitationTaken.get(c.accountId, c.accountId, inv.createdAt, c.invitationKey) !== undefined
      ) {
        return { ok: false, code: "taken" };
      }
      this.s.insertInvitation.run(
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
      );
      let seq =
        inv.statement === undefined ? undefined : appendStatement(this.s, inv.orgId, inv.statement, inv.createdAt);
      if (inv.directoryStatement !== undefined) {
        seq = appendStatement(this.s, inv.orgId, inv.directoryStatement, inv.createdAt);
      }
      return { ok: true, seq };
    }
  }

  getInvitation(tokenHash: Bytes): Promise<Invitation | undefined> {
    return settle(() => {
      const row = this.s.getInvitation.get(tokenHash);
      return row && invitationOf(row);
    });
  }

  listInvitations(orgId: Bytes): Promise<Invitation[]> {
    return settle(() => this.s.listInvitations.all(orgId).map(invitationOf));
  }

  redeemInvitation(request: RedeemInvitation): Promise<RedeemResult> {
    return this.write(() => this.redeem(request));
  }

  private redeem(r: RedeemInvitation): RedeemResult {
    const invitation = this.s.getInvitation.get(r.tokenHash);
    if (invitation === undefined || invitation.expires_at <= r.now || invitation.revoked_at !== null) {
      return { ok: false, code: "invitation_invalid" };
    }
    if (invitation.redeemed_at !== null) return { ok: false, code: "invitation_used" };
    // The caller verified against the invitation it read; the account it names must be the one created.
    const bootstrap = invitation.account_id === null;
    // An invitation naming no account: the first admin's (sets the key) or a recovery's (the key holds).
    if (!bootstrap && (r.setsOrganisationKey || !invitation.account_id!.equals(r.accountId))) {
      return { ok: false, code: "invitation_invalid" };
    }
    const current = this.s.getOrganisationKey.get(invitation.org_id)?.organisation_key ?? null;
    const keyHolds = r.setsOrganisationKey ? current === null : current !== null && current.equals(r.organisationKey);
    if (!keyHolds) return { ok: false, code: "organisation_key_changed" };
    if (this.s.publicKeyTaken.get(r.publicKey, r.publicKey) !== undefined)
      return { ok: false, code: "device_key_taken" };
    if (r.setsOrganisationKey) this.s.setFirstOrganisationKey.run(r.organisationKey, invitation.org_id);
    this.s.markInvitationRedeemed.run(r.now, invitation.id);
    this.s.insertAccount.run(
      r.accountId,
      invitation.org_id,
      r.displayName,
      r.role,
      r.now,
      r.accountKey,
      r.accountCertificate,
      r.certificateIssuedAt,
    );
    this.s.insertDevice.run(r.deviceId, r.accountId, r.publicKey, r.deviceCertificate, r.now);
    this.s.insertMailbox.run(r.mailboxId, r.deviceId, randomSeqStart());
    const seq = appendStatement(this.s, invitation.org_id, r.statement, r.now);
    return { ok: true, orgId: invitation.org_id, role: r.role, seq };
  }

  applyStatements(
    orgId: Bytes,
    organisationKey: Bytes,
    changes: StatementChange[],
    now: number,
  ): Promise<ApplyStatementsResult> {
    return settle(() => {
      try {
        return this.transaction.immediate(() =>
          applyChanges(this.s, orgId, organisationKey, changes, now),
        ) as ApplyStatementsResult;
      } catch (error) {
        // Caught outside the transaction, which the throw has rolled back.
        if (error instanceof Rollback) return error.result as ApplyStatementsResult;
        throw error;
      }
    });
  }

  listStatements(orgId: Bytes, after: number, limit: number): Promise<LoggedStatement[]> {
    return settle(() =>
      this.s.listLog.all(orgId, after, limit).map((row) => ({ seq: row.seq, statement: row.statement, at: row.at })),
    );
  }

  revokedDeviceKey(deviceId: Bytes): Promise<Bytes | undefined> {
    return settle(() => this.s.revokedDeviceKey.get(deviceId)?.public_key);
  }

  countAccounts(orgId: Bytes): Promise<number> {
    return settle(() => this.s.countAccounts.get(orgId)?.n ?? 0);
  }

  listServerMeta(): Promise<Map<string, Bytes>> {
    return settle(() => {
      const rows = this.db.prepare<[], { key: string; value: Buffer }>("SELECT key, value FROM server_meta").all();
      return new Map(rows.map((row) => [row.key, row.value]));
    });
  }

  probeWrite(now: number): Promise<void> {
    return settle(() => {
      this.db
        .prepare(
          "INSERT INTO server_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .run(PROBE_KEY, probeValue(now));
    });
  }

  putServerMetaIfAbsent(key: string, value: Bytes): Promise<void> {
    return settle(() => {
      this.db
        .prepare("INSERT INTO server_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")
        .run(key, value);
    });
  }

  getDevice(deviceId: Bytes): Promise<DevicePrincipal | undefined> {
    return settle(() => {
      const row = this.s.principalOfDevice.get(deviceId);
      return row && principalOf(row);
    });
  }

  getAccount(accountId: Bytes): Promise<Account | undefined> {
    return settle(() => {
      const row = this.s.getAccount.get(accountId);
      return row && accountOf(row);
    });
  }

  listMembers(orgId: Bytes): Promise<Member[]> {
    return settle(() => {
      const members = this.s.accountsOfOrganisation.all(orgId).map((row) => ({ ...accountOf(row), devices: [] }));
      const byAccount = new Map<string, Member>(members.map((m) => [toHex(m.id), m]));
      for (const d of this.s.devicesOfOrganisation.all(orgId)) {
        byAccount.get(d.account_id.toString("hex"))?.devices.push({
          id: d.id,
          accountId: d.account_id,
          publicKey: d.public_key,
          certificate: d.certificate,
          createdAt: d.created_at,
        });
      }
      return members;
    });
  }

  createChallenge(challenge: Bytes, deviceId: Bytes, expiresAt: number): Promise<void> {
    return settle(() => void this.s.insertChallenge.run(challenge, deviceId, expiresAt));
  }

  consumeChallenge(challenge: Bytes, deviceId: Bytes, now: number): Promise<boolean> {
    // Deleted whoever presents it: a challenge is single use even when misused.
    return settle(() => {
      const row = this.s.deleteChallenge.get(challenge);
      return row !== undefined && row.expires_at > now && row.device_id.equals(deviceId);
    });
  }

  createSession(tokenHash: Bytes, deviceId: Bytes, expiresAt: number, maxPerDevice?: number): Promise<Bytes[]> {
    return this.write(() => {
      this.s.insertSession.run(tokenHash, deviceId, expiresAt);
      if (maxPerDevice === undefined) return [];
      return this.s.deleteOldSessions.all(deviceId, maxPerDevice).map((row) => row.token_hash);
    });
  }

  getSession(tokenHash: Bytes, now: number): Promise<SessionPrincipal | undefined> {
    return settle(() => {
      const row = this.s.principalOfSession.get(tokenHash, now);
      return row && { ...principalOf(row), expiresAt: row.expires_at };
    });
  }

  deleteSession(tokenHash: Bytes): Promise<void> {
    return settle(() => void this.s.deleteSession.run(tokenHash));
  }

  addKeyPackages(deviceId: Bytes, oneTime: Bytes[], lastResort: Bytes | undefined, max: number): Promise<boolean> {
    return this.write(() => this.storeKeyPackages(deviceId, oneTime, lastResort, max));
  }

  private storeKeyPackages(deviceId: Bytes, oneTime: Bytes[], lastResort: Bytes | undefined, max: number): boolean {
    if (this.stock(deviceId).oneTime + oneTime.length > max) return false;
    for (const data of oneTime) this.s.insertKeyPackage.run(deviceId, data, 0);
    if (lastResort !== undefined) {
      this.s.deleteLastResort.run(deviceId);
      this.s.insertKeyPackage.run(deviceId, lastResort, 1);
    }
    return true;
  }

  countKeyPackages(deviceId: Bytes): Promise<KeyPackageStock> {
    return settle(() => this.stock(deviceId));
  }

  private stock(deviceId: Bytes): KeyPackageStock {
    const row = this.s.keyPackageStock.get(deviceId);
    return { oneTime: row?.one_time ?? 0, lastResort: (row?.last_resort ?? 0) > 0 };
  }

  takeKeyPackages(accountId: Bytes, mayTakeOneTime?: (deviceId: Bytes) => boolean): Promise<TakeKeyPackagesResult> {
    return this.write(() => this.takePackages(accountId, mayTakeOneTime ?? (() => true)));
  }

  private takePackages(accountId: Bytes, mayTakeOneTime: (deviceId: Bytes) => boolean): TakeKeyPackagesResult {
    const taken: TakenKeyPackage[] = [];
    const unavailable: Bytes[] = [];
    for (const { device_id: deviceId, mailbox_id: mailboxId } of this.s.devicesOfAccount.all(accountId)) {
      // A device without a current mailbox could not be reached by the Welcome.
      if (mailboxId === null) {
        unavailable.push(deviceId);
        continue;
      }
      const oneTime = mayTakeOneTime(deviceId) ? this.s.takeOneTime.get(deviceId) : undefined;
      const data = oneTime?.data ?? this.s.lastResort.get(deviceId)?.data;
      if (data === undefined) {
        unavailable.push(deviceId);
        continue;
      }
      const remaining = this.stock(deviceId).oneTime;
      taken.push({ deviceId, data, lastResort: oneTime === undefined, remaining, mailboxId });
    }
    return { taken, unavailable };
  }

  listMailboxes(deviceId: Bytes): Promise<Mailbox[]> {
    return settle(() =>
      this.s.listMailboxes.all(deviceId).map((row) => ({
        id: row.id,
        deviceId: row.device_id,
        retired: row.retired === 1,
      })),
    );
  }

  rotateMailbox(deviceId: Bytes, newMailboxId: Bytes): Promise<void> {
    return this.write(() => {
      this.s.retireMailboxes.run(deviceId);
      this.s.insertNextMailbox.run(newMailboxId, deviceId, deviceId);
    });
  }

  deleteDrainedMailboxes(deviceId: Bytes): Promise<number> {
    return settle(() => this.s.deleteDrainedMailboxes.run(deviceId).changes);
  }

  /**
   * The writer thread takes the next batch while one commits (its port
   * queues them in order), so the event loop never waits for a commit to
   * hand over the next; two are enough to keep the thread busy.
   */
  get batchesInFlight(): number {
    return this.relayWriter === undefined ? 1 : 2;
  }

  sealingCommitter(secrets: ServerSecrets): SealingCommitter | undefined {
    const writer = this.relayWriter;
    if (writer === undefined) return undefined;
    writer.useSecrets(secrets.serialize());
    return { commit: (batch) => writer.commit(batch) };
  }

  commitBatch(batch: RelayBatch): Promise<RelayBatchResult> {
    if (this.relayWriter !== undefined) return this.relayWriter.commit(batch);
    const queue = (this.queue ??= prepareQueueStatements(this.db));
    return this.write(() => commitRelayBatch(queue, batch)).finally(() => this.wal.schedule());
  }

  /** The relay writer's thread, for tests that stop it. */
  get relayThread(): Worker | undefined {
    return this.relayWriter?.thread;
  }

  fetchQueue(mailboxIds: Bytes[], afterSeq: number, limit: number, now: number): Promise<SealedEntry[]> {
    return settle(() => {
      const groups = mailboxSlots(mailboxIds);
      const rows = groups.flatMap((group) => this.s.fetchQueue.all(...group, afterSeq, now, limit));
      // Results of several groups interleave; one group is already in order.
      if (groups.length > 1) rows.sort((a, b) => a.seq - b.seq).splice(limit);
      return rows.map((row) => ({ entryId: row.id, mailboxId: row.mailbox_id, seq: row.seq, sealed: row.sealed }));
    });
  }

  countEntries(): Promise<number> {
    return settle(() => this.db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM entries").get()!.n);
  }

  upgradeLegacyQueue(keys: LegacyQueueKeys, now: number): Promise<number> {
    return settle(() => {
      const legacy = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'queue'").get();
      if (legacy === undefined) return 0;
      const sealed = this.transaction.immediate(() => upgradeLegacyQueue(this.db, keys, now)) as number;
      // Rebuilds the file, so no page of the dropped tables is left in it; then empties the WAL.
      this.db.exec("VACUUM");
      this.db.pragma("wal_checkpoint(TRUNCATE)");
      return sealed;
    });
  }

  createBlob(meta: BlobMeta): Promise<void> {
    return settle(() => void this.s.insertBlob.run(meta.id, meta.size, meta.expiresAt, meta.orgId ?? null));
  }

  getBlob(id: Bytes, now: number): Promise<BlobMeta | undefined> {
    return settle(() => {
      const row = this.s.getBlob.get(id, now);
      return row && { id: row.id, size: row.size, expiresAt: row.expires_at, orgId: row.org_id ?? undefined };
    });
  }

  createDeviceLink(link: NewDeviceLink): Promise<CreateDeviceLinkResult> {
    return this.write(() => createLink(this.links, link));
  }

  getDeviceLink(id: Bytes, now: number): Promise<DeviceLink | undefined> {
    return settle(() => {
      const row = this.links.get.get(id, now);
      return row && deviceLinkOf(row);
    });
  }

  claimDeviceLink(claim: ClaimDeviceLink): Promise<ClaimDeviceLinkResult> {
    return this.write(() => claimLink(this.s, this.links, claim));
  }

  keyDeviceLink(key: KeyDeviceLink): Promise<KeyDeviceLinkResult> {
    return this.write(() => keyLink(this.links, key));
  }

  revealDeviceLink(id: Bytes, initiatorDeviceId: Bytes, ephemeralKey: Bytes, now: number): Promise<boolean> {
    return settle(() => this.links.reveal.run(ephemeralKey, id, initiatorDeviceId, now).changes === 1);
  }

  completeDeviceLink(request: CompleteDeviceLink): Promise<CompleteDeviceLinkResult> {
    return this.write(() => completeLink(this.s, this.links, request));
  }

  takeCompletedDeviceLink(id: Bytes, claimTokenHash: Bytes, now: number): Promise<DeviceLink | undefined> {
    return settle(() => {
      const row = this.links.take.get(id, claimTokenHash, now);
      return row && deviceLinkOf(row);
    });
  }

  putPushSubscription(deviceId: Bytes, subscription: PushSubscription): Promise<void> {
    return settle(() => this.pushes.store(deviceId, subscription));
  }

  pushSubscriptionOfMailbox(mailboxId: Bytes): Promise<(PushSubscription & { deviceId: Bytes }) | undefined> {
    return settle(() => this.pushes.ofMailboxId(mailboxId));
  }

  deletePushSubscription(deviceId: Bytes, endpoint?: string): Promise<boolean> {
    return settle(() => this.pushes.delete(deviceId, endpoint));
  }

  getContactPoint(id: Bytes): Promise<ContactPointRecord | undefined> {
    return settle(() => {
      const row = this.s.contactPointById.get(id);
      return row && contactPointOf(row);
    });
  }

  getContactPointBySlug(slug: string): Promise<ContactPointRecord | undefined> {
    return settle(() => {
      const row = this.s.contactPointBySlug.get(slug);
      return row && contactPointOf(row);
    });
  }

  createGuest(request: CreateGuest): Promise<CreateGuestResult> {
    return this.write(() => insertGuest(this.s, request));
  }

  touchGuest(accountId: Bytes, now: number): Promise<void> {
    return settle(() => void this.s.touchGuest.run(now, accountId));
  }

  countGuestKeyPackageFetch(accountId: Bytes, max: number): Promise<boolean> {
    return settle(() => this.s.countGuestFetch.run(accountId, max).changes === 1);
  }

  reserveGuestBlob(accountId: Bytes, maxBlobs: number, maxBytes: number): Promise<number | undefined> {
    return settle(() => reserveGuestBlob(this.s, accountId, maxBlobs, maxBytes));
  }

  addGuestBlobBytes(accountId: Bytes, bytes: number): Promise<void> {
    return settle(() => void this.s.addGuestBlobBytes.run(bytes, accountId));
  }

  sweepGuests(idleBefore: number): Promise<number> {
    return this.write(() => this.s.sweepGuests.run(idleBefore).changes).finally(() => this.wal.schedule());
  }

  exportPerson(orgId: Bytes, accountId: Bytes): Promise<PersonRecord | undefined> {
    return settle(() => exportPerson(this.db, orgId, accountId));
  }

  async erasePerson(orgId: Bytes, accountId: Bytes, judge: ErasureJudge): Promise<ErasePersonResult> {
    const result = await this.write(() => erasePerson(this.db, orgId, accountId, judge));
    // secure_delete zeroed the rows in the pages; the WAL's copies of those pages go now, not at the next checkpoint.
    if (result.ok) this.db.pragma("wal_checkpoint(TRUNCATE)");
    return result;
  }

  sweep(now: number): Promise<SweepResult> {
    return this.write(() => this.sweepExpired(now)).finally(() => this.wal.schedule());
  }

  private sweepExpired(now: number): SweepResult {
    const s = this.s;
    const entries = s.sweepEntries.run(now).changes;
    const sends = s.sweepSends.run(now).changes;
    s.sweepChallenges.run(now);
    s.sweepSessions.run(now);
    s.sweepInvitations.run(now);
    this.links.sweep.run(now);
    const blobs = s.sweepBlobs.all(now).map((row) => row.id);
    return { entries, sends, blobs };
  }
}

function organisationOf(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    createdAt: row.created_at,
    language: row.language,
    ...(row.set_up_at === null ? {} : { setUpAt: row.set_up_at }),
  };
}
