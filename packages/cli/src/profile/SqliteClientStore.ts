/**
 * The ClientStore of the `bote` command and the benchmarks: one SQLite file
 * per profile, driven synchronously by better-sqlite3. The file holds the
 * device's private keys and every conversation's group state, so it is
 * created 0600 and written with synchronous=FULL — a group state lost to a
 * power cut means an unreadable chat or, worse, a reused nonce.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import { rm } from "node:fs/promises";
import Database from "better-sqlite3";
import {
  ClientStoreError,
  validateStoreChanges,
  type ClientStore,
  type ContactRecord,
  type ConversationRecord,
  type KeyPackageRecord,
  type MessageRecord,
  type OutboxRecord,
  type ProfileRecord,
  type StoreChanges,
  type UploadRecord,
} from "@bote/core";
import { CLIENT_STORE_APPLICATION_ID, CLIENT_STORE_MIGRATIONS } from "./clientStoreSchema.js";

type Row = Record<string, unknown>;

export class SqliteClientStore implements ClientStore {
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #applyAll: (changes: StoreChanges) => void;

  private constructor(db: Database.Database) {
    this.#db = db;
    const s = (this.#sql = prepareStatements(db));
    this.#applyAll = db.transaction((changes: StoreChanges) => {
      if (changes.profile) s.putProfile.run(fromProfile(changes.profile));
      for (const c of changes.conversations ?? []) s.putConversation.run(fromConversation(c));
      for (const m of changes.messages ?? []) s.putMessage.run(fromMessage(m));
      for (const o of changes.outboxPut ?? []) s.putOutbox.run(fromOutbox(o));
      for (const id of changes.outboxDelete ?? []) s.deleteOutbox.run(id);
      for (const u of changes.uploadsPut ?? []) s.putUpload.run({ ...u, ciphertext: blob(u.ciphertext) });
      for (const id of changes.uploadsDelete ?? []) s.deleteUpload.run(id);
      for (const c of changes.contacts ?? []) s.putContact.run(fromContact(c));
      for (const k of changes.keyPackagesPut ?? []) s.putKeyPackage.run(fromKeyPackage(k));
      for (const ref of changes.keyPackagesDelete ?? []) s.deleteKeyPackage.run(ref);
      for (const key of changes.seen ?? []) s.putSeen.run(key);
      for (const id of changes.messagesDelete ?? []) s.deleteMessage.run(id);
      for (const id of changes.conversationsDelete ?? []) {
        for (const remove of s.deleteConversation) remove.run(id);
      }
    });
  }

  /** Deletes the closed database at `path` with the journal files SQLite keeps beside it. */
  static async remove(path: string): Promise<void> {
    for (const suffix of ["", "-wal", "-shm"]) await rm(`${path}${suffix}`, { force: true });
  }

  /**
   * Opens (creating if absent) the profile database at `path`. Throws
   * ClientStoreError "profile_unreadable" for a file that is not a Bote
   * profile and "profile_too_new" for one written by a newer Bote.
   */
  static open(path: string): SqliteClientStore {
    // Create it owner-only before SQLite touches it; tighten an existing one too.
    // SQLite gives its -wal and -shm files the database file's mode.
    closeSync(openSync(path, "a", 0o600));
    chmodSync(path, 0o600);
    let db: Database.Database | undefined;
    try {
      db = new Database(path);
      migrate(db, path);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.pragma("busy_timeout = 5000");
      // Deleted and expired messages are overwritten, not left in free pages for a disk image to find.
      db.pragma("secure_delete = ON");
      return new SqliteClientStore(db);
    } catch (error) {
      db?.close();
      if (error instanceof ClientStoreError) throw error;
      throw new ClientStoreError("profile_unreadable", `${path} is not a readable Bote profile`, { cause: error });
    }
  }

  getProfile(): Promise<ProfileRecord | undefined> {
    return this.#read(() => {
      const row = this.#sql.getProfile.get() as Row | undefined;
      return row && toProfile(row);
    });
  }

  getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    return this.#read(() => {
      const row = this.#sql.getConversation.get(conversationId) as Row | undefined;
      return row && toConversation(row);
    });
  }

  listConversations(): Promise<ConversationRecord[]> {
    return this.#read(() => (this.#sql.listConversations.all() as Row[]).map(toConversation));
  }

  listMessages(conversationId: string, limit?: number): Promise<MessageRecord[]> {
    return this.#read(() => {
      if (limit === undefined) return (this.#sql.listMessages.all(conversationId) as Row[]).map(toMessage);
      const newest = this.#sql.listNewestMessages.all(conversationId, Math.max(0, limit)) as Row[];
      return newest.reverse().map(toMessage);
    });
  }

  getMessage(messageId: string): Promise<MessageRecord | undefined> {
    return this.#read(() => {
      const row = this.#sql.getMessage.get(messageId) as Row | undefined;
      return row && toMessage(row);
    });
  }

  listOutbox(): Promise<OutboxRecord[]> {
    return this.#read(() => (this.#sql.listOutbox.all() as Row[]).map(toOutbox));
  }

  listUploads(): Promise<UploadRecord[]> {
    return this.#read(() =>
      (this.#sql.listUploads.all() as Row[]).map((r) => ({
        messageId: r.message_id as string,
        conversationId: r.conversation_id as string,
        ciphertext: bytes(r.ciphertext),
        createdAt: r.created_at as number,
      })),
    );
  }

  getContact(accountId: string): Promise<ContactRecord | undefined> {
    return this.#read(() => {
      const row = this.#sql.getContact.get(accountId) as Row | undefined;
      return row && toContact(row);
    });
  }

  listContacts(): Promise<ContactRecord[]> {
    // Sorted here, not by SQLite's byte order, so every backend agrees (ClientStore.listContacts).
    return this.#read(() => (this.#sql.listContacts.all() as Row[]).map(toContact).sort(byName));
  }

  getKeyPackage(ref: string): Promise<KeyPackageRecord | undefined> {
    return this.#read(() => {
      const row = this.#sql.getKeyPackage.get(ref) as Row | undefined;
      return row && toKeyPackage(row);
    });
  }

  countKeyPackages(): Promise<{ oneTime: number; lastResort: number }> {
    return this.#read(() => {
      const row = this.#sql.countKeyPackages.get() as { oneTime: number | null; lastResort: number | null };
      return { oneTime: row.oneTime ?? 0, lastResort: row.lastResort ?? 0 };
    });
  }

  listLastResortKeyPackages(): Promise<{ ref: string; createdAt: number }[]> {
    return this.#read(() =>
      (this.#sql.listLastResortKeyPackages.all() as Row[]).map((r) => ({
        ref: r.ref as string,
        createdAt: r.created_at as number,
      })),
    );
  }

  hasSeen(key: string): Promise<boolean> {
    return this.#read(() => this.#sql.hasSeen.get(key) !== undefined);
  }

  apply(changes: StoreChanges): Promise<void> {
    return this.#read(() => {
      validateStoreChanges(changes);
      this.#applyAll(changes);
    });
  }

  close(): Promise<void> {
    return this.#read(() => {
      if (this.#db.open) this.#db.close();
    });
  }

  /** better-sqlite3 is synchronous; the executor turns its throws into rejections, as the port promises. */
  #read<T>(run: () => T): Promise<T> {
    return new Promise((resolve) => resolve(run()));
  }
}

