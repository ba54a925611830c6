import {
  ClientStoreError,
  decodeDevice,
  decodeOrganisationView,
  encodeOrganisationView,
  type AuditEntry,
  type OrganisationView,
  type RecoveryKit,
  createRecoveryKit,
  formatRecoveryCode,
  hasPendingProposals,
  commitPendingProposals,
  leaveConversation,
  readPendingRemovals,
  readRoster,
  restoreConversation,
  type ClientStore,
  type ConversationRecord,
  type Device,
  type MessageRecord,
  type ProfileRecord,
  type DeviceTrust,
} from "@bote/core";
import { create } from "@bufbuild/protobuf";
import {
  decodeInvitationCertificate,
  MAX_RECEIPT_TARGETS,
  Receipt_Kind,
  ReceiptSchema,
  TextSchema,
  type ContactPoint,
  type InvitationsResponse,
  type OrganisationSettings,
  type PersonErasureResponse,
  type PersonExportResponse,
  type PrivacyDocument,
  type PrivacyDocumentResponse,
  type Role,
} from "@bote/protocol";
import { ClientError, isOffline } from "./clientError.js";
import { setDeviceTrust } from "./contacts.js";
import type { ClientContext } from "./context.js";
import { startDeviceLink, type DeviceLinkOffer } from "./deviceLinking.js";
import {
  addOwnDeviceToChats,
  addToConversation,
  createConversationWith,
  directChatWith,
  removeFromConversation,
  renameGroup,
} from "./conversations.js";
import { Emitter, type ClientEvents } from "./events.js";
import { processEntries } from "./incoming.js";
import { fetchPendingEntries } from "./pendingEntries.js";
import { topUpKeyPackages } from "./keyPackageStock.js";
import { flushOutbox, runCommit, sendContent } from "./outgoing.js";
import { QUEUE_LIMIT_BYTES } from "./waitingLines.js";
import type { Transport } from "./ports.js";
import { eventMessage, isChatLine, readContent } from "./records.js";
import { sendHandshake } from "./handshake.js";
import { bytesOfId, deleteOwnMessage, editOwnMessage, reactTo } from "./messageChanges.js";
import { downloadFile, isWaiting, readAttachment, sendFile, sendUploads, type OutgoingFile } from "./attachments.js";
import { RelayConnection, type ConnectionState } from "./RelayConnection.js";
import { searchMessages, type SearchHit, type SearchOptions } from "./search.js";
import { Serial } from "./serial.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";
import { Session, type SessionCache } from "./session.js";
import { createTrustPolicyFor } from "./trust.js";
import {
  confirmProvisionalAccounts,
  ownRevocation,
  removeRevokedMembers,
  shareOrganisationKey,
  syncOrganisation,
} from "./organisation.js";
import { directoryEntry, type DirectoryEntry } from "./directory.js";
import { readAuditLog } from "./auditLog.js";
import { completeSetup, readOrganisationSettings, type SetupInput } from "./organisationSetup.js";
import { describe, listInvitations, recertify, revoke, rotate } from "./administration.js";
import {
  createInvitationLink,
  createInvitationLinks,
  currentOrganisationKey,
  type InvitationRequest,
  type MadeInvitation,
} from "./invitations.js";
import { erasePerson, exportPerson, formerMembers, type FormerMember } from "./privacy.js";
import { b64 } from "./ids.js";
import { publishContactPoint, type ContactPointInfo, type ContactPointInput } from "./contactPoints.js";
import { createInquiryGroup } from "./inquiryGroup.js";
import { currentPolicy, setPolicy, type EffectivePolicy } from "./policy.js";
import { syncInquiryStaff } from "./inquiryStaff.js";
import {
  customerOf,
  listInbox,
  listNotes,
  readInquiry,
  updateInquiry,
  type InquiryChange,
  type InquiryNote,
  type InquiryStatus,
  type InquirySummary,
} from "./inbox.js";
import { SWEEP_INTERVAL_MS, sweepInquiries } from "./inquiryRetention.js";
import { DisappearingSweeper, setDisappearingTimer, sweepExpired, type Expired } from "./disappearing.js";

export interface OpenOptions {
  readonly store: ClientStore;
  readonly transport: Transport;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sessionCache?: SessionCache;
  /** Send end-to-end delivery receipts for stored messages (default: yes). */
  readonly deliveryReceipts?: boolean;
  /** What files queued with `queue` may hold in the store together, in ciphertext bytes (default QUEUE_LIMIT_BYTES). */
  readonly queueLimitBytes?: number;
  /**
   * Deletes this device's local data (the store's database or directory),
   * after the store is closed. Called once when the organisation deactivated
   * this device and its policy says a deactivated device wipes its data.
   */
  readonly wipe?: () => Promise<void>;
}

