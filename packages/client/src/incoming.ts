import {
  ConversationError,
  decodeKeyPackageBundle,
  encodeConversation,
  envelopeFingerprint,
  inspectEnvelope,
  isGuest,
  joinConversation,
  readWelcomeSigner,
  processIncoming,
  readEpoch,
  readRoster,
  restoreConversation,
  type Conversation,
  type ConversationRecord,
  type EnvelopeKind,
  type MessageRecord,
  type MessageSender,
  type StoreChanges,
} from "@bote/core";
import { decodeContent, Receipt_Kind, unpadPayload, type Content, type ContentBody, type Entry } from "@bote/protocol";
import { noteCredentials } from "./contacts.js";
import { acceptOrganisationKey, isRevokedMember, syncOrganisation } from "./organisation.js";
import type { ClientContext } from "./context.js";
import type { DropReason } from "./events.js";
import { withTimer } from "./disappearing.js";
import { b64 } from "./ids.js";
import { conversationRecord } from "./conversationRecord.js";
import {
  deletedRecord,
  editedBody,
  eventMessage,
  isChatLine,
  statusRank,
  winsTimer,
  type ConversationEvent,
} from "./records.js";

/** What one envelope changed, for the caller to emit once it is stored. */
interface Outcome {
  readonly changes: StoreChanges;
  readonly dropped?: { reason: DropReason; conversationId: string | undefined };
  readonly newDevices?: Set<string>;
  readonly keyChanges?: Set<string>;
  /** A member asked to leave: some member must commit it. */
  readonly commitProposalsOf?: string;
  /** A text or file from someone else was stored: its sender may get a delivery receipt. */
  readonly receivedLine?: MessageRecord;
}

/**
 * Turns delivered envelopes into stored state: decrypts, applies and stores
 * each one before the next, so the relay's acknowledgement (sent by the
 * connection after this resolves) never covers anything not on disk.
 */
export async function processEntries(ctx: ClientContext, entries: readonly Entry[]): Promise<void> {
  const received = new Map<string, string[]>();
  for (const entry of entries) {
    const outcome = await ctx.serial.run(async () => {
      const result = await processEnvelope(ctx, entry.payload);
      await ctx.store.apply(result.changes);
      return result;
    });
    announce(ctx, outcome);
    if (outcome.commitProposalsOf !== undefined) ctx.onProposal(outcome.commitProposalsOf);
    const line = outcome.receivedLine;
    if (line !== undefined)
      received.set(line.conversationId, [...(received.get(line.conversationId) ?? []), line.messageId]);
  }
  // One receipt per conversation and frame, not one per message.
  for (const [conversationId, messageIds] of received) ctx.onDelivered(conversationId, messageIds);
}

function announce(ctx: ClientContext, outcome: Outcome): void {
  for (const c of outcome.changes.conversations ?? []) ctx.events.emit("conversation", c);
  for (const m of outcome.changes.messages ?? []) ctx.events.emit("message", m);
  for (const contact of outcome.changes.contacts ?? []) {
    ctx.events.emit("contact", {
      contact,
      newDevice: outcome.newDevices?.has(contact.accountId) ?? false,
      keyChanged: outcome.keyChanges?.has(contact.accountId) ?? false,
    });
  }
  if (outcome.dropped !== undefined) ctx.events.emit("dropped", outcome.dropped);
}

function drop(reason: DropReason, conversationId?: string, changes: StoreChanges = {}): Outcome {
  return { changes, dropped: { reason, conversationId } };
}

async function processEnvelope(ctx: ClientContext, padded: Uint8Array): Promise<Outcome> {
  const payload = unpadPayload(padded);
  if (payload === undefined) return drop("unpadded");
  let kind: EnvelopeKind;
  try {
    kind = inspectEnvelope(payload);
  } catch {
    return drop("malformed");
  }
  const fingerprint = `envelope/${b64(await envelopeFingerprint(payload))}`;
  if (await ctx.store.hasSeen(fingerprint)) return drop("duplicate");
  const outcome = await processKind(ctx, payload, kind);
  // Remembered with what the envelope changed, in the same batch.
  return { ...outcome, changes: { ...outcome.changes, seen: [...(outcome.changes.seen ?? []), fingerprint] } };
}

