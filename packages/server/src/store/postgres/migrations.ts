/**
 * Numbered schema migrations for the distributed store. Every node runs
 * them at start; an advisory lock held for the migration transaction lets
 * exactly one node apply a version while the others wait and then find it
 * recorded. A version, once released, is never edited.
 *
 * No column holds a sender: a queue row names only the recipient mailbox and
 * the envelope, and nothing records when a message was sent (expires_at comes
 * from the caller, already rounded).
 */
import type pg from "pg";
import { DatabaseNewerError } from "../DatabaseNewerError.js";
import { DatabaseOutdatedError } from "../DatabaseOutdatedError.js";

export interface Migration {
  version: number;
  sql: string;
}

/** Arbitrary but fixed: "Bote" in ASCII. */
const MIGRATION_LOCK = 0x426f7465;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE organisations (
        id bytea PRIMARY KEY,
        name text NOT NULL,
        created_at bigint NOT NULL
      );

      CREATE TABLE invitations (
        id bytea PRIMARY KEY,
        org_id bytea NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        token_hash bytea NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('admin', 'member')),
        expires_at bigint NOT NULL,
        created_at bigint NOT NULL,
        redeemed_at bigint
      );
      CREATE INDEX invitations_org ON invitations(org_id);
      CREATE INDEX invitations_unredeemed_expiry ON invitations(expires_at) WHERE redeemed_at IS NULL;

      CREATE TABLE accounts (
        id bytea PRIMARY KEY,
        org_id bytea NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'member')),
        created_at bigint NOT NULL
      );
      CREATE INDEX accounts_org ON accounts(org_id);

      CREATE TABLE devices (
        id bytea PRIMARY KEY,
        account_id bytea NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        public_key bytea NOT NULL UNIQUE,
        created_at bigint NOT NULL
      );
      CREATE INDEX devices_account ON devices(account_id);

      CREATE TABLE mailboxes (
        id bytea PRIMARY KEY,
        device_id bytea NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        retired boolean NOT NULL DEFAULT false
      );
      CREATE INDEX mailboxes_device ON mailboxes(device_id);
      -- A device has exactly one mailbox that accepts new entries.
      CREATE UNIQUE INDEX mailboxes_current ON mailboxes(device_id) WHERE NOT retired;

      CREATE TABLE sessions (
        token_hash bytea PRIMARY KEY,
        device_id bytea NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        expires_at bigint NOT NULL
      );
      CREATE INDEX sessions_device ON sessions(device_id);
      CREATE INDEX sessions_expiry ON sessions(expires_at);

      CREATE TABLE challenges (
        challenge bytea PRIMARY KEY,
        device_id bytea NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        expires_at bigint NOT NULL
      );
      CREATE INDEX challenges_device ON challenges(device_id);
      CREATE INDEX challenges_expiry ON challenges(expires_at);

      CREATE TABLE key_packages (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        device_id bytea NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        data bytea NOT NULL,
        last_resort boolean NOT NULL
      );
      CREATE INDEX key_packages_device ON key_packages(device_id, last_resort, id);
      CREATE UNIQUE INDEX key_packages_one_last_resort ON key_packages(device_id) WHERE last_resort;

      CREATE TABLE envelopes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id bytea NOT NULL,
        part smallint NOT NULL,
        payload bytea,
        pending integer NOT NULL,
        expires_at bigint NOT NULL,
        UNIQUE (message_id, part)
      );
      CREATE INDEX envelopes_expiry ON envelopes(expires_at);

      -- envelope_id has no foreign key: enforcing it on envelope deletes
      -- would need one more index that every send and ack pays for. An entry
      -- never outlives its envelope: both get the send's expiry, and an
      -- envelope's expiry only moves once its last entry is gone.
      CREATE TABLE queue (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        mailbox_id bytea NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        envelope_id bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX queue_mailbox ON queue(mailbox_id, id);
      CREATE INDEX queue_expiry ON queue(expires_at);

      CREATE TABLE group_epochs (
        group_id bytea PRIMARY KEY,
        epoch bigint NOT NULL
      );

      CREATE TABLE blobs (
        id bytea PRIMARY KEY,
        size bigint NOT NULL,
        expires_at bigint NOT NULL
      );
      CREATE INDEX blobs_expiry ON blobs(expires_at);

      -- Content of PostgresBlobStore, independent of the metadata in blobs:
      -- content is written before its metadata exists.
      CREATE TABLE blob_chunks (
        blob_id bytea NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (blob_id, seq)
      );
    `,
  },
  {
    // Refused (DatabaseOutdatedError) on a database that already holds accounts, so NOT NULL holds.
    version: 2,
    sql: `
      -- The head of the organisation key's rotation chain; NULL until the first admin joins.
      ALTER TABLE organisations ADD COLUMN organisation_key bytea;

      -- NULL only for the first-admin invitation of bootstrap, which names no account.
      ALTER TABLE invitations ADD COLUMN account_id bytea;
      ALTER TABLE invitations ADD COLUMN invitation_key bytea;
      ALTER TABLE invitations ADD COLUMN display_name text;
      ALTER TABLE invitations ADD COLUMN certificate bytea;
      ALTER TABLE invitations ADD COLUMN revoked_at bigint;
      CREATE UNIQUE INDEX invitations_key ON invitations(invitation_key) WHERE invitation_key IS NOT NULL;
      CREATE INDEX invitations_account ON invitations(account_id) WHERE account_id IS NOT NULL;

      ALTER TABLE accounts ADD COLUMN account_key bytea NOT NULL;
      ALTER TABLE accounts ADD COLUMN certificate bytea NOT NULL;
      ALTER TABLE accounts ADD COLUMN certificate_issued_at bigint NOT NULL;
      -- A revoked account stays as a row so its id is never given out again.
      ALTER TABLE accounts ADD COLUMN deactivated_at bigint;

      ALTER TABLE devices ADD COLUMN certificate bytea NOT NULL;

      -- Revoked devices: their login answers device_revoked, and their key
      -- can never register again. No account, no organisation.
      CREATE TABLE revoked_devices (
        device_id bytea PRIMARY KEY,
        public_key bytea NOT NULL UNIQUE,
        revoked_at bigint NOT NULL
      );

      -- The organisation's signed statements (encodeOrganisationStatement),
      -- append-only. Admin actions: no message, sender or recipient.
      CREATE TABLE organisation_log (
        org_id bytea NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        statement bytea NOT NULL,
        at bigint NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
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
      CREATE TABLE device_links (
        id bytea PRIMARY KEY,
        initiator_device_id bytea NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        code_hash bytea NOT NULL UNIQUE,
        commitment bytea NOT NULL,
        state text NOT NULL CHECK (state IN ('waiting', 'claimed', 'keyed', 'revealed', 'completed')),
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        claimant_ephemeral_key bytea,
        claimant_device_key bytea,
        claim_token_hash bytea,
        initiator_ephemeral_key bytea,
        device_id bytea,
        mailbox_id bytea,
        sealed bytea
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
      CREATE TABLE server_meta (key text PRIMARY KEY, value bytea NOT NULL);
    `,
  },
  {
    version: 5,
    sql: `
      -- The queue at rest links nobody (docs/THREAT-MODEL.md, "At rest"):
      -- one entry per recipient, sealed under a key of its mailbox that only
      -- the secrets file can derive; random ids; seq orders a device's
      -- mailboxes on one line. Dead tuples of these tables hold only sealed
      -- bytes (docs/OPERATIONS.md on vacuum).
      ALTER TABLE mailboxes ADD COLUMN seq bigint NOT NULL DEFAULT 0;
      -- Each line starts at random (see randomSeqStart).
      UPDATE mailboxes SET seq = floor(random() * 35184372088832)::bigint;
      CREATE TABLE entries (
        id bigint PRIMARY KEY,
        mailbox_id bytea NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
        seq bigint NOT NULL,
        sealed bytea NOT NULL,
        expires_at bigint NOT NULL,
        UNIQUE (mailbox_id, seq)
      );
      CREATE INDEX entries_expiry ON entries(expires_at);
      CREATE TABLE sends (key bytea PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE INDEX sends_expiry ON sends(expires_at);
      CREATE TABLE group_guards (group_key bytea PRIMARY KEY, epoch bigint NOT NULL);
      -- queue, envelopes and group_epochs stay until upgradeLegacyQueue has
      -- sealed what they hold.
    `,
  },
  {
    version: 6,
    sql: `
      -- Web Push: one subscription per device, going with it; no time kept.
      CREATE TABLE push_subscriptions (
        device_id bytea PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
        endpoint text NOT NULL UNIQUE,
        p256dh bytea NOT NULL,
        auth bytea NOT NULL
      );
    `,
  },
  {
    version: 7,
    sql: `
      -- Contact points (docs/PROTOCOL.md §18): the newest accepted statement
      -- of each, for the public page; the log keeps every one.
      CREATE TABLE contact_points (
        id bytea PRIMARY KEY,
        org_id bytea NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
        slug text NOT NULL UNIQUE,
        open boolean NOT NULL,
        issued_at bigint NOT NULL,
        statement bytea NOT NULL
      );
      CREATE INDEX contact_points_org ON contact_points(org_id);
      -- A guest is an accounts row plus this one (the same schema as SQLite's,
      -- which cannot change the CHECK on accounts.role). It holds the contact
      -- point, one time and counters: nothing about who answers the guest. No
      -- cascade from contact_points: a guest row must never vanish while its
      -- account stays.
      CREATE TABLE guest_accounts (
        account_id bytea PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
        contact_point_id bytea NOT NULL REFERENCES contact_points(id),
        last_login_at bigint NOT NULL,
        key_package_fetches integer NOT NULL DEFAULT 0,
        blobs integer NOT NULL DEFAULT 0,
        blob_bytes bigint NOT NULL DEFAULT 0
      );
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
      ALTER TABLE organisations ADD COLUMN policy_issued_at bigint;
      ALTER TABLE organisations ADD COLUMN max_attachment_bytes bigint;
      ALTER TABLE organisations ADD COLUMN external_chats boolean NOT NULL DEFAULT true;
      -- The setup wizard (docs/PROTOCOL.md, "Organisation settings"): the
      -- default language and when the first admin finished the setup.
      ALTER TABLE organisations ADD COLUMN language text NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en'));
      ALTER TABLE organisations ADD COLUMN set_up_at bigint;
      -- A blob belongs to the organisation of the device that uploaded it
      -- (NULL for blobs from before: fetchable as before until they expire).
      ALTER TABLE blobs ADD COLUMN org_id bytea;
      -- The account a revoked device belonged to, for a person's export and
      -- erasure (Art. 15 and 17 GDPR). NULL for devices revoked before.
      ALTER TABLE revoked_devices ADD COLUMN account_id bytea;
      CREATE INDEX revoked_devices_account ON revoked_devices(account_id) WHERE account_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    sql: `
      -- The relay's common batch (no commit, no send key twice; commitBatch.ts)
      -- in one call: one round trip instead of seven, and the recipients'
      -- mailboxes stay locked only for the last statements and the commit,
      -- so that nodes whose batches reach the same mailboxes overlap the rest.
      -- Returns (1, send, 0) per resend, (2, entry, seq) per stored entry and
      -- (3, ack op, n) per ack op that deleted n entries; raises BT001, all
      -- rolled back, when a random entry id is taken (the caller draws again).
      CREATE FUNCTION bote_commit_sends(
        send_keys bytea[], send_expiry bigint[],
        entry_send integer[], entry_mailbox bytea[], entry_sealed bytea[], entry_ids bigint[],
        ack_entries bigint[], ack_ops integer[], ack_mailbox_ops integer[], ack_mailboxes bytea[])
      RETURNS TABLE (kind integer, at integer, n bigint)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        duplicates integer[];
        live bytea[];
        stored_at integer[];
        stored_seq bigint[];
        placed_count bigint;
        inserted_count bigint;
        unreached bytea[];
      BEGIN
        WITH claimed AS (
          INSERT INTO sends (key, expires_at) SELECT * FROM unnest(send_keys, send_expiry)
          ON CONFLICT (key) DO NOTHING RETURNING key)
        SELECT coalesce(array_agg(s.i::integer), '{}') INTO duplicates
          FROM unnest(send_keys) WITH ORDINALITY AS s(key, i)
         WHERE s.key NOT IN (SELECT key FROM claimed);
        RETURN QUERY SELECT 1, d, 0::bigint FROM unnest(duplicates) AS d;

        -- An entry acknowledged twice counts for the first ack op that may delete it.
        RETURN QUERY WITH chosen AS (
            SELECT DISTINCT ON (a.entry_id) a.entry_id, a.op
              FROM unnest(ack_entries, ack_ops) AS a(entry_id, op)
              JOIN entries e ON e.id = a.entry_id
             WHERE EXISTS (SELECT 1 FROM unnest(ack_mailbox_ops, ack_mailboxes) AS m(op, mailbox_id)
                            WHERE m.op = a.op AND m.mailbox_id = e.mailbox_id)
             ORDER BY a.entry_id, a.op),
          deleted AS (DELETE FROM entries e USING chosen c WHERE e.id = c.entry_id RETURNING c.op)
        SELECT 3, d.op, count(*) FROM deleted d GROUP BY d.op;

        -- Locked in id order, as commitBatch.ts's LOCK_MAILBOXES says why.
        SELECT coalesce(array_agg(l.id), '{}') INTO live FROM (
          SELECT id FROM mailboxes
           WHERE id IN (SELECT x.mailbox FROM unnest(entry_mailbox, entry_send) AS x(mailbox, send)
                         WHERE x.send <> ALL (duplicates))
             AND NOT retired
           ORDER BY id FOR NO KEY UPDATE) AS l;

        WITH wanted AS (
            SELECT x.mailbox, count(*) AS n FROM unnest(entry_mailbox, entry_send) AS x(mailbox, send)
             WHERE x.send <> ALL (duplicates) AND x.mailbox IN (SELECT unnest(live))
             GROUP BY x.mailbox),
          taken AS (
            UPDATE mailboxes m SET seq = m.seq + w.n FROM wanted w WHERE m.id = w.mailbox
            RETURNING m.id, m.seq - w.n AS before),
          placed AS (
            SELECT x.i, x.id, x.mailbox, x.sealed, x.send,
                   t.before + row_number() OVER (PARTITION BY x.mailbox ORDER BY x.i) AS seq
              FROM unnest(entry_ids, entry_mailbox, entry_sealed, entry_send)
                   WITH ORDINALITY AS x(id, mailbox, sealed, send, i)
              JOIN taken t ON t.id = x.mailbox
             WHERE x.send <> ALL (duplicates)),
          inserted AS (
            INSERT INTO entries (id, mailbox_id, seq, sealed, expires_at)
            SELECT p.id, p.mailbox, p.seq, p.sealed, send_expiry[p.send] FROM placed p
            ON CONFLICT (id) DO NOTHING RETURNING id)
        SELECT array_agg(p.i::integer), array_agg(p.seq), (SELECT count(*) FROM placed), (SELECT count(*) FROM inserted)
          INTO stored_at, stored_seq, placed_count, inserted_count
          FROM placed p;
        IF inserted_count < placed_count THEN
          RAISE EXCEPTION 'entry id taken' USING ERRCODE = 'BT001';
        END IF;
        RETURN QUERY SELECT 2, s.at, s.seq FROM unnest(stored_at, stored_seq) AS s(at, seq);

        -- A send that reached nobody keeps no key, as if it had not been made.
        SELECT array_agg(s.key) INTO unreached FROM unnest(send_keys) WITH ORDINALITY AS s(key, i)
         WHERE s.i <> ALL (duplicates)
           AND s.i NOT IN (SELECT entry_send[a] FROM unnest(coalesce(stored_at, '{}')) AS a);
        IF unreached IS NOT NULL THEN
          DELETE FROM sends WHERE key = ANY (unreached);
        END IF;
      END;
      $fn$;
    `,
  },
];

export async function applyMigrations(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)",
    );
    const applied = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const done = new Set(applied.rows.map((row) => row.version));
    // A version this release does not know means a newer one migrated the database: refused, never run on.
    const known = Math.max(...migrations.map((m) => m.version));
    const found = Math.max(0, ...done);
    if (found > known) throw new DatabaseNewerError(found, known);
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      if (migration.version === 2 && done.has(1)) {
        // Accounts made before version 2 have no certificate: refused rather than half migrated.
        const accounts = await client.query<{ n: string }>("SELECT count(*) AS n FROM accounts");
        if (Number(accounts.rows[0]?.n ?? 0) > 0) throw new DatabaseOutdatedError();
      }
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", [
        migration.version,
        Date.now(),
      ]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
