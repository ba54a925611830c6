/**
 * The one device of this browser: opened from IndexedDB (or created from an
 * invitation link), kept connected, and mirrored into signals the screens
 * read. Every change arrives as an SDK event after it is stored, so the
 * screens never show something the store does not hold.
 */
import { watchInbox } from "./inbox.js";
import { batch, effect, signal, computed } from "@preact/signals";
import { ClientError } from "@bote/client/light";
import { provideSdk, timerEvent } from "./loadedSdk.js";
import type { ConnectionState, Transport, BoteClient } from "@bote/client";
import { ClientStoreError } from "@bote/core/light";
import type { BoteCiphersuiteName, ContactRecord, ConversationRecord, MessageRecord } from "@bote/core";
import type { Role } from "@bote/protocol/light";
import { IndexedDbClientStore } from "../../store/IndexedDbClientStore.js";
import { browserTransport } from "../../platform/browserTransport.js";
import { AppLock } from "../../lock/appLock.js";
import { language, organisationLanguage, t } from "../i18n/i18n.js";
import { navigate, openConversationId, route } from "./route.js";
import { notifyIncoming } from "./notifications.js";
import { isReaction, isShown, toLines } from "./lines.js";
import { askServer, type InvitationVerdict } from "./invitation.js";
import { disablePush, loadPushSettings, refreshPushSubscription } from "./push.js";
import { waitForServiceWorker } from "../../push/deviceLock.js";
import { arriveAtPublicUrl } from "./canonicalOrigin.js";
import { latestOnly } from "./latestOnly.js";
import { isNewerLastLine, mergeConversation, mergeMessage } from "./merge.js";
import { followUploads, forgetFile } from "./files.js";
import { watchPolicy } from "./policies.js";
import { watchInactivity, INACTIVITY_LOCK_MS } from "../../lock/inactivity.js";

export type Phase =
  | { kind: "loading" }
  | { kind: "locked" }
  | { kind: "welcome" }
  | { kind: "join"; link: string }
  /** Becoming another device of a person signed in elsewhere (state/deviceLink.ts): from a `/link#c=` URL, or typed. */
  | { kind: "link"; link: string | undefined }
  | { kind: "ready" }
  /** The organisation revoked this device or its account: nothing more to show or to connect; `wiped` when its policy had the data deleted. */
  | { kind: "deactivated"; wiped?: boolean }
  /** An IndexedDB profile from before the organisation key chain: it can only be replaced. */
  | { kind: "outdated" }
  | { kind: "failed"; message: string };

export const phase = signal<Phase>({ kind: "loading" });
export const conversations = signal<readonly ConversationRecord[]>([]);
/** What the chat list shows: inquiries live in the team inbox, the staff's own groups about them nowhere. */
export const chats = computed(() => conversations.value.filter((c) => c.kind === "direct" || c.kind === "group"));
/** The last chat line of each conversation, for the chat list. */
export const lastLines = signal<ReadonlyMap<string, MessageRecord>>(new Map());
/** All stored records of the conversation on screen, oldest first. */
export const openMessages = signal<readonly MessageRecord[]>([]);
export const connection = signal<ConnectionState>("closed");
export const contacts = signal<ReadonlyMap<string, ContactRecord>>(new Map());
const KEY_CHANGES = "bote.keyChanges";

function storedKeyChanges(): ReadonlySet<string> {
  try {
    const ids: unknown = JSON.parse(globalThis.localStorage?.getItem(KEY_CHANGES) ?? "[]");
    return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : []);
  } catch {
    return new Set();
  }
}

/**
 * Accounts whose key changed since this device last looked: a warning until
 * verified or accepted, also after a reload (account ids only, which the
 * IndexedDB store keeps in the clear anyway).
 */
export const keyChanges = signal<ReadonlySet<string>>(storedKeyChanges());
effect(() => {
  globalThis.localStorage?.setItem(KEY_CHANGES, JSON.stringify([...keyChanges.value]));
});
/**
 * Confirmed colleagues who added a device the organisation vouches for
 * (through their account key): a calm notice until seen, for this visit only.
 */
export const newDevices = signal<ReadonlySet<string>>(new Set());

