import { ClientStoreError, validateStoreChanges, lastResortsOldestFirst } from "@bote/core/light";
import type {
  ClientStore,
  ContactRecord,
  ConversationRecord,
  KeyPackageRecord,
  MessageRecord,
  OutboxRecord,
  ProfileRecord,
  StoreChanges,
  UploadRecord,
} from "@bote/core";

/**
 * The ClientStore of the browser, on IndexedDB.
 *
 * At rest, every byte field that carries a secret (the device, the account
 * key, the organisation's signing key, conversation states, key package
 * bundles, message bodies, outbox sends) is sealed with AES-256-GCM under one
 * wrapping key, with a fresh 12-byte random nonce per value and the record's
 * place ("conversations/<id>/state") as associated data, so a sealed value
 * cannot be moved to another record. Files waiting for their upload are
 * kept as the attachment ciphertext itself, not sealed again: its key is in
 * the (sealed) message body, and the server is given exactly these bytes.
 * The key is generated once, as a
 * NON-EXTRACTABLE CryptoKey, and stored as that object in the same database:
 * the browser keeps its bits in its own key store, and no script can read them.
 *
 * What this protects: no message, key or state is ever in the files in the
 * clear. What it does not: Chromium writes a non-extractable key's bits into
 * the same IndexedDB files (tested in disappearing.e2e.test.ts), so a copy
 * of the profile folder opens the seal; and script running in this origin
 * (an XSS, a malicious extension) can use the key to decrypt, exactly as the
 * app does. A deleted value's old sealed bytes stay in LevelDB's files until
 * Chromium compacts them (docs/THREAT-MODEL.md, adversary 9). Ids, names, times, counts and the organisation view (signed
 * statements, public by design) are stored in the clear.
 *
 * IndexedDB commits a transaction as soon as it has no pending request, so
 * all WebCrypto work happens before a write transaction opens (sealing) or
 * after a read transaction ends (opening): `apply` is one readwrite
 * transaction over all stores, and lands whole or not at all.
 */
export class IndexedDbClientStore implements ClientStore {
  readonly #db: IDBDatabase;
  readonly #key: CryptoKey;

  private constructor(db: IDBDatabase, key: CryptoKey) {
    this.#db = db;
    this.#key = key;
  }

