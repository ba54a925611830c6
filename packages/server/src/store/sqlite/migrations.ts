/**
 * Numbered schema migrations for the embedded store. Applied versions are
 * recorded in schema_migrations; a version, once released, is never edited.
 *
 * No column holds a sender: a queue row names only the recipient mailbox and
 * the envelope, and nothing records when a message was sent (expires_at comes
 * from the caller, already rounded).
 *
 * Version 2 (signed certificates) keeps only what the organisation signed:
 * certificates, the organisation key (public), revocation tombstones and the
 * signed log. No private key of anyone ever reaches the server.
 */
import type Database from "better-sqlite3";
import { DatabaseNewerError } from "../DatabaseNewerError.js";
import { DatabaseOutdatedError } from "../DatabaseOutdatedError.js";

export interface Migration {
  version: number;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE organisations (
        id BLOB PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE invitations (
        id BLOB PRIMARY KEY,
        org_id BLOB NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        token_hash BLOB NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        redeemed_at INTEGER
      ) WITHOUT ROWID;
      CREATE INDEX invitations_org ON invitations(org_id);
      CREATE INDEX invitations_unredeemed_expiry ON invitations(expires_at) WHERE redeemed_at IS NULL;

      CREATE TABLE accounts (
        id BLOB PRIMARY KEY,
        org_id BLOB NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX accounts_org ON accounts(org_id);

      CREATE TABLE devices (
        id BLOB PRIMARY KEY,
        account_id BLOB NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        public_key BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX devices_account ON devices(account_id);

      CREATE TABLE mailboxes (
        id BLOB PRIMARY KEY,
        device_id BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1))
      ) WITHOUT ROWID;
      CREATE INDEX mailboxes_device ON mailboxes(device_id);
      -- A device has exactly one mailbox that accepts new entries.
      CREATE UNIQUE INDEX mailboxes_current ON mailboxes(device_id) WHERE NOT retired;

      CREATE TABLE sessions (
        token_hash BLOB PRIMARY KEY,
        device_id BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_device ON sessions(device_id);
      CREATE INDEX sessions_expiry ON sessions(expires_at);

      CREATE TABLE challenges (
        challenge BLOB PRIMARY KEY,
        device_id BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX challenges_device ON challenges(device_id);
      CREATE INDEX challenges_expiry ON challenges(expires_at);

      CREATE TABLE key_packages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        data BLOB NOT NULL,
        last_resort INTEGER NOT NULL CHECK (last_resort IN (0, 1))
      );
      CREATE INDEX key_packages_device ON key_packages(device_id, last_resort, id);
      CREATE UNIQUE INDEX key_packages_one_last_resort ON key_packages(device_id) WHERE last_resort;

      -- AUTOINCREMENT: ids are never reused, so a client's "after entry id"
      -- cursor cannot skip an entry that reuses the id of an acknowledged one.
      CREATE TABLE envelopes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id BLOB NOT NULL,
        part INTEGER NOT NULL,
        payload BLOB,
        pending INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        UNIQUE (message_id, part)
      );
      CREATE INDEX envelopes_expiry ON envelopes(expires_at);

      -- envelope_id has no foreign key: enforcing it on envelope deletes
      -- would need one more index that every send and ack pays for. An entry
      -- never outlives its envelope: both get the send's expiry, and an
      -- envelope's expiry only moves once its last entry is gone.
      CREATE TABLE queue (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        mailbox_id BLOB NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        envelope_id INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX queue_mailbox ON queue(mailbox_id, id);
      CREATE INDEX queue_expiry ON queue(expires_at);

      CREATE TABLE group_epochs (
        group_id BLOB PRIMARY KEY,
        epoch INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE blobs (
        id BLOB PRIMARY KEY,
        size INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX blobs_expiry ON blobs(expires_at);
    `,
  },
  {
    // Refused (DatabaseOutdatedError) on a database that already holds accounts: see refuseLegacyAccounts.
    version: 2,
    sql: `
      -- The head of the organisation key's rotation chain; NULL until the first admin joins.
      ALTER TABLE organisations ADD COLUMN organisation_key BLOB;

      -- NULL only for the first-admin invitation of bootstrap, which names no account.
      ALTER TABLE invitations ADD COLUMN account_id BLOB;
      ALTER TABLE invitations ADD COLUMN invitation_key BLOB;
      ALTER TABLE invitations ADD COLUMN display_name TEXT;
      ALTER TABLE invitations ADD COLUMN certificate BLOB;
      ALTER TABLE invitations ADD COLUMN revoked_at INTEGER;
      CREATE UNIQUE INDEX invitations_key ON invitations(invitation_key) WHERE invitation_key IS NOT NULL;
      CREATE INDEX invitations_account ON invitations(account_id) WHERE account_id IS NOT NULL;

      -- Filled on every insert (the store refuses to migrate a database with
      -- accounts), so NULL never occurs; SQLite cannot add NOT NULL columns.
      ALTER TABLE accounts ADD COLUMN account_key BLOB;
      ALTER TABLE accounts ADD COLUMN certificate BLOB;
      ALTER TABLE accounts ADD COLUMN certificate_issued_at INTEGER;
      -- A revoked account stays as a row so its id is never given out again.
      ALTER TABLE accounts ADD COLUMN deactivated_at INTEGER;

      ALTER TABLE devices ADD COLUMN certificate BLOB;

      -- Revoked devices: their login answers device_revoked, and their key
      -- can never register again. No account, no organisation: nothing more
      -- than the device needs to be told.
      CREATE TABLE revoked_devices (
        device_id BLOB PRIMARY KEY,
        public_key BLOB NOT NULL UNIQUE,
        revoked_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      -- The organisation's signed statements (encodeOrganisationStatement),
      -- append-only: certificates, revocations, rotations, invitations. They
      -- are admin actions and carry no message, sender or recipient.
      CREATE TABLE organisation_log (
        org_id BLOB NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        statement BLOB NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (org_id, seq)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    sql: `
      -- Links a logged-in device opens for a second device of its account
      -- (docs/PROTOCOL.md, "Linking a device"). No plaintext of either
      -- device: the commitment, ephemeral X25519 public keys, the new
      -- device's public key, SHA-256 of the code and of the claim token, and
      -- the sealed package (ciphertext the first device made for the second),
      -- kept only until the second device fetched it or the link expired.
      -- A plain rowid table: the sealed package can be 256 KiB.
      CREATE TABLE device_links (
        id BLOB NOT NULL UNIQUE,
        initiator_device_id BLOB NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        code_hash BLOB NOT NULL UNIQUE,
        commitment BLOB NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('waiting', 'claimed', 'keyed', 'revealed', 'completed')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        claimant_ephemeral_key BLOB,
        claimant_device_key BLOB,
        claim_token_hash BLOB,
        initiator_ephemeral_key BLOB,
        device_id BLOB,
        mailbox_id BLOB,
        sealed BLOB
      );
      CREATE INDEX device_links_initiator ON device_links(initiator_device_id);
      CREATE INDEX device_links_expiry ON device_links(expires_at);
    `,
  },
  {
    version: 4,
    sql: `
      -- Facts about the server itself, such as the key-check values that
      -- tell a node whether its secrets file belongs to this database.
      CREATE TABLE server_meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    sql: `
      -- The queue at rest links nobody (docs/THREAT-MODEL.md, "At rest").
      -- Each recipient has its own entry, sealed under a key of its mailbox
      -- that only the secrets file can derive, so no two entries share
      -- bytes. Ids are random: neither the id nor the row's place in the
      -- file says which entries were stored together. seq orders a mailbox
      -- and counts on from the mailbox it replaced.
      ALTER TABLE mailboxes ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
      -- Each line starts at random (see randomSeqStart).
      UPDATE mailboxes SET seq = abs(random()) % 35184372088832;
      CREATE TABLE entries (
        id INTEGER PRIMARY KEY,
        mailbox_id BLOB NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        sealed BLOB NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX entries_mailbox ON entries(mailbox_id, seq);
      CREATE INDEX entries_expiry ON entries(expires_at);

      -- Keyed hashes of message ids, so a resend is stored once; nothing
      -- joins them to the entries they made.
      CREATE TABLE sends (key BLOB PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
      CREATE INDEX sends_expiry ON sends(expires_at);

      -- The commit guard, by a keyed hash of the group id.
      CREATE TABLE group_guards (group_key BLOB PRIMARY KEY, epoch INTEGER NOT NULL) WITHOUT ROWID;

      -- queue, envelopes and group_epochs stay until upgradeLegacyQueue has
      -- sealed what they hold: that needs the secrets file, which SQL has not.
    `,
  },
  {
    version: 6,
    sql: `
      -- Web Push (docs/THREAT-MODEL.md, "Web Push"): one subscription per
      -- device, going with it. The endpoint names the browser's push service
      -- and an opaque registration there; the keys only encrypt a push's
      -- fixed payload. No time is kept.
      CREATE TABLE push_subscriptions (
        device_id BLOB PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        endpoint TEXT NOT NULL UNIQUE,
        p256dh BLOB NOT NULL,
        auth BLOB NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    sql: `
      -- Contact points (docs/PROTOCOL.md §18): the newest accepted statement
      -- of each, for the public page; the log keeps every one. A plain rowid
      -- table: a statement can be 26 KiB.
      CREATE TABLE contact_points (
        id BLOB NOT NULL UNIQUE,
        org_id BLOB NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        slug TEXT NOT NULL UNIQUE,
        open INTEGER NOT NULL CHECK (open IN (0, 1)),
        issued_at INTEGER NOT NULL,
        statement BLOB NOT NULL
      );
      CREATE INDEX contact_points_org ON contact_points(org_id);

      -- A customer's throw-away account is an accounts row (so devices,
      -- mailboxes, sessions and their cascades work unchanged) plus this row,
      -- which makes it a guest: never a member, the directory never lists
      -- it. A table of its own rather than a new role, because SQLite cannot
      -- change the CHECK on accounts.role in place. It holds the contact
      -- point, one time and counters: nothing about who answers the guest.
      -- No cascade from contact_points: a guest row must never vanish while
      -- its account stays (that account would become a member).
      CREATE TABLE guest_accounts (
        account_id BLOB PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        contact_point_id BLOB NOT NULL REFERENCES contact_points(id),
        last_login_at INTEGER NOT NULL,
        key_package_fetches INTEGER NOT NULL DEFAULT 0,
        blobs INTEGER NOT NULL DEFAULT 0,
        blob_bytes INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX guest_accounts_idle ON guest_accounts(last_login_at);
      CREATE INDEX guest_accounts_contact_point ON guest_accounts(contact_point_id);
    `,
  },
  {
    version: 8,
    sql: `
      -- Policies (docs/PROTOCOL.md, "Policy"): the log keeps every statement;
      -- the server keeps what it enforces of the newest: the largest attachment,
      -- and whether customers may open chats through contact points.
      ALTER TABLE organisations ADD COLUMN policy_issued_at INTEGER;
      ALTER TABLE organisations ADD COLUMN max_attachment_bytes INTEGER;
      ALTER TABLE organisations ADD COLUMN external_chats INTEGER NOT NULL DEFAULT 1 CHECK (external_chats IN (0, 1));
      -- The setup wizard (docs/PROTOCOL.md, "Organisation settings"): the
      -- default language and when the first admin finished the setup.
      ALTER TABLE organisations ADD COLUMN language TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en'));
      ALTER TABLE organisations ADD COLUMN set_up_at INTEGER;
      -- A blob belongs to the organisation of the device that uploaded it: a
      -- device of another organisation on this server cannot fetch it, even
      -- knowing its id. NULL for blobs uploaded before (any organisation's
      -- device may fetch those until they expire, as before).
      ALTER TABLE blobs ADD COLUMN org_id BLOB;
      -- The account a revoked device belonged to, so that a person's export
      -- and erasure (Art. 15 and 17 GDPR) find its tombstones. NULL for
      -- devices revoked before.
      ALTER TABLE revoked_devices ADD COLUMN account_id BLOB;
      CREATE INDEX revoked_devices_account ON revoked_devices(account_id) WHERE account_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    sql: `
      -- Both stores share one schema version per release (bote migrate-store
      -- copies between equal versions). Version 9 adds PostgreSQL's batch
      -- function, bote_commit_sends; SQLite's schema does not change.
      SELECT 1;
    `,
  },
];

/** Accounts made before version 2 have no certificate: such a database is refused rather than half migrated. */
function refuseLegacyAccounts(db: Database.Database): void {
  const row = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM accounts").get();
  if ((row?.n ?? 0) > 0) throw new DatabaseOutdatedError();
}

/** A version this release does not know means a newer one migrated the database: refused, never run on. */
function refuseNewer(done: ReadonlySet<number>): void {
  const known = Math.max(...migrations.map((m) => m.version));
  const found = Math.max(0, ...done);
  if (found > known) throw new DatabaseNewerError(found, known);
}

/** Applies the migrations not yet recorded, all in one write transaction so two processes cannot interleave. */
export function applyMigrations(db: Database.Database): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)");
  const applied = db.prepare<[], { version: number }>("SELECT version FROM schema_migrations");
  const record = db.prepare<[number, number]>("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
  db.transaction(() => {
    const done = new Set(applied.all().map((row) => row.version));
    refuseNewer(done);
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      if (migration.version === 2 && done.has(1)) refuseLegacyAccounts(db);
      db.exec(migration.sql);
      record.run(migration.version, Date.now());
    }
  }).immediate();
}