/** The WebSocket URL of a server: same host, ws(s) scheme, /v1/ws. */
export function socketUrl(serverUrl: string): string {
  const url = new URL("v1/ws", serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/**
 * One device's view of Bote: its conversations, messages and contacts, kept
 * in a ClientStore, and the connection that keeps them current. The web app
 * and the CLI use this class and its events; nothing here touches a DOM or
 * Node API directly (see ports.ts).
 */
export class BoteClient {
  private readonly events = new Emitter();
  private readonly serial = new Serial();
  private readonly ctx: ClientContext;
  private readonly connection: RelayConnection;
  private readonly session: Session;
  private profileRecord: ProfileRecord;
  private deviceRecord: Device;
  private organisationView: OrganisationView;
  // Profile writes (a learned account key, a synced log) go out one after another, each with the latest view.
  private profileWrites: Promise<unknown> = Promise.resolve();
  private background: Promise<unknown> = Promise.resolve();
  private lastSweepAt: number | undefined;
  private readonly wipe: (() => Promise<void>) | undefined;
  private wiping: Promise<void> | undefined;
  private readonly sweeper: DisappearingSweeper;

  readonly store: ClientStore;

  private constructor(options: OpenOptions, profile: ProfileRecord, device: Device, organisation: OrganisationView) {
    const { store, transport, random } = options;
    const now = options.now ?? Date.now;
    this.store = store;
    this.profileRecord = profile;
    this.deviceRecord = device;
    this.organisationView = organisation;
    this.wipe = options.wipe;
    const organisationHolder = {
      current: () => this.organisationView,
      update: (view: OrganisationView) => this.updateOrganisation(view),
    };
    this.session = new Session(
      new ServerApi(transport.http, profile.serverUrl),
      profile.deviceId,
      () => this.deviceRecord,
      now,
      options.sessionCache,
    );
    this.connection = new RelayConnection({
      url: socketUrl(profile.serverUrl),
      openSocket: transport.openSocket,
      sessionToken: (renew) => this.session.sessionToken(renew),
      onEntries: async (entries) => {
        await processEntries(this.ctx, entries);
        this.sweepSoon();
      },
      onKeyPackagesLow: (notice) => {
        if (!this.isGuest) this.inBackground(() => topUpKeyPackages(this.ctx, notice));
      },
      onRevoked: () => this.onDeactivated(this.deactivated ?? "device"),
      onOrganisationChanged: (seq) => {
        if (!this.isGuest && seq > this.organisationView.logSeq) this.inBackground(() => this.syncOrganisation());
      },
      onState: (state) => {
        this.events.emit("connection", state);
        if (state === "open") {
          this.inBackground(async () => {
            await flushOutbox(this.ctx);
            await sendUploads(this.ctx);
          });
        }
      },
      ...(random === undefined ? {} : { random }),
    });
    this.ctx = {
      store,
      session: this.session,
      connection: this.connection,
      serial: this.serial,
      events: this.events,
      trust: createTrustPolicyFor(store, () => this.profileRecord, organisationHolder, now),
      now,
      queueLimitBytes: options.queueLimitBytes ?? QUEUE_LIMIT_BYTES,
      onProposal: (conversationId) => this.inBackground(() => this.commitProposals(conversationId)),
      onDelivered: (conversationId, messageIds) => {
        if (options.deliveryReceipts === false) return;
        this.inBackground(() => this.sendReceiptIfMember(conversationId, "delivered", messageIds));
      },
      profile: () => this.profileRecord,
      device: () => this.deviceRecord,
      organisation: () => this.organisationView,
      updateOrganisation: (view) => this.updateOrganisation(view),
      keepOrganisationKey: (signKey) => this.updateProfile({ organisationSignKey: signKey }),
    };
    this.sweeper = new DisappearingSweeper(this.ctx, (task) => this.inBackground(task));
    this.events.on("message", (message) => {
      this.sweeper.noteMessage(message);
      // A colleague erased a customer's data: it goes from this device now, not at the hourly sweep.
      const body = message.kind === "content" ? readContent(message)?.body : undefined;
      if (body?.case === "inquiryUpdate" && body.value.erased === true && !this.isGuest) {
        this.inBackground(() => sweepInquiries(this.ctx, this.ctx.now()));
      }
    });
    // On start: whatever expired while the client was closed goes first.
    this.sweeper.start();
  }

  private updateOrganisation(view: OrganisationView): Promise<void> {
    this.organisationView = view;
    const write = this.profileWrites.then(async () => {
      const role = view.accounts.get(this.profileRecord.accountId)?.certificate.role ?? this.profileRecord.role;
      this.profileRecord = { ...this.profileRecord, role, organisation: encodeOrganisationView(this.organisationView) };
      await this.store.apply({ profile: this.profileRecord });
    });
    this.profileWrites = write.catch(() => undefined);
    return write;
  }

  /** Opens the device stored in `store`; fails with profile_missing before `bote join`. */
  static async open(options: OpenOptions): Promise<BoteClient> {
    let profile: ProfileRecord | undefined;
    try {
      profile = await options.store.getProfile();
    } catch (err) {
      // A profile of an older Bote (or a damaged one) is the person's to act on: a coded, translated error.
      if (err instanceof ClientStoreError && err.code !== "store_changes_invalid") {
        throw new ClientError(err.code, err.message, { cause: err });
      }
      throw err;
    }
    if (profile === undefined) throw new ClientError("profile_missing");
    const device = decodeDevice(profile.device);
    if (!device.ok) throw new ClientError("profile_missing", `stored device: ${device.error.field}`);
    let organisation: OrganisationView;
    try {
      organisation = decodeOrganisationView(profile.organisation);
    } catch (err) {
      // Trust state fails closed: a damaged view is never replaced by whatever the server says.
      throw new ClientError("profile_unreadable", "stored organisation view", { cause: err });
    }
    return new BoteClient(options, profile, device.value, organisation);
  }

  get profile(): ProfileRecord {
    return this.profileRecord;
  }

  get device(): Device {
    return this.deviceRecord;
  }

  /**
   * A contact point's customer (docs/PROTOCOL.md §18): one inquiry, no
   * organisation log, no directory, no key packages (nobody adds a guest).
   */
  get isGuest(): boolean {
    return this.deviceRecord.credential.accountCertificate.issuer.kind === "guest";
  }

  get connectionState(): ConnectionState {
    return this.connection.connectionState;
  }

  /** Finds messages on this device by words of their text, caption or file name (see search.ts). */
  search(query: string, options?: SearchOptions): Promise<SearchHit[]> {
    return searchMessages(this.ctx.store, query, options);
  }

  /** The network is back (the browser's `online` event): a waiting reconnect tries now, not at its backoff. */
  reconnectNow(): void {
    this.connection.retryNow();
  }

  on<K extends keyof ClientEvents>(event: K, handler: (payload: ClientEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }

  get organisation(): OrganisationView {
    return this.organisationView;
  }

  /**
   * Says so, and wipes this device's data if the policy (as last learned:
   * a revoked device cannot read the log any more) asks for it.
   */
  private onDeactivated(reason: "account" | "device"): void {
    const wipe = this.policy.wipeOnDeactivation && this.wipe !== undefined;
    if (wipe && this.wiping === undefined) {
      const erase = this.wipe;
      this.wiping = (async () => {
        this.connection.stop();
        await this.idle().catch(() => undefined);
        await this.store.close();
        await erase?.();
      })();
      this.wiping.then(
        () => this.events.emit("wiped", { reason }),
        (err: unknown) => this.events.emit("problem", { code: "internal", detail: `wipe: ${String(err)}` }),
      );
    }
    this.events.emit("deactivated", { reason, wipe });
  }

  /** Resolves when a wipe started by a deactivation has finished (at once if none started). */
  async wiped(): Promise<boolean> {
    if (this.wiping === undefined) return false;
    await this.wiping;
    return true;
  }

  /**
   * The organisation's policy as this device enforces it, with who set it
   * and when; the defaults while the organisation set none.
   */
  get policy(): EffectivePolicy {
    return currentPolicy(this.ctx);
  }

  /** Reads the organisation's signed log first, then returns the policy in force. */
  async fetchPolicy(): Promise<EffectivePolicy> {
    await this.session.sessionToken();
    await syncOrganisation(this.ctx);
    return this.policy;
  }

  /**
   * Admins: signs and publishes a policy that changes only the given rules
   * of the newest one (the log is read first, so no colleague's change is undone).
   */
  async setPolicy(changes: Partial<Omit<EffectivePolicy, "setBy" | "setAt">>): Promise<EffectivePolicy> {
    await this.fetchPolicy();
    return setPolicy(this.ctx, changes);
  }

  /** The organisation revoked this device or its account (seen in its signed log, or refused at login). */
  get deactivated(): "account" | "device" | undefined {
    return ownRevocation(this.organisationView, this.ctx);
  }

  /**
   * Logs in, reads the organisation's signed log, keeps the key package
   * stock up, opens the socket and sends what the outbox holds. A device the
   * organisation revoked gets `device_revoked` and a `deactivated` event.
   */
  async connect(): Promise<void> {
    try {
      await this.session.sessionToken();
    } catch (err) {
      if (err instanceof ClientError && (err.code === "device_revoked" || err.code === "inquiry_gone")) {
        this.onDeactivated(this.deactivated ?? "device");
      }
      throw err;
    }
    if (!this.isGuest) {
      await this.syncOrganisation();
      await topUpKeyPackages(this.ctx);
    }
    await this.connection.start();
  }

  /**
   * Applies the organisation's log and directory, then does what follows:
   * an admin device confirms provisional accounts, every device removes
   * revoked members from its groups (in the background).
   */
  async syncOrganisation(): Promise<void> {
    // A guest may not read the log: its view is the contact point it wrote to.
    if (this.isGuest) return;
    await syncOrganisation(this.ctx);
    const revoked = this.deactivated;
    if (revoked !== undefined) {
      this.onDeactivated(revoked);
      return;
    }
    this.inBackground(async () => {
      await confirmProvisionalAccounts(this.ctx);
      await removeRevokedMembers(this.ctx);
      await shareOrganisationKey(this.ctx);
      await syncInquiryStaff(this.ctx);
    });
  }

  /**
   * Connects, processes and acknowledges everything queued for this device,
   * sends the outbox, and returns the messages that arrived meanwhile.
   */
  async sync(): Promise<MessageRecord[]> {
    const arrived: MessageRecord[] = [];
    const off = this.on("message", (m) => {
      if (m.direction === "in") arrived.push(m);
    });
    try {
      if (this.connection.connectionState === "open") {
        // Connected already: the backlog was pushed at Hello, and live entries are processed as they come.
        await this.connection.settled();
      } else {
        const caughtUp = this.connection.caughtUp();
        await this.connect();
        await caughtUp;
      }
      this.sweepSoon();
      await this.idle();
    } finally {
      off();
    }
    return arrived;
  }

  /**
   * Without a socket, for a service worker woken by a push: logs in, applies
   * the organisation's signed log (so a revoked member's messages are
   * dropped), fetches what waits over HTTP, processes, stores and
   * acknowledges it, and returns the incoming records it stored or changed.
   * Receipts and commits this causes wait in the outbox for the next connection.
   */
  async fetchPending(): Promise<MessageRecord[]> {
    const arrived: MessageRecord[] = [];
    const off = this.on("message", (m) => {
      if (m.direction === "in") arrived.push(m);
    });
    try {
      await this.session.sessionToken();
      // The log only: the follow-ups (commits removing revoked members) need the socket and wait for it.
      if (!this.isGuest) await syncOrganisation(this.ctx);
      if (this.deactivated !== undefined) return [];
      await fetchPendingEntries(this.ctx);
      this.sweepSoon();
      await this.idle();
    } finally {
      off();
    }
    return arrived;
  }

  /** The server's VAPID public key (base64url), the applicationServerKey of a push subscription. */
  async pushKey(): Promise<string> {
    await this.session.sessionToken();
    return (await this.session.api.pushKey()).publicKey;
  }

  /** Registers this device's push subscription (its endpoint and keys, base64url), replacing an earlier one. */
  async setPushSubscription(subscription: { endpoint: string; keys: { p256dh: string; auth: string } }) {
    await this.session.sessionToken();
    await this.session.api.setPushSubscription(subscription);
  }

  /** Deletes this device's push subscription on the server. */
  async removePushSubscription(): Promise<void> {
    await this.session.sessionToken();
    await this.session.api.deletePushSubscription();
  }

  /** Waits for background steps (outbox flush, proposal commits, key package top-ups) to finish. */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | undefined;
    while (seen !== this.background) {
      seen = this.background;
      await seen;
    }
  }

  async close(): Promise<void> {
    this.sweeper.stop();
    await this.idle();
    this.connection.stop();
    await this.store.close();
  }

  // Directory and contacts

  /**
   * The organisation's accounts as the server lists them, each with what
   * this device verified: `confirmed` when the account key the server shows
   * is the one the organisation's chain vouches for (then name and role are
   * the certificate's, never the server's word), and this device's contact
   * record. Colleagues other than this account only.
   */
  async directory(): Promise<DirectoryEntry[]> {
    await this.session.sessionToken();
    const members = await syncOrganisation(this.ctx);
    const out: DirectoryEntry[] = [];
    for (const member of members) {
      if (member.accountId === this.profileRecord.accountId) continue;
      out.push({
        ...directoryEntry(this.organisationView, member),
        contact: await this.store.getContact(member.accountId),
      });
    }
    return out;
  }

  /** Every account, this one included, with its devices: the admin's member list. */
  async organisationMembers(): Promise<DirectoryEntry[]> {
    await this.session.sessionToken();
    const members = await syncOrganisation(this.ctx);
    const out: DirectoryEntry[] = [];
    for (const member of members) {
      out.push({
        ...directoryEntry(this.organisationView, member),
        contact: await this.store.getContact(member.accountId),
      });
    }
    return out;
  }

  /** An invitation link for one named person (admins holding the organisation key). */
  async createInvitation(
    role: Role,
    displayName: string,
    lifetimeMs?: number,
  ): Promise<{ url: string; expiresAt: string; accountId: string }> {
    await this.session.sessionToken();
    const made = await createInvitationLink(this.ctx, {
      role,
      displayName,
      ...(lifetimeMs === undefined ? {} : { lifetimeMs }),
    });
    return { ...made, accountId: b64(made.accountId) };
  }

  /**
   * Invitations for a list of people (a CSV file read by parseStaffCsv), all
   * or none, each with its department in the directory.
   */
  async createInvitations(
    batch: readonly InvitationRequest[],
    lifetimeMs?: number,
  ): Promise<(Omit<MadeInvitation, "accountId"> & { accountId: string })[]> {
    await this.session.sessionToken();
    const made = await createInvitationLinks(this.ctx, batch, lifetimeMs);
    return made.map((m) => ({ ...m, accountId: b64(m.accountId) }));
  }

  // Administration (admin devices holding the current organisation key)

  /** Sets a person's department and job title in the directory (empty texts clear them). */
  setDirectoryEntry(accountId: string, details: { department: string; title: string }): Promise<void> {
    return this.administer(() => describe(this.ctx, accountId, details));
  }

  /** Deactivates a person: every device, at once, on the server and in every group. */
  deactivate(accountId: string): Promise<void> {
    return this.administer(() => revoke(this.ctx, { kind: "account", accountId: bytesFrom(accountId, "accountId") }));
  }

  /** Revokes one device of a person (lost phone); the person's other devices stay. */
  revokeDevice(accountId: string, devicePublicKey: string): Promise<void> {
    return this.administer(() =>
      revoke(this.ctx, {
        kind: "device",
        accountId: bytesFrom(accountId, "accountId"),
        deviceKey: bytesFrom(devicePublicKey, "devicePublicKey"),
      }),
    );
  }

  /** Withdraws an invitation that was not redeemed yet. */
  revokeInvitation(invitationCertificate: string): Promise<void> {
    const certificate = decodeInvitationCertificate(bytesFrom(invitationCertificate, "certificate"));
    if (!certificate.ok) throw new ClientError("server_unexpected", certificate.field);
    return this.administer(() =>
      revoke(this.ctx, { kind: "invitation", invitationKey: certificate.value.invitationKey }),
    );
  }

  /** Makes someone an admin (or a member again); the organisation key reaches a new admin separately. */
  setRole(accountId: string, role: Role): Promise<void> {
    return this.administer(() => recertify(this.ctx, accountId, { role }));
  }

  async invitations(): Promise<InvitationsResponse> {
    await this.session.sessionToken();
    return listInvitations(this.ctx);
  }

  /** Deactivated people whose certificates the organisation log still holds: whom an erasure can name. */
  async formerMembers(): Promise<FormerMember[]> {
    await this.syncOrganisation();
    return formerMembers(this.ctx, this.organisationView);
  }

  /** Every server-side row about one person (Art. 15/20 GDPR; admins). */
  async exportPerson(accountId: string): Promise<PersonExportResponse> {
    await this.session.sessionToken();
    return exportPerson(this.ctx, accountId);
  }

  /** Erases a deactivated person's server-side data (Art. 17 GDPR; admins). */
  async erasePerson(accountId: string): Promise<PersonErasureResponse> {
    await this.session.sessionToken();
    return erasePerson(this.ctx, accountId);
  }

  /** A data protection document the server generates from its configuration; `info` is public. */
  async privacyDocument(document: PrivacyDocument, lang: "de" | "en"): Promise<PrivacyDocumentResponse> {
    if (document !== "info") await this.session.sessionToken();
    return this.ctx.session.api.privacyDocument(document, lang);
  }

  /** Rotates the organisation key; a former admin's copy of the old key certifies nobody afterwards. */
  rotateOrganisationKey(): Promise<void> {
    return this.administer(async () => {
      const next = await rotate(this.ctx);
      await this.updateProfile({ organisationSignKey: next });
    });
  }

  /** The admin actions of the organisation's signed log, newest first, each with its statement's hash and signature (admins). */
  async auditLog(): Promise<AuditEntry[]> {
    await this.session.sessionToken();
    await syncOrganisation(this.ctx);
    return readAuditLog(this.ctx);
  }

  /** The organisation's name, default language, and whether its first admin finished the setup. */
  async organisationSettings(): Promise<OrganisationSettings> {
    await this.session.sessionToken();
    const settings = await readOrganisationSettings(this.ctx);
    // The profile keeps the name for screens that show it offline; a rename by an admin reaches it here.
    if (settings.name !== this.profileRecord.organisationName)
      await this.updateProfile({ organisationName: settings.name });
    return settings;
  }

  /** The setup's organisation name, this admin's own name and the default language; marks the setup done. */
  setUpOrganisation(input: SetupInput): Promise<void> {
    return this.administer(async () => {
      const organisationName = await completeSetup(this.ctx, input);
      await this.updateProfile({ organisationName });
    });
  }

  /** The organisation key as a passphrase-sealed recovery kit and a printable code (admins only). */
  async recoveryKit(passphrase: string, options?: { cost?: number }): Promise<{ kit: RecoveryKit; code: string }> {
    const { signKey } = currentOrganisationKey(this.ctx);
    return { kit: await createRecoveryKit(signKey, passphrase, options), code: formatRecoveryCode(signKey) };
  }

  private async administer(action: () => Promise<void>): Promise<void> {
    await this.session.sessionToken();
    await syncOrganisation(this.ctx);
    await action();
    this.inBackground(async () => {
      await removeRevokedMembers(this.ctx);
      await shareOrganisationKey(this.ctx);
      // A changed contact point's new staff join its open inquiries from the device that changed it, too.
      await syncInquiryStaff(this.ctx);
    });
  }

  private updateProfile(changes: Partial<ProfileRecord>): Promise<void> {
    const write = this.profileWrites.then(async () => {
      this.profileRecord = { ...this.profileRecord, ...changes };
      await this.store.apply({ profile: this.profileRecord });
    });
    this.profileWrites = write.catch(() => undefined);
    return write;
  }

  // Several devices per person

  /**
   * Offers to link a new device of this person (a phone to this PC): show
   * `code` or `url` (as a QR code) to it, wait for it, let the person compare
   * the comparison codes, then `confirm()`.
   */
  async startDeviceLink(): Promise<DeviceLinkOffer> {
    await this.session.sessionToken();
    return startDeviceLink(this.ctx, async (deviceId) => {
      // Adding to chats sends commits: a device that only logged in (a `bote` command) connects first.
      await this.whileConnected(() => addOwnDeviceToChats(this.ctx, deviceId));
    });
  }

  /** Marks a contact's device key as verified (safety number compared) or explicitly accepted unverified. */
  async setTrust(accountId: string, devicePublicKey: string, trust: Extract<DeviceTrust, "verified" | "unverified">) {
    const contact = await this.store.getContact(accountId);
    if (contact === undefined || !contact.devices.some((d) => d.devicePublicKey === devicePublicKey)) {
      throw new ClientError("contact_unknown", accountId);
    }
    const updated = setDeviceTrust(contact, devicePublicKey, trust);
    await this.store.apply({ contacts: [updated] });
    this.events.emit("contact", { contact: updated, newDevice: false, keyChanged: false });
    return updated;
  }

  // Contact points and inquiries (docs/PROTOCOL.md §18)

  /** The customer's first step after registering (sendInquiry): the group with the staff, and the inquiry in it. */
  startInquiry(
    slug: string,
    contactPoint: ContactPoint,
    body: Parameters<typeof createInquiryGroup>[3],
  ): Promise<ConversationRecord> {
    return this.whileConnected(() => createInquiryGroup(this.ctx, slug, contactPoint, body));
  }

  /** Publishes a contact point (or a new version of the one with this slug); admins holding the organisation key. */
  createContactPoint(input: ContactPointInput): Promise<ContactPointInfo> {
    let info: ContactPointInfo | undefined;
    return this.administer(async () => {
      info = await publishContactPoint(this.ctx, input);
    }).then(() => info!);
  }

  /** The team inbox: every inquiry this device is in, with status, assignee and the customer's details. */
  inbox(): Promise<InquirySummary[]> {
    return listInbox(this.ctx);
  }

  inquiry(conversationId: string): Promise<InquirySummary> {
    return readInquiry(this.ctx, conversationId);
  }

  /** Status, assignment, notes and archiving go to the inquiry's staff-only group, never to the customer. */
  updateInquiry(conversationId: string, change: InquiryChange): Promise<MessageRecord | undefined> {
    return this.whileConnected(() => updateInquiry(this.ctx, conversationId, change));
  }

  setInquiryStatus(conversationId: string, status: InquiryStatus): Promise<MessageRecord | undefined> {
    return this.updateInquiry(conversationId, { status });
  }

  /** Assigns an inquiry to a colleague (an account id), or to nobody (null). */
  assignInquiry(conversationId: string, accountId: string | null): Promise<MessageRecord | undefined> {
    return this.updateInquiry(conversationId, { assignee: accountId });
  }

  addInquiryNote(conversationId: string, text: string): Promise<MessageRecord | undefined> {
    return this.updateInquiry(conversationId, { note: text });
  }

  inquiryNotes(conversationId: string): Promise<InquiryNote[]> {
    return listNotes(this.ctx, conversationId);
  }

  /**
   * Erases a customer's data when they ask for it (Art. 17 GDPR; admins):
   * their guest account, device, mailbox and queued entries on the server,
   * then the inquiry and its staff-only notes on every staff device (told
   * through the staff group) and on this one, archived or not. The server
   * goes first, so a failure there leaves everything as it was; a repeat
   * after a failure further on finds the account gone and goes on.
   */
  async eraseInquiry(conversationId: string): Promise<void> {
    const record = await this.store.getConversation(conversationId);
    if (record?.kind !== "inquiry") throw new ClientError("inquiry_unknown", conversationId);
    const customer = customerOf(record);
    await this.session.sessionToken();
    try {
      await this.ctx.session.api.erasePerson(customer.accountId);
    } catch (error) {
      if (!(error instanceof ClientError && error.code === "account_unknown")) throw error;
    }
    await this.updateInquiry(conversationId, { erased: true });
    await sweepInquiries(this.ctx, this.ctx.now());
  }

  /** Marks an inquiry for the business archive (kept past retention), or takes the mark off. */
  archiveInquiry(conversationId: string, archived: boolean): Promise<MessageRecord | undefined> {
    return this.updateInquiry(conversationId, { archived });
  }

  /**
   * Deletes, on this device only, the inquiries done for longer than their
   * contact point's retention days and not archived, with their staff
   * groups; returns the conversation ids deleted. Nothing is sent. The
   * client does this itself after syncs, at most once an hour.
   */
  sweepInquiries(now: number = this.ctx.now()): Promise<string[]> {
    return sweepInquiries(this.ctx, now);
  }

  /**
   * Sets a team chat's disappearing-message timer for every member, in
   * seconds (0: off); texts and files sent afterwards disappear that long
   * after each device stored them. Returns the line the chat shows.
   */
  setDisappearingTimer(conversationId: string, seconds: number): Promise<MessageRecord | undefined> {
    return this.evenOffline(() => setDisappearingTimer(this.ctx, conversationId, seconds));
  }

  /**
   * Deletes the messages past their timer now (the client also does this on
   * its own while it runs); returns what went, by chat. Nothing is sent.
   */
  async sweepExpired(now: number = this.ctx.now()): Promise<Expired[]> {
    return (await sweepExpired(this.ctx, now)).gone;
  }

  private sweepSoon(): void {
    const now = this.ctx.now();
    if (this.isGuest || (this.lastSweepAt !== undefined && now - this.lastSweepAt < SWEEP_INTERVAL_MS)) return;
    this.lastSweepAt = now;
    this.inBackground(() => sweepInquiries(this.ctx, now));
  }

  // Conversations

  directChat(accountId: string): Promise<ConversationRecord> {
    return this.whileConnected(() => directChatWith(this.ctx, accountId));
  }

  createGroup(name: string, accountIds: readonly string[]): Promise<ConversationRecord> {
    return this.whileConnected(() => createConversationWith(this.ctx, accountIds, name));
  }

  addMembers(conversationId: string, accountIds: readonly string[], names: readonly string[]) {
    return this.whileConnected(() => addToConversation(this.ctx, conversationId, accountIds, names));
  }

  removeMembers(conversationId: string, accountIds: readonly string[]) {
    return this.whileConnected(() => removeFromConversation(this.ctx, conversationId, accountIds));
  }

  rename(conversationId: string, name: string) {
    return this.whileConnected(() => renameGroup(this.ctx, conversationId, name));
  }

  /** Asks the others to remove this device (a member commits it); the chat stays readable here. */
  async leave(conversationId: string): Promise<void> {
    await this.whileConnected(async () => {
      await sendHandshake(this.ctx, conversationId, async (conversation) => {
        const left = await leaveConversation(conversation);
        return { conversation: left.conversation, message: left.proposal };
      });
      // In the serial queue for the same reason as markRead: the record holds the ratchet state.
      const left = await this.serial.run(async () => {
        const record = await this.store.getConversation(conversationId);
        if (record === undefined) return undefined;
        const next = { ...record, active: false };
        const event = eventMessage(this.ctx, conversationId, { type: "left" });
        await this.store.apply({ conversations: [next], messages: [event] });
        return { next, event };
      });
      if (left === undefined) return;
      this.events.emit("conversation", left.next);
      this.events.emit("message", left.event);
    });
  }

  listConversations(): Promise<ConversationRecord[]> {
    return this.store.listConversations();
  }

  listMessages(conversationId: string, limit?: number): Promise<MessageRecord[]> {
    return this.store.listMessages(conversationId, limit);
  }

  /** The members of a conversation in this epoch, with this device first. */
  async members(conversationId: string) {
    const record = await this.store.getConversation(conversationId);
    if (record === undefined) throw new ClientError("contact_unknown", conversationId);
    return readRoster(restoreConversation(record.state)).sort((a, b) => Number(b.self) - Number(a.self));
  }

  // Messages

  sendText(conversationId: string, text: string, replyTo?: string): Promise<MessageRecord | undefined> {
    const value = create(TextSchema, { text, ...(replyTo === undefined ? {} : { replyTo: bytesOfId(replyTo) }) });
    return this.evenOffline(() => sendContent(this.ctx, conversationId, { case: "text", value }));
  }

  /** Reacts to a message with an emoji; the empty string removes this account's reaction (see reactionsOf). */
  react(conversationId: string, targetMessageId: string, emoji: string): Promise<void> {
    return this.evenOffline(() => reactTo(this.ctx, conversationId, targetMessageId, emoji));
  }

  /** Replaces the text or caption of an own text or file, here and for the others. */
  edit(messageId: string, text: string): Promise<MessageRecord> {
    return this.evenOffline(() => editOwnMessage(this.ctx, messageId, text));
  }

  /** Deletes an own text or file for everyone; the record stays here, marked deleted. */
  deleteMessage(messageId: string): Promise<MessageRecord> {
    return this.evenOffline(() => deleteOwnMessage(this.ctx, messageId));
  }

  /** Encrypts and uploads a file while reading it, then sends it; with `queue`, even offline (see attachments.ts). */
  sendFile(conversationId: string, file: OutgoingFile): Promise<MessageRecord | undefined> {
    const send = () => sendFile(this.ctx, conversationId, file);
    return file.queue === true ? this.evenOffline(send) : this.whileConnected(send);
  }

  /**
   * Hands the decrypted file of a message to `sink` as a stream. The stream
   * fails with attachment_corrupt if the digest or any chunk does not match,
   * after some bytes may have been written: `sink` writes somewhere
   * temporary and keeps the file only when the stream completed.
   */
  async download(
    messageId: string,
    sink: (file: AsyncIterable<Uint8Array>) => Promise<void>,
    /** Which of an inquiry's files. */
    index = 0,
  ): Promise<number> {
    const message = await this.store.getMessage(messageId);
    if (message === undefined) throw new ClientError("message_unknown", messageId);
    const attachment = readAttachment(message, index);
    if (!isWaiting(attachment)) await this.session.sessionToken();
    await sink(downloadFile(this.ctx, message, index));
    return Number(attachment.size);
  }

  /** End-to-end receipts for messages of one conversation; the server cannot tell them from any other message. */
  async sendReceipt(conversationId: string, kind: "delivered" | "read", messageIds: readonly string[]): Promise<void> {
    for (let at = 0; at < messageIds.length; at += MAX_RECEIPT_TARGETS) {
      const value = create(ReceiptSchema, {
        kind: kind === "read" ? Receipt_Kind.READ : Receipt_Kind.DELIVERED,
        targetMessageIds: messageIds.slice(at, at + MAX_RECEIPT_TARGETS).map(bytesOfId),
      });
      await sendContent(this.ctx, conversationId, { case: "receipt", value });
    }
  }

  private async sendReceiptIfMember(conversationId: string, kind: "delivered" | "read", messageIds: readonly string[]) {
    const record = await this.store.getConversation(conversationId);
    if (record?.active === true) await this.sendReceipt(conversationId, kind, messageIds);
  }

  /** Marks a conversation read here (incoming messages move to `read`) and tells the senders. */
  markRead(conversationId: string): Promise<void> {
    return this.evenOffline(() => this.markReadNow(conversationId));
  }

  private async markReadNow(conversationId: string): Promise<void> {
    // Read and written in the serial queue: the record carries the ratchet state, and writing back a
    // copy read before an incoming message was processed would roll the ratchet back (reused keys).
    const unread = await this.serial.run(async () => {
      const record = await this.store.getConversation(conversationId);
      // Nothing unread: nothing to read from the store (a reaction alone is not counted, nor receipted).
      if (record === undefined || record.unread === 0) return [];
      const received = await this.newestUnread(record);
      const read = received.map((m) => ({ ...m, status: "read" as const }));
      const next = { ...record, unread: 0 };
      await this.store.apply({ conversations: [next], messages: read });
      this.events.emit("conversation", next);
      for (const m of read) this.events.emit("message", m);
      return received;
    });
    // Reactions are read along with the chat but, like on arrival, not receipted.
    const lines = unread.filter((m) => {
      const body = readContent(m)?.body;
      return body !== undefined && isChatLine(body);
    });
    if (lines.length === 0) return;
    await this.sendReceiptIfMember(
      conversationId,
      "read",
      lines.map((m) => m.messageId),
    );
  }

  /**
   * The received messages of a chat not read yet, read from its newest end:
   * the unread lines are the newest received ones, so a window that holds
   * `unread` of them holds them all. It grows fourfold until it does (the
   * whole chat at worst); one message read in a long chat reads a few records.
   */
  private async newestUnread(record: ConversationRecord): Promise<MessageRecord[]> {
    const isReceived = (m: MessageRecord) => m.direction === "in" && m.kind === "content" && m.status === "received";
    for (let window = Math.max(16, record.unread * 2); ; window *= 4) {
      const recent = await this.store.listMessages(record.conversationId, window);
      const received = recent.filter(isReceived);
      const lines = received.filter((m) => {
        const body = readContent(m)?.body;
        return body !== undefined && isChatLine(body);
      });
      if (lines.length >= record.unread || recent.length < window) return received;
    }
  }

  private async commitProposals(conversationId: string): Promise<void> {
    const record = await this.store.getConversation(conversationId);
    if (record === undefined || !record.active) return;
    const conversation = restoreConversation(record.state);
    const leaving = new Set(readPendingRemovals(conversation).map((m) => m.leafIndex));
    // One member commits, so the others do not race: the lowest leaf that stays.
    const stays = readRoster(conversation).filter((m) => !leaving.has(m.leafIndex));
    if (!stays[0]?.self || !hasPendingProposals(conversation)) return;
    let nothingLeft = false;
    await runCommit(this.ctx, conversationId, async (current) => {
      if (!hasPendingProposals(current)) {
        // Another member's commit took the proposals in meanwhile.
        nothingLeft = true;
        throw new ClientError("commit_conflict", "nothing left to commit");
      }
      const members = readPendingRemovals(current).map((m) => m.credential.displayName);
      return {
        result: await commitPendingProposals(current, this.ctx.trust),
        event: { type: "members_removed", by: this.deviceRecord.credential.displayName, members },
      };
    }).catch((err: unknown) => {
      if (!nothingLeft) throw err;
    });
  }

  private async whileConnected<T>(task: () => Promise<T>): Promise<T> {
    if (this.connection.connectionState !== "open") await this.connectAndCatchUp();
    return task();
  }

  /** Messages are written to the outbox even without a connection; they go out after the reconnect. */
  private async evenOffline<T>(task: () => Promise<T>): Promise<T> {
    if (this.connection.connectionState !== "open") {
      try {
        await this.connectAndCatchUp();
      } catch (err) {
        if (!isOffline(err)) throw err;
      }
    }
    return task();
  }

  /**
   * Connects and processes what waited in the mailbox before anything is
   * written: a commit queued there (a member added, a device linked) moves
   * the epoch, and a message written before it would not reach the newcomer.
   */
  private async connectAndCatchUp(): Promise<void> {
    const caughtUp = this.connection.caughtUp();
    await this.connect();
    await caughtUp;
    await this.connection.settled();
    this.sweepSoon();
  }

  private inBackground(task: () => Promise<unknown>): void {
    this.background = this.background.then(task).catch((err: unknown) => {
      this.events.emit("problem", {
        code: err instanceof ClientError ? err.code : "internal",
        detail: err instanceof Error ? err.message : "background step failed",
      });
    });
  }
}