/** The person looked at the key change or the new device: the notice goes. */
export function dismissContactNotice(accountId: string): void {
  batch(() => {
    if (keyChanges.value.has(accountId)) {
      const next = new Set(keyChanges.value);
      next.delete(accountId);
      keyChanges.value = next;
    }
    if (newDevices.value.has(accountId)) {
      const next = new Set(newDevices.value);
      next.delete(accountId);
      newDevices.value = next;
    }
  });
}
export const toast = signal<{ text: string; id: number } | undefined>(undefined);

let client: BoteClient | undefined;
let store: IndexedDbClientStore | undefined;
let lock: AppLock | undefined;
/** Whether this browser has an app lock PIN; the screens read it (a policy may require one). */
export const lockEnabled = signal(false);
let stopInactivity: (() => void) | undefined;
let onlineListener: (() => void) | undefined;
const transport: Transport = browserTransport();

export function requireClient(): BoteClient {
  if (client === undefined) throw new Error("no device opened yet");
  return client;
}

/** Who this device belongs to, for the screens: read afresh, since an admin may change the role. */
export function ownProfile(): {
  accountId: string;
  displayName: string;
  organisationName: string;
  role: Role;
} {
  const { profile, device } = requireClient();
  return {
    accountId: profile.accountId,
    displayName: device.credential.displayName,
    organisationName: profile.organisationName,
    role: profile.role,
  };
}

export function appLock(): AppLock {
  if (lock === undefined) throw new Error("app lock not opened yet");
  return lock;
}

export function showToast(text: string): void {
  const id = Date.now();
  toast.value = { text, id };
  setTimeout(() => {
    if (toast.value?.id === id) toast.value = undefined;
  }, 5000);
}

/** A person reads the error in the app's language; programs get the code in the console. */
export function errorText(err: unknown): string {
  if (err instanceof ClientError) return err.text(language.value);
  console.error(err);
  return t("errors.unexpected");
}

/** Called once the page is on the public URL, over HTTPS or on localhost (state/canonicalOrigin.ts). */
export async function start(): Promise<void> {
  try {
    lock = await AppLock.open();
    lockEnabled.value = lock.enabled;
    if (lock.enabled) {
      phase.value = { kind: "locked" };
      return;
    }
    await openDevice();
  } catch (err) {
    phase.value = { kind: "failed", message: errorText(err) };
  }
}

export async function unlock(pin: string): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  const result = await appLock().unlock(pin);
  if (result.ok) await openDevice();
  return result;
}

function invitationLinkHere(): string | undefined {
  return location.pathname.endsWith("/join") && location.hash.startsWith("#t=") ? location.href : undefined;
}

/** A QR code of another device of this person opens `/link#c=<code>`. */
function deviceLinkHere(): string | undefined {
  return location.pathname.endsWith("/link") && location.hash.startsWith("#c=") ? location.href : undefined;
}

/** Drops the invitation's secrets from the address bar and the history. */
function forgetInvitationLink(): void {
  history.replaceState(null, "", "/#/");
}

async function openDevice(): Promise<void> {
  store ??= await IndexedDbClientStore.open();
  let profile;
  try {
    profile = await store.getProfile();
  } catch (err) {
    if (err instanceof ClientStoreError && err.code === "profile_outdated") {
      phase.value = { kind: "outdated" };
      return;
    }
    throw err;
  }
  const deviceLink = deviceLinkHere();
  if (deviceLink !== undefined) {
    // Claimed once: a reload must not claim it again.
    forgetInvitationLink();
    if (profile === undefined) {
      phase.value = { kind: "link", link: deviceLink };
      return;
    }
    showToast(t("deviceLink.alreadySignedIn"));
  }
  const link = invitationLinkHere();
  if (profile === undefined) {
    phase.value = link === undefined ? { kind: "welcome" } : { kind: "join", link };
    return;
  }
  if (link !== undefined) {
    forgetInvitationLink();
    showToast(t("join.alreadyJoined"));
  }
  // A service worker woken by a push may be working on the store: it finishes first.
  await waitForServiceWorker();
  const { BoteClient } = await loadSdk();
  await attach(await BoteClient.open({ store, transport, wipe: wipeBrowser }));
}