function processKind(ctx: ClientContext, payload: Uint8Array, kind: EnvelopeKind): Promise<Outcome> {
  switch (kind.kind) {
    case "welcome":
      return processWelcome(ctx, payload, kind.keyPackageRefs);
    case "group_message":
      return processGroupMessage(ctx, payload, b64(kind.groupId), kind.epoch, kind.contentType);
    case "unexpected":
      return Promise.resolve(drop("malformed"));
  }
}

async function processWelcome(ctx: ClientContext, payload: Uint8Array, refs: readonly Uint8Array[]): Promise<Outcome> {
  for (const ref of refs) {
    const keyPackage = await ctx.store.getKeyPackage(b64(ref));
    if (keyPackage === undefined) continue;
    const bundle = decodeKeyPackageBundle(keyPackage.bundle);
    if (!bundle.ok) return drop("undecryptable");
    let conversation: Conversation;
    try {
      conversation = await joinWithFreshLog(ctx, payload, bundle.value);
    } catch (err) {
      return drop(isUntrusted(err) ? "untrusted_sender" : "undecryptable");
    }
    const conversationId = b64(conversation.group.groupContext.groupId);
    const existing = await ctx.store.getConversation(conversationId);
    // A second Welcome to a group this device is in (a resend) changes nothing.
    if (existing !== undefined && existing.active) return drop("duplicate", conversationId);
    const roster = readRoster(conversation);
    const { contacts, newDevice, keyChanged } = await noteCredentials(
      ctx,
      roster.map((m) => m.credential),
    );
    // Being added is shown, but only messages count as unread.
    const record = conversationRecord(ctx, conversation, undefined);
    const adder = await readWelcomeSigner(payload, bundle.value, conversation);
    const byOther = adder !== undefined && b64(adder.credential.accountId) !== ctx.profile().accountId;
    const joined: ConversationEvent = byOther
      ? { type: "joined", by: adder.credential.displayName }
      : { type: "joined" };
    return {
      changes: {
        conversations: [record],
        messages: [eventMessage(ctx, record.conversationId, joined)],
        contacts,
        // A one-time key package is used up; the last-resort one stays for the next newcomer.
        ...(keyPackage.lastResort ? {} : { keyPackagesDelete: [keyPackage.ref] }),
      },
      newDevices: newDevice,
      keyChanges: keyChanged,
    };
  }
  return drop("not_for_this_device");
}

/**
 * An inquiry counts only from the customer of its own group, for the contact
 * point its certificate names; an inquiry update only from staff, in a group
 * without a customer (so the customer can neither read nor forge one).
 * Everything else a customer sends is an ordinary line of its inquiry.
 */
function fitsConversation(record: ConversationRecord, sender: MessageSender, body: ContentBody): boolean {
  const issuer = sender.credential.accountCertificate.issuer;
  switch (body.case) {
    case "inquiry":
      return (
        record.kind === "inquiry" &&
        issuer.kind === "guest" &&
        b64(issuer.contactPointId) === b64(body.value.contactPointId)
      );
    case "inquiryUpdate":
      return issuer.kind !== "guest" && (record.kind === "group" || record.kind === "inquiry_staff");
    case "disappearingTimer":
      // Team chats only: an inquiry follows its contact point's retention instead.
      return record.kind === "direct" || record.kind === "group";
    case "text":
    case "attachment":
    case "reaction":
    case "edit":
    case "delete":
    case "receipt":
    case "organisationKey":
      return true;
  }
}

/**
 * Joins from a Welcome; one that the trust policy refuses is tried once more
 * after reading the organisation's log, since it may name what this device
 * has not applied yet (a customer's contact point published a moment ago,
 * a colleague's new certificate). The log only ever adds what verifies, so
 * the retry admits nothing the chain does not prove. A guest reads no log.
 */