  static async open(name = "bote"): Promise<IndexedDbClientStore> {
    const db = await openDatabase(name);
    try {
      return new IndexedDbClientStore(db, await loadOrCreateKey(db));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /**
   * Deletes the whole profile database: keys, conversations, messages. For a
   * profile that can only be replaced (profile_outdated). Close every store
   * on it first; other tabs close theirs on the version change.
   */
  static delete(name = "bote"): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () =>
        reject(new ClientStoreError("profile_unreadable", `IndexedDB database "${name}" was not deleted`));
      request.onblocked = () => undefined; // waits for the other connections to close
    });
  }

  async getProfile(): Promise<ProfileRecord | undefined> {
    const raw = await this.#read<StoredProfile | undefined>(PROFILE, (s) => s.get(PROFILE_KEY));
    if (raw === undefined) return undefined;
    // Checked before opening anything: an old profile is outdated, not damaged.
    if (raw.accountSignKey === undefined || raw.organisation === undefined) {
      throw new ClientStoreError(
        "profile_outdated",
        "this profile was written by an older Bote, without the account key and organisation view",
      );
    }
    const at = `${PROFILE}/${PROFILE_KEY}`;
    return {
      serverUrl: raw.serverUrl,
      accountId: raw.accountId,
      deviceId: raw.deviceId,
      role: raw.role,
      organisationId: raw.organisationId,
      organisationName: raw.organisationName,
      device: await this.#open(raw.device, `${at}/device`),
      accountSignKey: await this.#open(raw.accountSignKey, `${at}/accountSignKey`),
      organisationSignKey: await this.#openOptional(raw.organisationSignKey, `${at}/organisationSignKey`),
      organisation: raw.organisation,
    };
  }

  async getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const raw = await this.#read<StoredConversation | undefined>(CONVERSATIONS, (s) => s.get(conversationId));
    return raw && this.#openConversation(raw);
  }

  async listConversations(): Promise<ConversationRecord[]> {
    const all = await this.#read<StoredConversation[]>(CONVERSATIONS, (s) => s.getAll());
    all.sort((a, b) => b.lastActivityAt - a.lastActivityAt || compareText(a.conversationId, b.conversationId));
    return Promise.all(all.map((c) => this.#openConversation(c)));
  }

  async listMessages(conversationId: string, limit?: number): Promise<MessageRecord[]> {
    if (limit !== undefined) {
      // The newest `limit` only, walked back from the end of the chat: a long chat costs no more than a short one.
      const tx = this.#db.transaction(MESSAGES, "readonly");
      const range = IDBKeyRange.bound([conversationId, -Infinity, -Infinity], [conversationId, Infinity, Infinity]);
      const cursor = tx.objectStore(MESSAGES).index(BY_CONVERSATION_ORDER).openCursor(range, "prev");
      const newest = await collect<StoredMessage>(cursor, limit);
      return Promise.all(newest.reverse().map((m) => this.#openMessage(m)));
    }
    const all = await this.#read<StoredMessage[]>(MESSAGES, (s) => s.index(BY_CONVERSATION).getAll(conversationId));
    all.sort((a, b) => a.storedAt - b.storedAt || a.seq - b.seq);
    return Promise.all(all.map((m) => this.#openMessage(m)));
  }

  async getMessage(messageId: string): Promise<MessageRecord | undefined> {
    const raw = await this.#read<StoredMessage | undefined>(MESSAGES, (s) => s.get(messageId));
    return raw && this.#openMessage(raw);
  }

  async listOutbox(): Promise<OutboxRecord[]> {
    const all = await this.#read<StoredOutbox[]>(OUTBOX, (s) => s.getAll());
    all.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
    return Promise.all(
      all.map(async (o) => ({
        outboxId: o.outboxId,
        conversationId: o.conversationId,
        messageId: o.messageId,
        send: await this.#open(o.send, `${OUTBOX}/${o.outboxId}/send`),
        createdAt: o.createdAt,
        attempts: o.attempts,
      })),
    );
  }

  async listUploads(): Promise<UploadRecord[]> {
    const all = await this.#read<StoredUpload[]>(UPLOADS, (s) => s.getAll());
    all.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
    return all.map(({ seq: _seq, ...u }) => ({ ...u, ciphertext: new Uint8Array(u.ciphertext) }));
  }

  async getContact(accountId: string): Promise<ContactRecord | undefined> {
    return this.#read<ContactRecord | undefined>(CONTACTS, (s) => s.get(accountId));
  }

  async listContacts(): Promise<ContactRecord[]> {
    const all = await this.#read<ContactRecord[]>(CONTACTS, (s) => s.getAll());
    return all.sort((a, b) => compareText(a.displayName, b.displayName) || compareText(a.accountId, b.accountId));
  }

  async getKeyPackage(ref: string): Promise<KeyPackageRecord | undefined> {
    const raw = await this.#read<StoredKeyPackage | undefined>(KEY_PACKAGES, (s) => s.get(ref));
    if (raw === undefined) return undefined;
    return {
      ref: raw.ref,
      bundle: await this.#open(raw.bundle, `${KEY_PACKAGES}/${raw.ref}/bundle`),
      lastResort: raw.lastResort,
      createdAt: raw.createdAt,
    };
  }

  async countKeyPackages(): Promise<{ oneTime: number; lastResort: number }> {
    const all = await this.#read<StoredKeyPackage[]>(KEY_PACKAGES, (s) => s.getAll());
    const lastResort = all.filter((k) => k.lastResort).length;
    return { oneTime: all.length - lastResort, lastResort };
  }

  async listLastResortKeyPackages(): Promise<{ ref: string; createdAt: number }[]> {
    return lastResortsOldestFirst(await this.#read<StoredKeyPackage[]>(KEY_PACKAGES, (s) => s.getAll()));
  }

  async hasSeen(key: string): Promise<boolean> {
    return (await this.#read<number>(SEEN, (s) => s.count(key))) > 0;
  }

  async apply(changes: StoreChanges): Promise<void> {
    validateStoreChanges(changes);
    const sealed = await this.#sealChanges(changes);
    const tx = this.#db.transaction(ALL_STORES, "readwrite");
    const done = transactionDone(tx);
    try {
      await writeChanges(tx, sealed, changes);
    } catch (error) {
      abortQuietly(tx);
      await done.catch(() => undefined);
      throw error;
    }
    await done;
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }

  async #read<T>(storeName: string, request: (store: IDBObjectStore) => IDBRequest): Promise<T> {
    const tx = this.#db.transaction(storeName, "readonly");
    return (await requestResult(request(tx.objectStore(storeName)))) as T;
  }

  async #sealChanges(changes: StoreChanges): Promise<SealedChanges> {
    const { profile } = changes;
    const seal = (bytes: Uint8Array, at: string): Promise<Uint8Array> => this.#seal(bytes, at);
    const sealOptional = (bytes: Uint8Array | undefined, at: string): Promise<Uint8Array | undefined> =>
      bytes === undefined ? Promise.resolve(undefined) : seal(bytes, at);
    const at = `${PROFILE}/${PROFILE_KEY}`;
    return {
      profile: profile && {
        ...profile,
        device: await seal(profile.device, `${at}/device`),
        accountSignKey: await seal(profile.accountSignKey, `${at}/accountSignKey`),
        organisationSignKey: await sealOptional(profile.organisationSignKey, `${at}/organisationSignKey`),
        // Not secret: a copy, so the caller changing its array before the write lands changes nothing.
        organisation: new Uint8Array(profile.organisation),
      },
      conversations: await Promise.all(
        (changes.conversations ?? []).map(async (c) => {
          const at = `${CONVERSATIONS}/${c.conversationId}`;
          return {
            ...c,
            state: await seal(c.state, `${at}/state`),
            pendingState: await sealOptional(c.pendingState, `${at}/pendingState`),
          };
        }),
      ),
      messages: await Promise.all(
        (changes.messages ?? []).map(async (m) => ({
          ...m,
          body: await seal(m.body, `${MESSAGES}/${m.messageId}/body`),
        })),
      ),
      outbox: await Promise.all(
        (changes.outboxPut ?? []).map(async (o) => ({
          ...o,
          send: await seal(o.send, `${OUTBOX}/${o.outboxId}/send`),
        })),
      ),
      keyPackages: await Promise.all(
        (changes.keyPackagesPut ?? []).map(async (k) => ({
          ...k,
          bundle: await seal(k.bundle, `${KEY_PACKAGES}/${k.ref}/bundle`),
        })),
      ),
    };
  }

  async #openConversation(c: StoredConversation): Promise<ConversationRecord> {
    const at = `${CONVERSATIONS}/${c.conversationId}`;
    return {
      conversationId: c.conversationId,
      kind: c.kind,
      name: c.name,
      peerAccountId: c.peerAccountId,
      state: await this.#open(c.state, `${at}/state`),
      epoch: c.epoch,
      pendingState: await this.#openOptional(c.pendingState, `${at}/pendingState`),
      active: c.active,
      unread: c.unread,
      lastActivityAt: c.lastActivityAt,
      ...(c.disappearingSeconds === undefined ? {} : { disappearingSeconds: c.disappearingSeconds }),
    };
  }

  async #openMessage(m: StoredMessage): Promise<MessageRecord> {
    return {
      messageId: m.messageId,
      conversationId: m.conversationId,
      direction: m.direction,
      senderAccountId: m.senderAccountId,
      senderName: m.senderName,
      sentAt: m.sentAt,
      storedAt: m.storedAt,
      kind: m.kind,
      body: await this.#open(m.body, `${MESSAGES}/${m.messageId}/body`),
      status: m.status,
      deleted: m.deleted,
    };
  }

  /** nonce (12 bytes) || AES-256-GCM ciphertext and tag, bound to `at`. */
  async #seal(bytes: Uint8Array, at: string): Promise<Uint8Array> {
    const iv = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const params: AesGcmParams = { name: "AES-GCM", iv, additionalData: encoder.encode(at) };
    const sealed = new Uint8Array(await crypto.subtle.encrypt(params, this.#key, new Uint8Array(bytes)));
    const out = new Uint8Array(NONCE_BYTES + sealed.length);
    out.set(iv);
    out.set(sealed, NONCE_BYTES);
    return out;
  }

  /** Fails closed: a value that does not open is a damaged or foreign profile, never silently skipped. */
  async #open(sealed: Uint8Array, at: string): Promise<Uint8Array> {
    try {
      const iv = sealed.slice(0, NONCE_BYTES);
      const params: AesGcmParams = { name: "AES-GCM", iv, additionalData: encoder.encode(at) };
      return new Uint8Array(await crypto.subtle.decrypt(params, this.#key, sealed.slice(NONCE_BYTES)));
    } catch (error) {
      throw new ClientStoreError("profile_unreadable", `${at} does not decrypt under this browser's key`, {
        cause: error,
      });
    }
  }

  async #openOptional(sealed: Uint8Array | undefined, at: string): Promise<Uint8Array | undefined> {
    return sealed === undefined ? undefined : this.#open(sealed, at);
  }
}

// ── schema ────────────────────────────────────────────────────────────────

/** 2: the uploads store. 3: the messages' index in chat order (byConversationOrder). */
const SCHEMA_VERSION = 3;
const KEYS = "keys";
const META = "meta";
const PROFILE = "profile";
const CONVERSATIONS = "conversations";
const MESSAGES = "messages";
const OUTBOX = "outbox";
const UPLOADS = "uploads";
const CONTACTS = "contacts";
const KEY_PACKAGES = "keyPackages";
const SEEN = "seen";
const ALL_STORES = [KEYS, META, PROFILE, CONVERSATIONS, MESSAGES, OUTBOX, UPLOADS, CONTACTS, KEY_PACKAGES, SEEN];
const BY_CONVERSATION = "byConversation";
/** [conversationId, storedAt, seq]: a chat's messages in the order listMessages returns them. */
const BY_CONVERSATION_ORDER = "byConversationOrder";
const PROFILE_KEY = "self";
const WRAPPING_KEY = "wrapping";
/** Next "first stored" number for messages and outbox entries, which keep theirs on upsert. */
const NEXT_SEQ = "nextSeq";
const NONCE_BYTES = 12;
const encoder = new TextEncoder();

/** A profile from before the organisation key chain has neither accountSignKey nor organisation. */
type StoredProfile = Omit<ProfileRecord, "accountSignKey" | "organisation"> & {
  readonly accountSignKey?: Uint8Array;
  readonly organisation?: Uint8Array;
};
type StoredConversation = ConversationRecord;
type StoredMessage = MessageRecord & { readonly seq: number };
type StoredOutbox = OutboxRecord & { readonly seq: number };
type StoredUpload = UploadRecord & { readonly seq: number };
type StoredKeyPackage = KeyPackageRecord;

interface SealedChanges {
  readonly profile: ProfileRecord | undefined;
  readonly conversations: readonly ConversationRecord[];
  readonly messages: readonly MessageRecord[];
  readonly outbox: readonly OutboxRecord[];
  readonly keyPackages: readonly KeyPackageRecord[];
}

function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name, SCHEMA_VERSION);
    request.onupgradeneeded = (event) => {
      // A newer version than this code knows fails with a VersionError before this handler runs.
      const db = request.result;
      if (event.oldVersion < 2) db.createObjectStore(UPLOADS, { keyPath: "messageId" });
      if (event.oldVersion !== 0) {
        request.transaction
          ?.objectStore(MESSAGES)
          .createIndex(BY_CONVERSATION_ORDER, ["conversationId", "storedAt", "seq"]);
        return;
      }
      db.createObjectStore(KEYS);
      db.createObjectStore(META);
      db.createObjectStore(PROFILE);
      db.createObjectStore(CONVERSATIONS, { keyPath: "conversationId" });
      const messages = db.createObjectStore(MESSAGES, { keyPath: "messageId" });
      messages.createIndex(BY_CONVERSATION, "conversationId");
      messages.createIndex(BY_CONVERSATION_ORDER, ["conversationId", "storedAt", "seq"]);
      db.createObjectStore(OUTBOX, { keyPath: "outboxId" });
      db.createObjectStore(CONTACTS, { keyPath: "accountId" });
      db.createObjectStore(KEY_PACKAGES, { keyPath: "ref" });
      db.createObjectStore(SEEN);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab upgrading (a newer Bote) needs this connection gone.
      db.onversionchange = () => db.close();
      if (!ALL_STORES.every((s) => db.objectStoreNames.contains(s))) {
        db.close();
        reject(new ClientStoreError("profile_unreadable", `IndexedDB database "${name}" is not a Bote profile`));
        return;
      }
      resolve(db);
    };
    request.onerror = () => {
      const error = request.error;
      reject(
        error?.name === "VersionError"
          ? new ClientStoreError("profile_too_new", `IndexedDB database "${name}" was written by a newer Bote`, {
              cause: error,
            })
          : new ClientStoreError("profile_unreadable", `IndexedDB database "${name}" does not open`, { cause: error }),
      );
    };
    request.onblocked = () => undefined; // waits for the other connection to close
  });
}