/**
 * The SDK with MLS and its crypto, loaded once: when a device opens, or once
 * the join screen has the server's word on its link. Not earlier: on a slow
 * network its bytes would compete with the first screen's. The screens
 * themselves import only `@bote/client/light` and `@bote/core/light`.
 */
let sdk: Promise<typeof import("./sdk.js")> | undefined;
function loadSdk(): Promise<typeof import("./sdk.js")> {
  // A failed load (offline before the worker holds the chunks) is tried again next time.
  sdk ??= import("./sdk.js").then(
    (loaded) => {
      provideSdk(loaded);
      return loaded;
    },
    (err: unknown) => {
      sdk = undefined;
      throw err;
    },
  );
  return sdk;
}

/** Whether the server still accepts this invitation link, asked before the join screen asks anything. */
/** The server's word on a link, asked once: the join screen is re-mounted by a language switch mid-join. */
let checked: { link: string; verdict: Promise<InvitationVerdict> } | undefined;

export function checkJoinLink(link: string): Promise<InvitationVerdict> {
  if (checked?.link !== link) {
    const verdict = askServer(link, transport, async () => (await loadSdk()).parseInvitationLink(link).ok);
    checked = { link, verdict };
    // The join needs the SDK: fetched while the person reads the screen (a failure shows when they join).
    const prefetch = () => void loadSdk().catch(() => undefined);
    void verdict.then(prefetch, prefetch);
    // "unknown" (the server could not be asked) is asked again next time.
    void verdict.then(
      (v) => v === "unknown" && checked?.verdict === verdict && (checked = undefined),
      () => undefined,
    );
  }
  return checked.verdict;
}

/**
 * Joins with an invitation link. Only the first admin's bare link needs a
 * name (and may choose the post-quantum suite): every other invitation names
 * its person, signed by the organisation.
 */
export async function join(
  link: string,
  firstAdmin?: { displayName: string; ciphersuite?: BoteCiphersuiteName },
): Promise<void> {
  // Checked again right before the redeem, which spends the invitation: the server might have moved.
  if (!(await arriveAtPublicUrl())) return;
  store ??= await IndexedDbClientStore.open();
  const { joinWithInvitation } = await loadSdk();
  const joined = await joinWithInvitation({
    store,
    transport,
    invitationLink: link,
    wipe: wipeBrowser,
    ...(firstAdmin === undefined ? {} : firstAdmin),
  });
  forgetInvitationLink();
  await attach(joined);
  // The first admin's link opens the setup; "Später einrichten" leaves it as an offer in the chat list.
  if (firstAdmin !== undefined) navigate({ screen: "setup" });
}

/**
 * Becomes another device of a person signed in on another device (the
 * steps and their screen: state/deviceLink.ts). A typed code belongs to
 * the server this page came from.
 */
export async function linkDevice(options: {
  link: string;
  onComparisonCode: (code: string) => void;
  signal: { readonly aborted: boolean };
}): Promise<void> {
  store ??= await IndexedDbClientStore.open();
  const { linkThisDevice } = await loadSdk();
  const linked = await linkThisDevice({ store, transport, serverUrl: location.origin, wipe: wipeBrowser, ...options });
  await attach(linked);
}

/** Deletes this browser's profile (keys, chats, settings of Bote) and starts over at the join or welcome screen. */
export async function deleteLocalProfile(): Promise<void> {
  const closing = client;
  client = undefined;
  // Logged out for good: no push may wake this browser for the device any more.
  if (closing !== undefined) await disablePush(closing).catch(() => undefined);
  await closing?.close().catch(() => undefined);
  await store?.close().catch(() => undefined);
  store = undefined;
  await IndexedDbClientStore.delete();
  globalThis.localStorage?.removeItem(KEY_CHANGES);
  batch(() => {
    keyChanges.value = new Set();
    newDevices.value = new Set();
    conversations.value = [];
    lastLines.value = new Map();
    openMessages.value = [];
    contacts.value = new Map();
  });
  const link = invitationLinkHere();
  phase.value = link === undefined ? { kind: "welcome" } : { kind: "join", link };
}

