import type { ContactRecord, ConversationRecord, StoreChanges } from "./ClientStore.js";
import { ClientStoreError } from "./ClientStoreError.js";

/**
 * The checks every ClientStore runs on a batch before it touches anything
 * (see `ClientStore.apply`): ids are non-empty strings, byte fields are
 * Uint8Arrays, numbers are safe integers. A bad batch is a bug in the
 * caller; refusing it whole keeps a half-written conversation off the disk.
 */
export function validateStoreChanges(changes: StoreChanges): void {
  const { profile } = changes;
  if (profile !== undefined) {
    for (const key of ["serverUrl", "accountId", "deviceId", "organisationId"] as const) {
      requireId(profile[key], `profile.${key}`);
    }
    requireBytes(profile.device, "profile.device");
    requireBytes(profile.accountSignKey, "profile.accountSignKey");
    optionalBytes(profile.organisationSignKey, "profile.organisationSignKey");
    requireBytes(profile.organisation, "profile.organisation");
  }
  changes.conversations?.forEach((c, i) => validateConversation(c, `conversations[${i}]`));
  changes.messages?.forEach((m, i) => {
    const at = `messages[${i}]`;
    requireId(m.messageId, `${at}.messageId`);
    requireId(m.conversationId, `${at}.conversationId`);
    requireBytes(m.body, `${at}.body`);
    requireInteger(m.sentAt, `${at}.sentAt`);
    requireInteger(m.storedAt, `${at}.storedAt`);
  });
  changes.outboxPut?.forEach((o, i) => {
    const at = `outboxPut[${i}]`;
    requireId(o.outboxId, `${at}.outboxId`);
    requireId(o.conversationId, `${at}.conversationId`);
    if (o.messageId !== undefined) requireId(o.messageId, `${at}.messageId`);
    requireBytes(o.send, `${at}.send`);
    requireInteger(o.createdAt, `${at}.createdAt`);
    requireInteger(o.attempts, `${at}.attempts`);
  });
  changes.outboxDelete?.forEach((id, i) => requireId(id, `outboxDelete[${i}]`));
  changes.uploadsPut?.forEach((u, i) => {
    const at = `uploadsPut[${i}]`;
    requireId(u.messageId, `${at}.messageId`);
    requireId(u.conversationId, `${at}.conversationId`);
    requireBytes(u.ciphertext, `${at}.ciphertext`);
    requireInteger(u.createdAt, `${at}.createdAt`);
  });
  changes.uploadsDelete?.forEach((id, i) => requireId(id, `uploadsDelete[${i}]`));
  changes.contacts?.forEach((c, i) => validateContact(c, `contacts[${i}]`));
  changes.keyPackagesPut?.forEach((k, i) => {
    const at = `keyPackagesPut[${i}]`;
    requireId(k.ref, `${at}.ref`);
    requireBytes(k.bundle, `${at}.bundle`);
    requireInteger(k.createdAt, `${at}.createdAt`);
  });
  changes.keyPackagesDelete?.forEach((ref, i) => requireId(ref, `keyPackagesDelete[${i}]`));
  changes.seen?.forEach((key, i) => requireId(key, `seen[${i}]`));
  changes.conversationsDelete?.forEach((id, i) => requireId(id, `conversationsDelete[${i}]`));
  changes.messagesDelete?.forEach((id, i) => requireId(id, `messagesDelete[${i}]`));
}

function validateConversation(c: ConversationRecord, at: string): void {
  requireId(c.conversationId, `${at}.conversationId`);
  if (c.peerAccountId !== undefined) requireId(c.peerAccountId, `${at}.peerAccountId`);
  requireBytes(c.state, `${at}.state`);
  optionalBytes(c.pendingState, `${at}.pendingState`);
  requireInteger(c.epoch, `${at}.epoch`);
  requireInteger(c.unread, `${at}.unread`);
  requireInteger(c.lastActivityAt, `${at}.lastActivityAt`);
  if (c.disappearingSeconds !== undefined) requireInteger(c.disappearingSeconds, `${at}.disappearingSeconds`);
}

function validateContact(c: ContactRecord, at: string): void {
  requireId(c.accountId, `${at}.accountId`);
  c.devices.forEach((d, j) => {
    requireId(d.devicePublicKey, `${at}.devices[${j}].devicePublicKey`);
    requireInteger(d.firstSeenAt, `${at}.devices[${j}].firstSeenAt`);
  });
}

function requireId(value: unknown, path: string): void {
  if (typeof value !== "string" || value.length === 0) fail(path, "must be a non-empty string");
}

function requireBytes(value: unknown, path: string): void {
  if (!(value instanceof Uint8Array)) fail(path, "must be a Uint8Array");
}

function optionalBytes(value: unknown, path: string): void {
  if (value !== undefined) requireBytes(value, path);
}

function requireInteger(value: unknown, path: string): void {
  if (!Number.isSafeInteger(value)) fail(path, "must be a safe integer");
}

function fail(path: string, rule: string): never {
  throw new ClientStoreError("store_changes_invalid", `${path} ${rule}; nothing was stored`, { path });
}