async function joinWithFreshLog(
  ctx: ClientContext,
  payload: Uint8Array,
  bundle: Parameters<typeof joinConversation>[1],
): Promise<Conversation> {
  try {
    return await joinConversation(payload, bundle, ctx.trust);
  } catch (err) {
    if (!isUntrusted(err) || isGuest(ctx.device().credential)) throw err;
    const before = ctx.organisation();
    await syncOrganisation(ctx).catch(() => undefined);
    if (ctx.organisation() === before) throw err;
    return joinConversation(payload, bundle, ctx.trust);
  }
}

function isUntrusted(err: unknown): boolean {
  return err instanceof ConversationError && err.code === "authentication_rejected";
}

async function processGroupMessage(
  ctx: ClientContext,
  payload: Uint8Array,
  conversationId: string,
  epoch: bigint,
  contentType: "application" | "proposal" | "commit",
): Promise<Outcome> {
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined) return drop("unknown_conversation", conversationId);
  if (!record.active) return drop("old_epoch", conversationId);
  const current = restoreConversation(record.state);
  const currentEpoch = readEpoch(current);
  // A handshake from an epoch this device left is the echo of its own commit
  // (it was alone in the group) or one that lost the race: nothing to apply.
  // Application messages sent just before a commit still decrypt: the core
  // keeps the last epochs' receiver secrets for them.
  if (epoch < currentEpoch && contentType !== "application") return drop("old_epoch", conversationId);
  if (epoch > currentEpoch) return drop("future_epoch", conversationId);
  let result: Awaited<ReturnType<typeof processIncoming>>;
  try {
    result = await processIncoming(current, payload, ctx.trust);
  } catch (err) {
    const untrusted = isUntrusted(err);
    return drop(untrusted ? "untrusted_sender" : "undecryptable", conversationId, {
      messages: [eventMessage(ctx, conversationId, { type: untrusted ? "untrusted_sender" : "undecryptable" })],
    });
  }
  switch (result.kind) {
    case "application":
      return applyContent(ctx, record, result.conversation, result.sender, result.plaintext);
    case "commit": {
      const roster = readRoster(result.conversation);
      const { contacts, newDevice, keyChanged } = await noteCredentials(
        ctx,
        roster.map((m) => m.credential),
      );
      const next = conversationRecord(ctx, result.conversation, record, { pendingState: undefined });
      const by = result.sender.credential.displayName;
      const events: MessageRecord[] = [];
      const { added, removed, renamedTo } = result.changes;
      const committer = b64(result.sender.credential.accountId);
      // A person who adds their own new device (phone + PC) adds no one: the chat says so calmly.
      const ownDevices = added.filter((m) => b64(m.credential.accountId) === committer);
      if (ownDevices.length > 0) events.push(eventMessage(ctx, conversationId, { type: "device_added", by }));
      const newcomers = added.filter((m) => b64(m.credential.accountId) !== committer);
      for (const [type, members] of [
        ["members_added", newcomers],
        ["members_removed", removed],
      ] as const) {
        if (members.length === 0) continue;
        events.push(
          eventMessage(ctx, conversationId, { type, by, members: members.map((m) => m.credential.displayName) }),
        );
      }
      if (renamedTo !== undefined)
        events.push(eventMessage(ctx, conversationId, { type: "renamed", by, name: renamedTo }));
      return {
        changes: { conversations: [next], messages: events, contacts },
        newDevices: newDevice,
        keyChanges: keyChanged,
      };
    }
    case "proposal":
      return {
        changes: { conversations: [conversationRecord(ctx, result.conversation, record)] },
        commitProposalsOf: conversationId,
      };
    case "removed": {
      const next = conversationRecord(ctx, result.conversation, record, { active: false, pendingState: undefined });
      return {
        changes: {
          conversations: [next],
          messages: [eventMessage(ctx, conversationId, { type: "removed", by: result.sender.credential.displayName })],
        },
      };
    }
  }
}