/** The wrapping key: read, or generated once and stored as a non-extractable CryptoKey. */
async function loadOrCreateKey(db: IDBDatabase): Promise<CryptoKey> {
  const read = db.transaction(KEYS, "readonly");
  const existing = (await requestResult(read.objectStore(KEYS).get(WRAPPING_KEY))) as CryptoKey | undefined;
  if (existing !== undefined) return existing;
  const fresh = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  // Another tab may have stored one meanwhile: the first one stored wins.
  const write = db.transaction(KEYS, "readwrite");
  const done = transactionDone(write);
  const store = write.objectStore(KEYS);
  const raced = (await requestResult(store.get(WRAPPING_KEY))) as CryptoKey | undefined;
  if (raced === undefined) store.put(fresh, WRAPPING_KEY);
  await done;
  return raced ?? fresh;
}

/** Puts before deletes; messages and outbox entries keep their first-stored number on upsert. */
async function writeChanges(tx: IDBTransaction, sealed: SealedChanges, changes: StoreChanges): Promise<void> {
  if (sealed.profile) tx.objectStore(PROFILE).put(sealed.profile, PROFILE_KEY);
  const conversations = tx.objectStore(CONVERSATIONS);
  for (const c of sealed.conversations) conversations.put(c);
  const meta = tx.objectStore(META);
  let nextSeq = ((await requestResult(meta.get(NEXT_SEQ))) as number | undefined) ?? 0;
  const messages = tx.objectStore(MESSAGES);
  for (const m of sealed.messages) {
    const old = (await requestResult(messages.get(m.messageId))) as StoredMessage | undefined;
    messages.put({ ...m, seq: old?.seq ?? nextSeq++ });
  }
  const outbox = tx.objectStore(OUTBOX);
  for (const o of sealed.outbox) {
    const old = (await requestResult(outbox.get(o.outboxId))) as StoredOutbox | undefined;
    outbox.put({ ...o, seq: old?.seq ?? nextSeq++ });
  }
  const uploads = tx.objectStore(UPLOADS);
  for (const u of changes.uploadsPut ?? []) {
    const old = (await requestResult(uploads.get(u.messageId))) as StoredUpload | undefined;
    // A copy: the caller changing its array before the write lands changes nothing.
    uploads.put({ ...u, ciphertext: new Uint8Array(u.ciphertext), seq: old?.seq ?? nextSeq++ });
  }
  meta.put(nextSeq, NEXT_SEQ);
  for (const id of changes.outboxDelete ?? []) outbox.delete(id);
  for (const id of changes.uploadsDelete ?? []) uploads.delete(id);
  const contacts = tx.objectStore(CONTACTS);
  for (const c of changes.contacts ?? []) contacts.put(c);
  const keyPackages = tx.objectStore(KEY_PACKAGES);
  for (const k of sealed.keyPackages) keyPackages.put(k);
  for (const ref of changes.keyPackagesDelete ?? []) keyPackages.delete(ref);
  const seen = tx.objectStore(SEEN);
  for (const key of changes.seen ?? []) seen.put(1, key);
  for (const id of changes.messagesDelete ?? []) messages.delete(id);
  for (const id of changes.conversationsDelete ?? []) await deleteConversation(tx, id);
}

