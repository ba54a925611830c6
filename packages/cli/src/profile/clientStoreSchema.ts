/**
 * The profile database's schema, one migration per entry: entry i takes the
 * file from user_version i to i + 1. Append only — a released migration is
 * never edited, or profiles already on disk would disagree with new ones.
 */

/** PRAGMA application_id of a Bote profile ("BOTE" in ASCII), to tell it from any other SQLite file. */
export const CLIENT_STORE_APPLICATION_ID = 0x424f5445;

export const CLIENT_STORE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    server_url TEXT NOT NULL,
    account_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    role TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    organisation_name TEXT NOT NULL,
    device BLOB NOT NULL,
    organisation_public_key BLOB,
    organisation_sign_key BLOB
  ) STRICT;
  CREATE TABLE conversations (
    conversation_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    peer_account_id TEXT,
    state BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    pending_state BLOB,
    active INTEGER NOT NULL,
    unread INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE messages (
    seq INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    direction TEXT NOT NULL,
    sender_account_id TEXT NOT NULL,
    sender_name TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    stored_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body BLOB NOT NULL,
    status TEXT NOT NULL,
    deleted INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX messages_by_conversation ON messages (conversation_id, stored_at, seq);
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY,
    outbox_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    message_id TEXT,
    send BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE contacts (
    account_id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    devices TEXT NOT NULL
  ) STRICT;
  CREATE TABLE key_packages (
    ref TEXT PRIMARY KEY,
    bundle BLOB NOT NULL,
    last_resort INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE seen (
    key TEXT PRIMARY KEY
  ) STRICT, WITHOUT ROWID;
  `,
  // The organisation key chain: the account key's seed and the encoded
  // organisation view. A profile from before it keeps NULL in both, which
  // getProfile reports as profile_outdated; organisation_public_key stays,
  // unread, since SQLite profiles on disk already have it.
  `
  ALTER TABLE profile ADD COLUMN account_sign_key BLOB;
  ALTER TABLE profile ADD COLUMN organisation_view BLOB;
  `,
  // Files encrypted while offline, until their upload (ClientStore.UploadRecord).
  `
  CREATE TABLE uploads (
    seq INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL,
    ciphertext BLOB NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;
  `,
  // The chat's disappearing-message timer (ConversationRecord.disappearingSeconds); NULL: never set.
  `
  ALTER TABLE conversations ADD COLUMN disappearing_seconds INTEGER;
  `,
];
