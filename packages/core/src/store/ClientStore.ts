/**
 * Where a device keeps everything it knows: its identity, the MLS state of
 * each conversation, the messages, the outbox and its contacts. One port, so
 * the SDK runs unchanged on SQLite (Node: CLI, bench) and IndexedDB (web).
 *
 * Writes go through `apply`, which is atomic: a batch is stored completely or
 * not at all. That is what lets the SDK keep its two promises — a group state
 * is on disk before any ciphertext made with it leaves the device, and an
 * envelope is acknowledged only after what it carried is stored.
 *
 * Ids are unpadded base64url strings (the wire's spelling), times are
 * milliseconds since 1970 UTC. Byte fields hold secrets (group state, keys):
 * an implementation stores them as given and never logs them.
 */
export interface ClientStore {
  getProfile(): Promise<ProfileRecord | undefined>;
  getConversation(conversationId: string): Promise<ConversationRecord | undefined>;
  /** Most recent activity first (ties by conversationId). */
  listConversations(): Promise<ConversationRecord[]>;
  /**
   * Oldest first by `storedAt` (ties in the order first stored); with `limit`,
   * the newest `limit` messages (still oldest first).
   */
  listMessages(conversationId: string, limit?: number): Promise<MessageRecord[]>;
  getMessage(messageId: string): Promise<MessageRecord | undefined>;
  /**
   * Oldest first by `createdAt` (ties in the order first stored), so a resend
   * keeps the order messages were written in.
   */
  listOutbox(): Promise<OutboxRecord[]>;
  /** Oldest first by `createdAt` (ties in the order first stored), as the files were picked. */
  listUploads(): Promise<UploadRecord[]>;
  getContact(accountId: string): Promise<ContactRecord | undefined>;
  /** By display name, then account id (UTF-16 code-unit order, the same on every machine). */
  listContacts(): Promise<ContactRecord[]>;
  getKeyPackage(ref: string): Promise<KeyPackageRecord | undefined>;
  countKeyPackages(): Promise<{ oneTime: number; lastResort: number }>;
  /**
   * The last-resort key packages held, without their private halves: the
   * current one and replaced ones kept for late Welcomes. Oldest first by
   * `createdAt`, then by ref.
   */
  listLastResortKeyPackages(): Promise<{ ref: string; createdAt: number }[]>;
  /** Whether a dedupe key was recorded by an earlier `apply` (see StoreChanges.seen). */
  hasSeen(key: string): Promise<boolean>;
  /**
   * Applies every part of `changes` in one transaction; within it puts come
   * before deletes (an outbox entry put and deleted in one batch is gone).
   * An upsert keeps a record's place in the "order first stored".
   *
   * Before it stores anything, `apply` checks the whole batch
   * (validateStoreChanges): ids, the profile's serverUrl and every dedupe key
   * are non-empty strings; byte fields are Uint8Arrays (optional ones may be
   * undefined); epochs, times and counts are safe integers. Any fault rejects
   * with ClientStoreError "store_changes_invalid" (its `path` names the field)
   * and nothing at all is stored. Stored bytes are copies: changing an array
   * after `apply`, or one a getter returned, never changes the store.
   */
  apply(changes: StoreChanges): Promise<void>;
  close(): Promise<void>;
}

export interface StoreChanges {
  readonly profile?: ProfileRecord;
  /** Upserts by conversationId. */
  readonly conversations?: readonly ConversationRecord[];
  /** Upserts by messageId. */
  readonly messages?: readonly MessageRecord[];
  /** Upserts by outboxId. */
  readonly outboxPut?: readonly OutboxRecord[];
  readonly outboxDelete?: readonly string[];
  /** Upserts by messageId. */
  readonly uploadsPut?: readonly UploadRecord[];
  /** By messageId. */
  readonly uploadsDelete?: readonly string[];
  /** Upserts by accountId. */
  readonly contacts?: readonly ContactRecord[];
  /** Upserts by ref. */
  readonly keyPackagesPut?: readonly KeyPackageRecord[];
  readonly keyPackagesDelete?: readonly string[];
  /** Dedupe keys to remember (adding one twice is not an error). */
  readonly seen?: readonly string[];
  /**
   * Forgets conversations on this device (an inquiry past its retention):
   * the record, its messages, outbox entries and uploads. After every put,
   * so a record put in the same batch is gone too. Dedupe keys stay, so an
   * old envelope delivered again is not taken for a new one. An unknown id
   * is no error.
   */
  readonly conversationsDelete?: readonly string[];
  /**
   * Deletes messages by messageId (expired under a disappearing timer), after
   * every put and before conversationsDelete. Only the records: a caller
   * that wants a message's upload or reactions gone names them too. Dedupe
   * keys stay, so the message cannot come back. An unknown id is no error.
   */
  readonly messagesDelete?: readonly string[];
}

export type Role = "admin" | "member";

