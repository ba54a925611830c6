/**
 * The one device of this browser: opened from IndexedDB (or created from an
 * invitation link), kept connected, and mirrored into signals the screens
 * read. Every change arrives as an SDK event after it is stored, so the
 * screens never show something the store does not hold.
 */
import { batch, effect, signal } from "@preact/signals";
import { BoteClient, ClientError, joinWithInvitation, type ConnectionState, type Transport } from "@bote/client";
import type { ContactRecord, ConversationRecord, MessageRecord } from "@bote/core";
import { IndexedDbClientStore } from "../../store/IndexedDbClientStore.js";
import { browserTransport } from "../../platform/browserTransport.js";
import { AppLock } from "../../lock/appLock.js";
import { language, t } from "../i18n/i18n.js";
import { navigate, openConversationId, route } from "./route.js";
import { notifyIncoming } from "./notifications.js";
import { isReaction } from "./lines.js";

export type Phase =
  | { kind: "loading" }
  | { kind: "locked" }
  | { kind: "welcome" }
  | { kind: "join"; link: string }
  | { kind: "ready" }
  | { kind: "failed"; message: string };

export const phase = signal<Phase>({ kind: "loading" });
export const conversations = signal<readonly ConversationRecord[]>([]);
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
export const toast = signal<{ text: string; id: number } | undefined>(undefined);

let client: BoteClient | undefined;
let store: IndexedDbClientStore | undefined;
let lock: AppLock | undefined;
const transport: Transport = browserTransport();

export function requireClient(): BoteClient {
  if (client === undefined) throw new Error("no device opened yet");
  return client;
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

export async function start(): Promise<void> {
  // WebCrypto, IndexedDB keys and service workers exist only in secure contexts (HTTPS or localhost).
  if (!globalThis.isSecureContext || globalThis.crypto?.subtle === undefined) {
    phase.value = { kind: "failed", message: t("app.insecure") };
    return;
  }
  try {
    lock = await AppLock.open();
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

/** Drops the invitation's secrets from the address bar and the history. */
function forgetInvitationLink(): void {
  history.replaceState(null, "", "/#/");
}

async function openDevice(): Promise<void> {
  store ??= await IndexedDbClientStore.open();
  const profile = await store.getProfile();
  const link = invitationLinkHere();
  if (profile === undefined) {
    phase.value = link === undefined ? { kind: "welcome" } : { kind: "join", link };
    return;
  }
  if (link !== undefined) {
    forgetInvitationLink();
    showToast(t("join.alreadyJoined"));
  }
  await attach(await BoteClient.open({ store, transport }));
}

export async function join(link: string, displayName: string): Promise<void> {
  store ??= await IndexedDbClientStore.open();
  const joined = await joinWithInvitation({ store, transport, invitationLink: link, displayName });
  forgetInvitationLink();
  await attach(joined);
}

async function attach(opened: BoteClient): Promise<void> {
  client = opened;
  opened.on("connection", (state) => {
    connection.value = state;
  });
  opened.on("conversation", (conversation) => void refreshConversations(conversation.conversationId));
  opened.on("message", (message) => void onMessage(message));
  opened.on("contact", ({ contact, newDevice }) => {
    batch(() => {
      contacts.value = new Map(contacts.value).set(contact.accountId, contact);
      if (newDevice) keyChanges.value = new Set(keyChanges.value).add(contact.accountId);
    });
  });
  opened.on("problem", ({ code, detail }) => console.warn(`bote: ${code}: ${detail}`));
  await Promise.all([refreshConversations(), refreshContacts()]);
  phase.value = { kind: "ready" };
  if (route.value.screen === "chats") navigate({ screen: "chats" }, true);
  // The join may have connected already, before these handlers were there.
  connection.value = opened.connectionState;
  opened
    .connect()
    .catch((err: unknown) => console.warn("bote: connect", err))
    .finally(() => {
      connection.value = opened.connectionState;
    });
}

/**
 * Reloads the chat list. The last line is read again only for `changed` (the
 * conversation an event was about) and for chats not seen before: one
 * incoming message does not decrypt twenty stored ones of every chat.
 */
export async function refreshConversations(changed?: string): Promise<void> {
  const c = requireClient();
  const list = (await c.listConversations()).sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  const before = lastLines.value;
  const last = new Map<string, MessageRecord>();
  for (const { conversationId } of list) {
    const known = before.get(conversationId);
    if (changed !== undefined && conversationId !== changed && known !== undefined) {
      last.set(conversationId, known);
      continue;
    }
    const recent = await c.listMessages(conversationId, 20);
    const line = recent.findLast((m) => m.kind === "event" || isLine(m));
    if (line !== undefined) last.set(conversationId, line);
  }
  batch(() => {
    conversations.value = list;
    lastLines.value = last;
  });
}

export async function refreshContacts(): Promise<void> {
  const list = await requireClient().store.listContacts();
  contacts.value = new Map(list.map((c) => [c.accountId, c]));
}

/** Loads the conversation on screen; called when it opens and when one of its messages changes. */
export async function loadConversation(conversationId: string): Promise<void> {
  const messages = await requireClient().listMessages(conversationId, 500);
  if (openConversationId(route.value) === conversationId) openMessages.value = messages;
}

function isLine(message: MessageRecord): boolean {
  // Reactions are stored as content too, but they are not lines of the chat.
  return message.kind === "content" && !isReaction(message);
}

async function onMessage(message: MessageRecord): Promise<void> {
  const open = openConversationId(route.value);
  if (open === message.conversationId) {
    await loadConversation(open);
    if (message.direction === "in" && message.status === "received" && document.visibilityState === "visible") {
      await requireClient()
        .markRead(open)
        .catch(() => undefined);
    }
  }
  await refreshConversations(message.conversationId);
  if (message.direction === "in" && message.kind === "content" && message.status === "received" && isLine(message)) {
    notifyIncoming(message, open === message.conversationId && document.visibilityState === "visible");
  }
}