/** The organisation revoked this device: the screen says so, and the device stops connecting. */
function endDeactivated(): void {
  stopInactivity?.();
  if (phase.value.kind === "deactivated") return;
  phase.value = { kind: "deactivated" };
  const closing = client;
  void closing?.close().catch(() => undefined);
}

/**
 * What the SDK calls, its store closed, when the organisation's policy has a
 * deactivated device delete its data: Bote's databases in this browser and
 * what it keeps beside them. The screen then says the data is gone.
 */
async function wipeBrowser(): Promise<void> {
  stopInactivity?.();
  await store?.close().catch(() => undefined);
  store = undefined;
  lock?.close();
  lock = undefined;
  await IndexedDbClientStore.delete();
  // The browser's push subscription too: the server forgot it with the device, nothing may wake this one.
  const registration = await navigator.serviceWorker?.getRegistration().catch(() => undefined);
  await (await registration?.pushManager.getSubscription())?.unsubscribe().catch(() => undefined);
  for (const name of ["bote-lock", "bote-push"]) {
    await new Promise<void>((resolve) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = request.onerror = () => resolve();
    });
  }
  batch(() => {
    conversations.value = [];
    lastLines.value = new Map();
    openMessages.value = [];
    contacts.value = new Map();
    keyChanges.value = new Set();
    newDevices.value = new Set();
    phase.value = { kind: "deactivated", wiped: true };
  });
  // After the signal: its effect writes the (empty) list back.
  globalThis.localStorage?.removeItem(KEY_CHANGES);
}

/**
 * The inactivity lock: after a while without use the app closes the device
 * (socket, store) and shows the lock screen, as on a reload. Only with a PIN.
 */
export async function lockApp(): Promise<void> {
  if (!lockEnabled.value || phase.value.kind !== "ready") return;
  stopInactivity?.();
  const closing = client;
  client = undefined;
  await closing?.close().catch(() => undefined);
  await store?.close().catch(() => undefined);
  store = undefined;
  batch(() => {
    conversations.value = [];
    lastLines.value = new Map();
    openMessages.value = [];
    contacts.value = new Map();
    phase.value = { kind: "locked" };
  });
}

/** Follows whether a PIN is set: with one, the inactivity lock runs. */
export function noteLockChanged(): void {
  lockEnabled.value = appLock().enabled;
  stopInactivity?.();
  stopInactivity = lockEnabled.value ? watchInactivity(() => void lockApp(), INACTIVITY_LOCK_MS) : undefined;
}

function isRevoked(err: unknown): boolean {
  return err instanceof ClientError && err.code === "device_revoked";
}

async function attach(opened: BoteClient): Promise<void> {
  client = opened;
  if (opened.deactivated !== undefined) {
    endDeactivated();
    return;
  }
  opened.on("connection", (state) => {
    if (phase.value.kind !== "deactivated") connection.value = state;
  });
  // Back from a tunnel or flight mode: try at once instead of at the end of the backoff.
  // One listener, for the device opened now: an unlock after the inactivity lock opens it again.
  if (onlineListener !== undefined) window.removeEventListener("online", onlineListener);
  onlineListener = () => opened.reconnectNow();
  window.addEventListener("online", onlineListener);
  // The SDK reports it from the server's closing of the socket, a refused login or the signed log.
  opened.on("deactivated", () => endDeactivated());
  watchPolicy(opened);
  // The organisation's language, until the person chooses one.
  void organisationLanguage(opened.policy.language);
  opened.on("organisation", () => void organisationLanguage(opened.policy.language));
  opened.on("conversation", (conversation) => onConversation(conversation));
  opened.on("message", (message) => onMessage(message));
  watchInbox(opened);
  // A done inquiry past its retention is forgotten by the SDK: it leaves the lists at once.
  opened.on("messagesExpired", (expired) => onExpired(expired));
  opened.on("conversationDeleted", ({ conversationId }) => {
    conversations.value = conversations.value.filter((c) => c.conversationId !== conversationId);
  });
  opened.on("contact", ({ contact, newDevice, keyChanged }) => onContact(contact, newDevice, keyChanged));
  opened.on("problem", ({ code, detail }) => console.warn(`bote: ${code}: ${detail}`));
  followUploads(opened);
  await Promise.all([refreshConversations(), refreshContacts()]);
  if (phase.value.kind === "deactivated") return;
  void loadPushSettings().catch((err: unknown) => console.warn("bote: push settings", err));
  phase.value = { kind: "ready" };
  noteLockChanged();
  if (route.value.screen === "chats") navigate({ screen: "chats" }, true);
  // The join may have connected already, before these handlers were there.
  connection.value = opened.connectionState;
  opened
    .connect()
    .then(() => refreshPushSubscription(opened))
    .catch((err: unknown) => {
      if (isRevoked(err)) endDeactivated();
      else console.warn("bote: connect", err);
    })
    .finally(() => {
      if (phase.value.kind !== "deactivated") connection.value = opened.connectionState;
    });
}