async function applyContent(
  ctx: ClientContext,
  record: ConversationRecord,
  conversation: Conversation,
  sender: MessageSender,
  plaintext: Uint8Array,
): Promise<Outcome> {
  const conversationId = record.conversationId;
  // The ratchet moved whatever the content is: the new state is stored in every case.
  const stateOnly: ConversationRecord = { ...record, state: encodeConversation(conversation) };
  // A revoked member may still hold the group's keys until its removal is committed: nothing it says counts.
  if (isRevokedMember(ctx.organisation(), sender)) {
    return drop("untrusted_sender", conversationId, { conversations: [stateOnly] });
  }
  let content: Content & { body: ContentBody };
  try {
    content = decodeContent(plaintext);
  } catch {
    return drop("unsupported_content", conversationId, {
      conversations: [stateOnly],
      messages: [eventMessage(ctx, conversationId, { type: "unsupported_content" })],
    });
  }
  const messageId = b64(content.messageId);
  const senderAccountId = b64(sender.credential.accountId);
  const seenKey = `${conversationId}/${b64(sender.signaturePublicKey)}/${messageId}`;
  if (await ctx.store.hasSeen(seenKey)) return drop("duplicate", conversationId, { conversations: [stateOnly] });
  const base: StoreChanges = { conversations: [stateOnly], seen: [seenKey] };
  const body = content.body;
  switch (body.case) {
    case "text":
    case "attachment":
    case "reaction":
    case "inquiry":
    case "inquiryUpdate":
    case "disappearingTimer": {
      if (!fitsConversation(record, sender, body)) return { changes: base };
      const existing = await ctx.store.getMessage(messageId);
      // Another sender's content cannot take over an id already stored.
      if (existing !== undefined) return drop("duplicate", conversationId, base);
      // Written on another device of this person: shown as one's own, neither unread nor receipted.
      const mine = senderAccountId === ctx.profile().accountId;
      const shown = isChatLine(body) && !mine;
      const message: MessageRecord = {
        messageId,
        conversationId,
        direction: mine ? "out" : "in",
        senderAccountId,
        senderName: sender.credential.displayName,
        sentAt: Number(content.sentAtMs),
        storedAt: ctx.now(),
        kind: "content",
        body: plaintext,
        status: mine ? "sent" : "received",
        deleted: false,
      };
      // The first update marks a group as an inquiry's staff group (docs/PROTOCOL.md §18).
      const kept: ConversationRecord =
        body.case === "inquiryUpdate"
          ? { ...stateOnly, kind: "inquiry_staff" }
          : body.case === "disappearingTimer" && (await winsTimer(ctx, conversationId, message.sentAt, messageId))
            ? withTimer(stateOnly, body.value.seconds)
            : stateOnly;
      const bumped: ConversationRecord = shown
        ? { ...kept, unread: record.unread + 1, lastActivityAt: ctx.now() }
        : mine && isChatLine(body)
          ? { ...kept, lastActivityAt: ctx.now() }
          : kept;
      return {
        changes: { ...base, conversations: [bumped], messages: [message] },
        ...(shown ? { receivedLine: message } : {}),
      };
    }
    case "edit":
    case "delete": {
      const target = await ctx.store.getMessage(b64(body.value.targetMessageId));
      // Only the author may change a message, and only in its own conversation.
      if (
        target === undefined ||
        target.senderAccountId !== senderAccountId ||
        target.conversationId !== conversationId
      ) {
        return { changes: base };
      }
      const changed: MessageRecord =
        body.case === "delete"
          ? deletedRecord(target)
          : { ...target, body: editedBody(target, body.value.text, Number(content.sentAtMs)) };
      return { changes: { ...base, messages: [changed] } };
    }
    case "organisationKey":
      await acceptOrganisationKey(ctx, sender, body.value.signKey);
      return { changes: base };
    case "receipt": {
      const status = body.value.kind === Receipt_Kind.READ ? "read" : "delivered";
      const updated: MessageRecord[] = [];
      for (const id of body.value.targetMessageIds) {
        const target = await ctx.store.getMessage(b64(id));
        if (target === undefined || target.direction !== "out" || target.conversationId !== conversationId) continue;
        if (statusRank(status) > statusRank(target.status)) updated.push({ ...target, status });
      }
      return { changes: { ...base, messages: updated } };
    }
  }
}