/** A conversation and everything of it but its dedupe keys; the sealed values go with their records. */
async function deleteConversation(tx: IDBTransaction, conversationId: string): Promise<void> {
  tx.objectStore(CONVERSATIONS).delete(conversationId);
  await deleteEach(tx.objectStore(MESSAGES).index(BY_CONVERSATION).openCursor(conversationId), () => true);
  // Outbox entries and uploads have no index by conversation: a device holds few of them.
  const ofIt = (record: { conversationId: string }) => record.conversationId === conversationId;
  await deleteEach(tx.objectStore(OUTBOX).openCursor(), ofIt);
  await deleteEach(tx.objectStore(UPLOADS).openCursor(), ofIt);
}

/** Walks a cursor to its end, deleting each record `match` takes. */
function deleteEach(
  request: IDBRequest<IDBCursorWithValue | null>,
  match: (record: { conversationId: string }) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor === null) {
        resolve();
        return;
      }
      if (match(cursor.value as { conversationId: string })) cursor.delete();
      cursor.continue();
    };
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

/** Up to `limit` values of a cursor, in its direction. */
function collect<T>(request: IDBRequest<IDBCursorWithValue | null>, limit: number): Promise<T[]> {
  const values: T[] = [];
  return new Promise((resolve, reject) => {
    request.onsuccess = () => {
      const cursor = request.result;
      if (cursor === null || values.length >= limit) {
        resolve(values);
        return;
      }
      values.push(cursor.value as T);
      if (values.length >= limit) resolve(values);
      else cursor.continue();
    };
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function requestResult(request: IDBRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

function abortQuietly(tx: IDBTransaction): void {
  try {
    tx.abort();
  } catch {
    // Already finished or aborted: nothing left to undo.
  }
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