/**
 * Another account key for a person is a warning until looked at. A new
 * device of a person the organisation confirmed, vouched for by their
 * account key, is a calm notice; for anyone else it is a warning too.
 */
function onContact(contact: ContactRecord, newDevice: boolean, keyChanged: boolean): void {
  batch(() => {
    contacts.value = new Map(contacts.value).set(contact.accountId, contact);
    if (keyChanged || (newDevice && !isConfirmed(contact))) {
      keyChanges.value = new Set(keyChanges.value).add(contact.accountId);
    } else if (newDevice) {
      newDevices.value = new Set(newDevices.value).add(contact.accountId);
    }
  });
}

function isConfirmed(contact: ContactRecord): boolean {
  return (
    contact.devices.length > 0 && contact.devices.every((d) => d.trust === "organisation" || d.trust === "verified")
  );
}

/**
 * Records that events brought while a load was reading the store: merged
 * into its result, so a load that started before an event cannot drop it.
 */
let arrivedWhileLoading: { conversations: ConversationRecord[]; messages: MessageRecord[] } | undefined;
const newestList = latestOnly();
const newestChat = latestOnly();

/** Runs a load of the store, and hands back with it what events brought meanwhile. */
async function whileFollowing<T>(load: () => Promise<T>) {
  const arrived = { conversations: [] as ConversationRecord[], messages: [] as MessageRecord[] };
  const outer = arrivedWhileLoading;
  arrivedWhileLoading = arrived;
  try {
    return { result: await load(), arrived };
  } finally {
    if (arrivedWhileLoading === arrived) arrivedWhileLoading = outer;
    outer?.conversations.push(...arrived.conversations);
    outer?.messages.push(...arrived.messages);
  }
}

/**
 * Loads the chat list and each chat's last line from the store: when the
 * device opens and after a chat was made here. From then on, events keep
 * it (onConversation, onMessage). Of overlapping loads only the newest
 * one's result is shown, with what events brought while it read.
 */
export async function refreshConversations(): Promise<void> {
  const c = requireClient();
  const loaded = await newestList(() =>
    whileFollowing(async () => {
      const list = await c.listConversations();
      const last = new Map<string, MessageRecord>();
      for (const { conversationId, kind } of list) {
        const recent = await c.listMessages(conversationId, 20);
        const line = recent.findLast((m) => isPreviewLine(m, kind));
        if (line !== undefined) last.set(conversationId, line);
      }
      return { list, last };
    }),
  );
  if (loaded === undefined) return;
  let list: readonly ConversationRecord[] = loaded.result.list;
  const last = new Map(loaded.result.last);
  for (const conversation of loaded.arrived.conversations) list = mergeConversation(list, conversation);
  for (const message of loaded.arrived.messages) followLastLine(last, message, list);
  batch(() => {
    conversations.value = list;
    lastLines.value = last;
  });
}

/** Messages past their disappearing timer leave the open chat, the chat list's last line and the tab's memory. */
function onExpired({ conversationId, messageIds }: { conversationId: string; messageIds: readonly string[] }): void {
  const gone = new Set(messageIds);
  for (const id of gone) forgetFile(id);
  if (openConversationId(route.value) === conversationId) {
    openMessages.value = openMessages.value.filter((m) => !gone.has(m.messageId));
  }
  const last = lastLines.value.get(conversationId);
  if (last !== undefined && gone.has(last.messageId)) void refreshConversations();
}

