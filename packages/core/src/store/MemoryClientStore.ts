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
} from "./ClientStore.js";
import { validateStoreChanges } from "./validateStoreChanges.js";

/**
 * A ClientStore in memory: for tests, and the reference the contract suite
 * holds the durable backends to. Records are copied in and out, so a caller
 * mutating its bytes never changes what is stored. Maps keep insertion order
 * (an upsert keeps a record's place), which is the "first stored" tie-break.
 */
export class MemoryClientStore implements ClientStore {
  #profile: ProfileRecord | undefined;
  readonly #conversations = new Map<string, ConversationRecord>();
  readonly #messages = new Map<string, MessageRecord>();
  readonly #outbox = new Map<string, OutboxRecord>();
  readonly #uploads = new Map<string, UploadRecord>();
  readonly #contacts = new Map<string, ContactRecord>();
  readonly #keyPackages = new Map<string, KeyPackageRecord>();
  readonly #seen = new Set<string>();

  getProfile(): Promise<ProfileRecord | undefined> {
    return Promise.resolve(this.#profile && copyProfile(this.#profile));
  }

  getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const found = this.#conversations.get(conversationId);
    return Promise.resolve(found && copyConversation(found));
  }

  listConversations(): Promise<ConversationRecord[]> {
    const all = [...this.#conversations.values()].sort(byActivity).map(copyConversation);
    return Promise.resolve(all);
  }

  listMessages(conversationId: string, limit?: number): Promise<MessageRecord[]> {
    const all = [...this.#messages.values()].filter((m) => m.conversationId === conversationId);
    all.sort((a, b) => a.storedAt - b.storedAt); // stable: ties stay in the order first stored
    const newest = limit === undefined ? all : all.slice(Math.max(0, all.length - limit));
    return Promise.resolve(newest.map(copyMessage));
  }

  getMessage(messageId: string): Promise<MessageRecord | undefined> {
    const found = this.#messages.get(messageId);
    return Promise.resolve(found && copyMessage(found));
  }

  listOutbox(): Promise<OutboxRecord[]> {
    const all = [...this.#outbox.values()].sort((a, b) => a.createdAt - b.createdAt);
    return Promise.resolve(all.map(copyOutbox));
  }

  listUploads(): Promise<UploadRecord[]> {
    const all = [...this.#uploads.values()].sort((a, b) => a.createdAt - b.createdAt);
    return Promise.resolve(all.map((u) => ({ ...u, ciphertext: copyBytes(u.ciphertext) })));
  }

  getContact(accountId: string): Promise<ContactRecord | undefined> {
    const found = this.#contacts.get(accountId);
    return Promise.resolve(found && copyContact(found));
  }

  listContacts(): Promise<ContactRecord[]> {
    return Promise.resolve([...this.#contacts.values()].sort(byName).map(copyContact));
  }

  getKeyPackage(ref: string): Promise<KeyPackageRecord | undefined> {
    const found = this.#keyPackages.get(ref);
    return Promise.resolve(found && copyKeyPackage(found));
  }

  countKeyPackages(): Promise<{ oneTime: number; lastResort: number }> {
    let lastResort = 0;
    for (const k of this.#keyPackages.values()) if (k.lastResort) lastResort += 1;
    return Promise.resolve({ oneTime: this.#keyPackages.size - lastResort, lastResort });
  }

  listLastResortKeyPackages(): Promise<{ ref: string; createdAt: number }[]> {
    return Promise.resolve(lastResortsOldestFirst([...this.#keyPackages.values()]));
  }

  hasSeen(key: string): Promise<boolean> {
    return Promise.resolve(this.#seen.has(key));
  }

  apply(changes: StoreChanges): Promise<void> {
    // The executor turns a validation throw into a rejection.
    return new Promise((resolve) => {
      validateStoreChanges(changes);
      // Past validation nothing below can throw, so the batch lands whole.
      if (changes.profile) this.#profile = copyProfile(changes.profile);
      for (const c of changes.conversations ?? []) this.#conversations.set(c.conversationId, copyConversation(c));
      for (const m of changes.messages ?? []) this.#messages.set(m.messageId, copyMessage(m));
      for (const o of changes.outboxPut ?? []) this.#outbox.set(o.outboxId, copyOutbox(o));
      for (const id of changes.outboxDelete ?? []) this.#outbox.delete(id);
      for (const u of changes.uploadsPut ?? [])
        this.#uploads.set(u.messageId, { ...u, ciphertext: copyBytes(u.ciphertext) });
      for (const id of changes.uploadsDelete ?? []) this.#uploads.delete(id);
      for (const c of changes.contacts ?? []) this.#contacts.set(c.accountId, copyContact(c));
      for (const k of changes.keyPackagesPut ?? []) this.#keyPackages.set(k.ref, copyKeyPackage(k));
      for (const ref of changes.keyPackagesDelete ?? []) this.#keyPackages.delete(ref);
      for (const key of changes.seen ?? []) this.#seen.add(key);
      for (const id of changes.messagesDelete ?? []) this.#messages.delete(id);
      for (const id of changes.conversationsDelete ?? []) this.#deleteConversation(id);
      resolve();
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #deleteConversation(conversationId: string): void {
    this.#conversations.delete(conversationId);
    for (const records of [this.#messages, this.#outbox, this.#uploads]) {
      for (const [key, record] of records) if (record.conversationId === conversationId) records.delete(key);
    }
  }
}

function byActivity(a: ConversationRecord, b: ConversationRecord): number {
  return b.lastActivityAt - a.lastActivityAt || compareText(a.conversationId, b.conversationId);
}

function byName(a: ContactRecord, b: ContactRecord): number {
  return compareText(a.displayName, b.displayName) || compareText(a.accountId, b.accountId);
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function copyOptionalBytes(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes && new Uint8Array(bytes);
}

function copyProfile(p: ProfileRecord): ProfileRecord {
  return {
    ...p,
    device: copyBytes(p.device),
    accountSignKey: copyBytes(p.accountSignKey),
    organisationSignKey: copyOptionalBytes(p.organisationSignKey),
    organisation: copyBytes(p.organisation),
  };
}

function copyConversation(c: ConversationRecord): ConversationRecord {
  return { ...c, state: copyBytes(c.state), pendingState: copyOptionalBytes(c.pendingState) };
}

function copyMessage(m: MessageRecord): MessageRecord {
  return { ...m, body: copyBytes(m.body) };
}

function copyOutbox(o: OutboxRecord): OutboxRecord {
  return { ...o, send: copyBytes(o.send) };
}

function copyContact(c: ContactRecord): ContactRecord {
  return { ...c, devices: c.devices.map((d) => ({ ...d })) };
}

function copyKeyPackage(k: KeyPackageRecord): KeyPackageRecord {
  return { ...k, bundle: copyBytes(k.bundle) };
}

/** Last-resort key packages as ClientStore.listLastResortKeyPackages orders them. */
export function lastResortsOldestFirst(all: readonly KeyPackageRecord[]): { ref: string; createdAt: number }[] {
  return all
    .filter((k) => k.lastResort)
    .map((k) => ({ ref: k.ref, createdAt: k.createdAt }))
    .sort((a, b) => a.createdAt - b.createdAt || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}