/** The one device this store belongs to. */
export interface ProfileRecord {
  /** Base URL of the Bote server, e.g. "https://bote.example.de/". */
  readonly serverUrl: string;
  readonly accountId: string;
  readonly deviceId: string;
  readonly role: Role;
  readonly organisationId: string;
  readonly organisationName: string;
  /** encodeDevice(): signature key pair, credential (account and device certificates), delivery address, suite. */
  readonly device: Uint8Array;
  /** The account key's Ed25519 seed: certifies this person's devices. Secret. */
  readonly accountSignKey: Uint8Array;
  /** The organisation key's Ed25519 seed, only on admin devices that received it. Secret. */
  readonly organisationSignKey: Uint8Array | undefined;
  /**
   * encodeOrganisationView(): the trust anchor and rotations, the account
   * key accepted per account, used invitations, revocations. Not secret, but
   * it is what this device trusts: it changes only through verified statements.
   */
  readonly organisation: Uint8Array;
}

/**
 * "inquiry": a group a contact point's customer (a guest) made with the
 * staff; "inquiry_staff": the staff-only group where status, assignment and
 * notes of one inquiry are kept (docs/PROTOCOL.md §18).
 */
export type ConversationKind = "direct" | "group" | "inquiry" | "inquiry_staff";

export interface ConversationRecord {
  /** The MLS group id. */
  readonly conversationId: string;
  readonly kind: ConversationKind;
  /** The group's name; for a direct chat the other person's display name. */
  readonly name: string;
  /** For a direct chat: the other account. */
  readonly peerAccountId: string | undefined;
  /** encodeConversation() of the current epoch. */
  readonly state: Uint8Array;
  readonly epoch: number;
  /**
   * A commit this device sent and the server has not answered yet: the state
   * after it. It becomes `state` when the server accepts, and is dropped when
   * another member's commit wins the epoch.
   */
  readonly pendingState: Uint8Array | undefined;
  /** False once this device was removed or left: history stays readable, nothing is sent. */
  readonly active: boolean;
  readonly unread: number;
  readonly lastActivityAt: number;
  /**
   * The chat's disappearing-message timer in seconds, as the latest
   * DisappearingTimer content set it; absent or 0: off.
   */
  readonly disappearingSeconds?: number;
}

export type MessageDirection = "in" | "out";

/**
 * queued: stored, not yet accepted by the server; sent: the server stored it;
 * delivered/read: a member's end-to-end receipt said so; received: incoming;
 * failed: the server refused it for every recipient (Zustellung fehlgeschlagen) and it will not be sent again.
 */
export type MessageStatus = "queued" | "sent" | "delivered" | "read" | "received" | "failed";

export interface MessageRecord {
  /** The content's message id (the end-to-end dedupe key). */
  readonly messageId: string;
  readonly conversationId: string;
  readonly direction: MessageDirection;
  readonly senderAccountId: string;
  readonly senderName: string;
  /** The sender's clock (display only). */
  readonly sentAt: number;
  /** This device's clock when it stored the message. */
  readonly storedAt: number;
  /**
   * "content": `body` is the encoded end-to-end Content (text, attachment, …)
   * as last edited; "event": `body` is UTF-8 JSON describing a membership
   * change the UI shows as a line of its own.
   */
  readonly kind: "content" | "event";
  readonly body: Uint8Array;
  readonly status: MessageStatus;
  readonly deleted: boolean;
}

export interface OutboxRecord {
  /** The relay's message id for this send: a resend with it is stored once. */
  readonly outboxId: string;
  readonly conversationId: string;
  /** The content message id it carries, if any, so its status can follow the send. */
  readonly messageId: string | undefined;
  /** An encoded relay Send without request id: recipients, payload, commit guard, Welcome. */
  readonly send: Uint8Array;
  readonly createdAt: number;
  readonly attempts: number;
}

/**
 * A chat line stored before it could be encrypted. Mostly a file encrypted
 * but not uploaded yet (picked while offline, or the upload broke off): its
 * ciphertext waits here, beside its message (status queued, the
 * attachment's blob id all zeros), until an upload gives the blob id and
 * the message goes to the outbox. The key is inside the message, never here.
 * A text (or a streamed file) written in a chat where a file waits has an
 * empty `ciphertext`: it only waits its turn, so it leaves after that file.
 */
export interface UploadRecord {
  /** The message that carries the attachment. */
  readonly messageId: string;
  readonly conversationId: string;
  /** The attachment's ciphertext as uploadBlob takes it (AES-256-GCM chunks); empty for a line waiting its turn. */
  readonly ciphertext: Uint8Array;
  readonly createdAt: number;
}

export type DeviceTrust = "organisation" | "verified" | "unverified" | "unknown";

export interface ContactDevice {
  readonly devicePublicKey: string;
  readonly trust: DeviceTrust;
  readonly firstSeenAt: number;
}

export interface ContactRecord {
  readonly accountId: string;
  readonly displayName: string;
  /** Every device key ever seen for this account, so a new one can be shown, never silently accepted. */
  readonly devices: readonly ContactDevice[];
}

/** The private half of a key package this device uploaded, until a Welcome uses it. */
export interface KeyPackageRecord {
  /** The MLS KeyPackageRef, as a Welcome names it. */
  readonly ref: string;
  /** encodeKeyPackageBundle(). */
  readonly bundle: Uint8Array;
  readonly lastResort: boolean;
  readonly createdAt: number;
}