function onConversation(conversation: ConversationRecord): void {
  arrivedWhileLoading?.conversations.push(conversation);
  conversations.value = mergeConversation(conversations.value, conversation);
}

/** Puts a chat's new or changed line into the last lines, if it is the newest one worth a preview. */
function followLastLine(
  last: Map<string, MessageRecord>,
  message: MessageRecord,
  list: readonly ConversationRecord[],
): boolean {
  const kind = list.find((c) => c.conversationId === message.conversationId)?.kind ?? "group";
  if (!isPreviewLine(message, kind) || !isNewerLastLine(last.get(message.conversationId), message)) return false;
  last.set(message.conversationId, message);
  return true;
}

/** Marks a chat read here and tells the senders; the SDK's conversation event clears the badge. */
function inquiryOnScreen(message: MessageRecord): boolean {
  const r = route.value;
  return r.screen === "inquiry" && r.conversationId === message.conversationId;
}

export async function markRead(conversationId: string): Promise<void> {
  await requireClient()
    .markRead(conversationId)
    .catch((err: unknown) => console.warn("bote: mark read", err));
}

export async function refreshContacts(): Promise<void> {
  const list = await requireClient().store.listContacts();
  contacts.value = new Map(list.map((c) => [c.accountId, c]));
}

/** How many of the newest records a chat shows when it opens. */
const OPEN_LIMIT = 500;

/**
 * Loads the conversation on screen; called when it opens and when one of its messages changes.
 * A message to show (a search hit) older than the newest 500 loads the whole chat.
 */
export async function loadConversation(conversationId: string, show?: string): Promise<void> {
  const c = requireClient();
  const loaded = await newestChat(() =>
    whileFollowing(async () => {
      const messages = await c.listMessages(conversationId, OPEN_LIMIT);
      if (show === undefined || messages.length < OPEN_LIMIT || messages.some((m) => m.messageId === show)) {
        return messages;
      }
      return c.listMessages(conversationId);
    }),
  );
  if (loaded === undefined || openConversationId(route.value) !== conversationId) return;
  let messages: readonly MessageRecord[] = loaded.result;
  for (const m of loaded.arrived.messages)
    if (m.conversationId === conversationId) messages = mergeMessage(messages, m);
  openMessages.value = messages;
}

/** What the chat list shows as a chat's last line: a text or file, or an event worth showing in that chat. */
function isPreviewLine(message: MessageRecord, kind: ConversationRecord["kind"]): boolean {
  // A timer change is a line of its own, worded like an event.
  if (message.kind !== "event" && timerEvent(message) === undefined) return isLine(message);
  const line = toLines([message])[0];
  return line !== undefined && isShown(line, kind);
}

function isLine(message: MessageRecord): boolean {
  // Reactions are stored as content too, but they are not lines of the chat.
  return message.kind === "content" && !isReaction(message) && timerEvent(message) === undefined;
}

/**
 * A message was stored (new, edited, deleted, its status changed): it is
 * merged into the chat on screen and the chat list's last lines, without
 * reading the store again.
 */
function onMessage(message: MessageRecord): void {
  arrivedWhileLoading?.messages.push(message);
  // Deleted for everyone: no decrypted copy of its photo stays in this tab.
  if (message.deleted) forgetFile(message.messageId);
  const open = openConversationId(route.value);
  batch(() => {
    if (open === message.conversationId) openMessages.value = mergeMessage(openMessages.value, message);
    const last = new Map(lastLines.value);
    if (followLastLine(last, message, conversations.value)) lastLines.value = last;
  });
  if (
    open === message.conversationId &&
    message.direction === "in" &&
    message.status === "received" &&
    document.visibilityState === "visible"
  ) {
    void markRead(open);
  }
  if (message.direction === "in" && message.kind === "content" && message.status === "received" && isLine(message)) {
    const inquiry = conversations.value.find((c) => c.conversationId === message.conversationId)?.kind === "inquiry";
    const seen =
      document.visibilityState === "visible" && (open === message.conversationId || inquiryOnScreen(message));
    notifyIncoming(message, seen, inquiry);
  }
}