function migrate(db: Database.Database, path: string): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  const applicationId = db.pragma("application_id", { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master").get() as { n: number }).n;
  const fresh = version === 0 && applicationId === 0 && tables === 0;
  if (!fresh && applicationId !== CLIENT_STORE_APPLICATION_ID) {
    throw new ClientStoreError("profile_unreadable", `${path} is an SQLite database, but not a Bote profile`);
  }
  if (version > CLIENT_STORE_MIGRATIONS.length) {
    throw new ClientStoreError(
      "profile_too_new",
      `${path} has schema ${version}; this Bote knows up to ${CLIENT_STORE_MIGRATIONS.length}. Update Bote.`,
    );
  }
  for (let next = version; next < CLIENT_STORE_MIGRATIONS.length; next += 1) {
    db.transaction(() => {
      db.exec(CLIENT_STORE_MIGRATIONS[next] ?? "");
      db.pragma(`application_id = ${CLIENT_STORE_APPLICATION_ID}`);
      db.pragma(`user_version = ${next + 1}`);
    })();
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database) {
  // Not organisation_public_key: the first schema's column, no longer read or written.
  const profileColumns =
    "server_url, account_id, device_id, role, organisation_id, organisation_name, device, account_sign_key, organisation_sign_key, organisation_view";
  const conversationColumns =
    "conversation_id, kind, name, peer_account_id, state, epoch, pending_state, active, unread, last_activity_at, " +
    "disappearing_seconds";
  const messageColumns =
    "message_id, conversation_id, direction, sender_account_id, sender_name, sent_at, stored_at, kind, body, status, deleted";
  return {
    getProfile: db.prepare(`SELECT ${profileColumns} FROM profile WHERE id = 1`),
    putProfile: db.prepare(
      `INSERT INTO profile (id, ${profileColumns})
       VALUES (1, @serverUrl, @accountId, @deviceId, @role, @organisationId, @organisationName,
         @device, @accountSignKey, @organisationSignKey, @organisation)
       ON CONFLICT (id) DO UPDATE SET server_url = excluded.server_url, account_id = excluded.account_id,
         device_id = excluded.device_id, role = excluded.role, organisation_id = excluded.organisation_id,
         organisation_name = excluded.organisation_name, device = excluded.device,
         account_sign_key = excluded.account_sign_key, organisation_sign_key = excluded.organisation_sign_key,
         organisation_view = excluded.organisation_view`,
    ),
    getConversation: db.prepare(`SELECT ${conversationColumns} FROM conversations WHERE conversation_id = ?`),
    listConversations: db.prepare(
      `SELECT ${conversationColumns} FROM conversations ORDER BY last_activity_at DESC, conversation_id`,
    ),
    putConversation: db.prepare(
      `INSERT INTO conversations (${conversationColumns})
       VALUES (@conversationId, @kind, @name, @peerAccountId, @state, @epoch, @pendingState, @active, @unread,
         @lastActivityAt, @disappearingSeconds)
       ON CONFLICT (conversation_id) DO UPDATE SET kind = excluded.kind, name = excluded.name,
         peer_account_id = excluded.peer_account_id, state = excluded.state, epoch = excluded.epoch,
         pending_state = excluded.pending_state, active = excluded.active, unread = excluded.unread,
         last_activity_at = excluded.last_activity_at, disappearing_seconds = excluded.disappearing_seconds`,
    ),
    getMessage: db.prepare(`SELECT ${messageColumns} FROM messages WHERE message_id = ?`),
    listMessages: db.prepare(
      `SELECT ${messageColumns} FROM messages WHERE conversation_id = ? ORDER BY stored_at, seq`,
    ),
    listNewestMessages: db.prepare(
      `SELECT ${messageColumns} FROM messages WHERE conversation_id = ? ORDER BY stored_at DESC, seq DESC LIMIT ?`,
    ),
    // An upsert keeps the row (and its seq): the message keeps its place among equal times.
    putMessage: db.prepare(
      `INSERT INTO messages (${messageColumns})
       VALUES (@messageId, @conversationId, @direction, @senderAccountId, @senderName, @sentAt, @storedAt, @kind,
         @body, @status, @deleted)
       ON CONFLICT (message_id) DO UPDATE SET conversation_id = excluded.conversation_id,
         direction = excluded.direction, sender_account_id = excluded.sender_account_id,
         sender_name = excluded.sender_name, sent_at = excluded.sent_at, stored_at = excluded.stored_at,
         kind = excluded.kind, body = excluded.body, status = excluded.status, deleted = excluded.deleted`,
    ),
    listOutbox: db.prepare(
      "SELECT outbox_id, conversation_id, message_id, send, created_at, attempts FROM outbox ORDER BY created_at, seq",
    ),
    putOutbox: db.prepare(
      `INSERT INTO outbox (outbox_id, conversation_id, message_id, send, created_at, attempts)
       VALUES (@outboxId, @conversationId, @messageId, @send, @createdAt, @attempts)
       ON CONFLICT (outbox_id) DO UPDATE SET conversation_id = excluded.conversation_id,
         message_id = excluded.message_id, send = excluded.send, created_at = excluded.created_at,
         attempts = excluded.attempts`,
    ),
    deleteOutbox: db.prepare("DELETE FROM outbox WHERE outbox_id = ?"),
    listUploads: db.prepare(
      "SELECT message_id, conversation_id, ciphertext, created_at FROM uploads ORDER BY created_at, seq",
    ),
    putUpload: db.prepare(
      `INSERT INTO uploads (message_id, conversation_id, ciphertext, created_at)
       VALUES (@messageId, @conversationId, @ciphertext, @createdAt)
       ON CONFLICT (message_id) DO UPDATE SET conversation_id = excluded.conversation_id,
         ciphertext = excluded.ciphertext, created_at = excluded.created_at`,
    ),
    deleteUpload: db.prepare("DELETE FROM uploads WHERE message_id = ?"),
    getContact: db.prepare("SELECT account_id, display_name, devices FROM contacts WHERE account_id = ?"),
    listContacts: db.prepare("SELECT account_id, display_name, devices FROM contacts"),
    putContact: db.prepare(
      `INSERT INTO contacts (account_id, display_name, devices) VALUES (@accountId, @displayName, @devices)
       ON CONFLICT (account_id) DO UPDATE SET display_name = excluded.display_name, devices = excluded.devices`,
    ),
    getKeyPackage: db.prepare("SELECT ref, bundle, last_resort, created_at FROM key_packages WHERE ref = ?"),
    countKeyPackages: db.prepare(
      `SELECT sum(last_resort = 0) AS oneTime, sum(last_resort = 1) AS lastResort FROM key_packages`,
    ),
    // Ordered by code unit (BINARY), like the other stores.
    listLastResortKeyPackages: db.prepare(
      "SELECT ref, created_at FROM key_packages WHERE last_resort = 1 ORDER BY created_at, ref",
    ),
    putKeyPackage: db.prepare(
      `INSERT INTO key_packages (ref, bundle, last_resort, created_at) VALUES (@ref, @bundle, @lastResort, @createdAt)
       ON CONFLICT (ref) DO UPDATE SET bundle = excluded.bundle, last_resort = excluded.last_resort,
         created_at = excluded.created_at`,
    ),
    deleteKeyPackage: db.prepare("DELETE FROM key_packages WHERE ref = ?"),
    deleteMessage: db.prepare("DELETE FROM messages WHERE message_id = ?"),
    deleteConversation: [
      db.prepare("DELETE FROM messages WHERE conversation_id = ?"),
      db.prepare("DELETE FROM outbox WHERE conversation_id = ?"),
      db.prepare("DELETE FROM uploads WHERE conversation_id = ?"),
      db.prepare("DELETE FROM conversations WHERE conversation_id = ?"),
    ],
    hasSeen: db.prepare("SELECT 1 FROM seen WHERE key = ?"),
    putSeen: db.prepare("INSERT INTO seen (key) VALUES (?) ON CONFLICT (key) DO NOTHING"),
  };
}

// ── rows ↔ records ────────────────────────────────────────────────────────
// Bytes leave as fresh Uint8Arrays (not Buffers over a shared pool), so the
// caller owns them and they compare equal to what was stored.

function fromProfile(p: ProfileRecord): Row {
  return {
    serverUrl: p.serverUrl,
    accountId: p.accountId,
    deviceId: p.deviceId,
    role: p.role,
    organisationId: p.organisationId,
    organisationName: p.organisationName,
    device: blob(p.device),
    accountSignKey: blob(p.accountSignKey),
    organisationSignKey: optionalBlob(p.organisationSignKey),
    organisation: blob(p.organisation),
  };
}

function toProfile(r: Row): ProfileRecord {
  // A row from before the organisation key chain (schema 1): without these it is no usable profile.
  if (r.account_sign_key === null || r.organisation_view === null) {
    throw new ClientStoreError(
      "profile_outdated",
      "this profile was written by an older Bote, without the account key and organisation view",
    );
  }
  return {
    serverUrl: r.server_url as string,
    accountId: r.account_id as string,
    deviceId: r.device_id as string,
    role: r.role as ProfileRecord["role"],
    organisationId: r.organisation_id as string,
    organisationName: r.organisation_name as string,
    device: bytes(r.device),
    accountSignKey: bytes(r.account_sign_key),
    organisationSignKey: optionalBytes(r.organisation_sign_key),
    organisation: bytes(r.organisation_view),
  };
}

function fromConversation(c: ConversationRecord): Row {
  return {
    conversationId: c.conversationId,
    kind: c.kind,
    name: c.name,
    peerAccountId: c.peerAccountId ?? null,
    state: blob(c.state),
    epoch: c.epoch,
    pendingState: optionalBlob(c.pendingState),
    active: c.active ? 1 : 0,
    unread: c.unread,
    lastActivityAt: c.lastActivityAt,
    disappearingSeconds: c.disappearingSeconds ?? null,
  };
}

function toConversation(r: Row): ConversationRecord {
  return {
    conversationId: r.conversation_id as string,
    kind: r.kind as ConversationRecord["kind"],
    name: r.name as string,
    peerAccountId: (r.peer_account_id as string | null) ?? undefined,
    state: bytes(r.state),
    epoch: r.epoch as number,
    pendingState: optionalBytes(r.pending_state),
    active: r.active === 1,
    unread: r.unread as number,
    lastActivityAt: r.last_activity_at as number,
    ...(r.disappearing_seconds === null ? {} : { disappearingSeconds: r.disappearing_seconds as number }),
  };
}

function fromMessage(m: MessageRecord): Row {
  return {
    messageId: m.messageId,
    conversationId: m.conversationId,
    direction: m.direction,
    senderAccountId: m.senderAccountId,
    senderName: m.senderName,
    sentAt: m.sentAt,
    storedAt: m.storedAt,
    kind: m.kind,
    body: blob(m.body),
    status: m.status,
    deleted: m.deleted ? 1 : 0,
  };
}

function toMessage(r: Row): MessageRecord {
  return {
    messageId: r.message_id as string,
    conversationId: r.conversation_id as string,
    direction: r.direction as MessageRecord["direction"],
    senderAccountId: r.sender_account_id as string,
    senderName: r.sender_name as string,
    sentAt: r.sent_at as number,
    storedAt: r.stored_at as number,
    kind: r.kind as MessageRecord["kind"],
    body: bytes(r.body),
    status: r.status as MessageRecord["status"],
    deleted: r.deleted === 1,
  };
}

function fromOutbox(o: OutboxRecord): Row {
  return {
    outboxId: o.outboxId,
    conversationId: o.conversationId,
    messageId: o.messageId ?? null,
    send: blob(o.send),
    createdAt: o.createdAt,
    attempts: o.attempts,
  };
}

function toOutbox(r: Row): OutboxRecord {
  return {
    outboxId: r.outbox_id as string,
    conversationId: r.conversation_id as string,
    messageId: (r.message_id as string | null) ?? undefined,
    send: bytes(r.send),
    createdAt: r.created_at as number,
    attempts: r.attempts as number,
  };
}

function fromContact(c: ContactRecord): Row {
  const devices = c.devices.map((d) => ({
    devicePublicKey: d.devicePublicKey,
    trust: d.trust,
    firstSeenAt: d.firstSeenAt,
  }));
  return { accountId: c.accountId, displayName: c.displayName, devices: JSON.stringify(devices) };
}

function toContact(r: Row): ContactRecord {
  return {
    accountId: r.account_id as string,
    displayName: r.display_name as string,
    devices: JSON.parse(r.devices as string) as ContactRecord["devices"],
  };
}

function fromKeyPackage(k: KeyPackageRecord): Row {
  return { ref: k.ref, bundle: blob(k.bundle), lastResort: k.lastResort ? 1 : 0, createdAt: k.createdAt };
}

function toKeyPackage(r: Row): KeyPackageRecord {
  return {
    ref: r.ref as string,
    bundle: bytes(r.bundle),
    lastResort: r.last_resort === 1,
    createdAt: r.created_at as number,
  };
}

/** better-sqlite3 binds Buffers only; this one is a view, no copy (SQLite copies on bind). */
function blob(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function optionalBlob(value: Uint8Array | undefined): Buffer | null {
  return value === undefined ? null : blob(value);
}

function bytes(value: unknown): Uint8Array {
  return new Uint8Array(value as Uint8Array);
}

function optionalBytes(value: unknown): Uint8Array | undefined {
  return value === null ? undefined : bytes(value);
}

function byName(a: ContactRecord, b: ContactRecord): number {
  return compareText(a.displayName, b.displayName) || compareText(a.accountId, b.accountId);
}

/** Code-unit order, as MemoryClientStore sorts. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
