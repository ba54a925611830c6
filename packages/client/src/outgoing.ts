import { create } from "@bufbuild/protobuf";
import {
  encodeConversation,
  encryptMessage,
  readEpoch,
  readRoster,
  restoreConversation,
  zeroSecrets,
  type CommitResult,
  type Conversation,
  type ConversationRecord,
  type DeliveryAddress,
  type MessageRecord,
  type OutboxRecord,
} from "@bote/core";
import {
  CONTENT_VERSION,
  decodeClientFrame,
  encodeClientFrame,
  encodeContent,
  isErrorCode,
  RecipientSchema,
  SendSchema,
  type ContentBody,
  type ErrorCode,
  type Recipient,
  type Send,
  type SendResult,
} from "@bote/protocol";
import { ClientError, isOffline } from "./clientError.js";
import { noteCredentials } from "./contacts.js";
import type { ClientContext } from "./context.js";
import { b64, randomId } from "./ids.js";
import { bytesFrom } from "./ServerApi.js";
import { conversationRecord } from "./conversationRecord.js";
import { eventMessage, isChatLine, isStored, readContent, winsTimer, type ConversationEvent } from "./records.js";
import { Serial } from "./serial.js";
import { applyWaiting, chatHasWaiting, drainAgain, isWaitingLine } from "./waitingLines.js";
import { checkExternalChat } from "./policy.js";

const COMMIT_ATTEMPTS = 5;
const WINNER_WAIT_MS = 10_000;

function recipient(address: DeliveryAddress): Recipient {
  return create(RecipientSchema, { mailboxId: address.mailboxId, capability: address.capability });
}

/** Everyone in the conversation but this device. */
export function otherMembers(conversation: Conversation): Recipient[] {
  return readRoster(conversation)
    .filter((m) => !m.self && m.address !== undefined)
    .map((m) => recipient(m.address!));
}

export async function requireConversation(ctx: ClientContext, conversationId: string): Promise<ConversationRecord> {
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined) throw new ClientError("contact_unknown", conversationId);
  if (!record.active) throw new ClientError("conversation_inactive");
  return record;
}

/**
 * Encrypts one content for a conversation and queues it. The new ratchet
 * state, the message and the outbox entry are stored in one batch before
 * anything is sent: an older sender state would reuse AES-GCM nonces.
 * Texts, files and reactions are stored as messages (a reaction neither
 * counts as activity nor is receipted); `change` yields the stored message
 * this content edits or deletes, applied in the same batch. A text or file
 * for a chat in which a line still waits (a file for its upload) is not
 * encrypted yet: it waits behind it (see waitingLines.ts), so the others get
 * the chat's lines in the order they were written.
 */
export async function sendContent(
  ctx: ClientContext,
  conversationId: string,
  body: ContentBody,
  change?: () => Promise<MessageRecord>,
): Promise<MessageRecord | undefined> {
  const prepared = await ctx.serial.run(async () => {
    const record = await requireConversation(ctx, conversationId);
    if (isChatLine(body)) checkExternalChat(ctx, record);
    if (isChatLine(body) && (await chatHasWaiting(ctx, conversationId))) {
      return { held: await storeWaitingLine(ctx, record, body, new Uint8Array(0)) };
    }
    // Read (and checked) in turn with incoming changes, so a receipt stored meanwhile is not overwritten.
    const changed = await change?.();
    return encryptAndStore(ctx, record, body, changed, undefined);
  });
  if ("held" in prepared) {
    ctx.events.emit("message", prepared.held);
    drainAgain(ctx);
    return prepared.held;
  }
  return deliverPrepared(ctx, prepared);
}

/**
 * Stores a chat line that is not encrypted yet, with its upload record (the
 * file's ciphertext, or nothing for a line that only waits its turn), in one
 * batch; called in the serial queue. The drain (sendUploads) sends it.
 */
export async function storeWaitingLine(
  ctx: ClientContext,
  record: ConversationRecord,
  body: ContentBody,
  ciphertext: Uint8Array,
): Promise<MessageRecord> {
  const now = ctx.now();
  const messageId = randomId();
  const message: MessageRecord = {
    messageId: b64(messageId),
    conversationId: record.conversationId,
    direction: "out",
    senderAccountId: ctx.profile().accountId,
    senderName: ctx.device().credential.displayName,
    sentAt: now,
    storedAt: now,
    kind: "content",
    body: encodeContent({ version: CONTENT_VERSION, messageId, sentAtMs: BigInt(now), ...timerOf(record, body), body }),
    status: "queued",
    deleted: false,
  };
  await applyWaiting(ctx, {
    conversations: [{ ...record, lastActivityAt: now }],
    messages: [message],
    uploadsPut: [{ messageId: message.messageId, conversationId: record.conversationId, ciphertext, createdAt: now }],
  });
  return message;
}

/**
 * Encrypts and queues a waiting line in its turn, under its first id and
 * times, as it is stored now (a caption edited while the file was uploaded
 * goes out edited); `blobId` names the file its upload stored. Nothing is
 * sent for a line deleted meanwhile.
 */
export async function sendWaitingLine(
  ctx: ClientContext,
  messageId: string,
  blobId?: Uint8Array,
): Promise<MessageRecord | undefined> {
  const prepared = await ctx.serial.run(async () => {
    const queued = await ctx.store.getMessage(messageId);
    if (queued === undefined || queued.deleted || !(await isWaitingLine(ctx, messageId))) return undefined;
    const content = readContent(queued);
    if (content === undefined || !isChatLine(content.body)) throw new ClientError("not_an_attachment", messageId);
    if (blobId !== undefined && content.body.case === "attachment") content.body.value.blobId = blobId;
    const record = await requireConversation(ctx, queued.conversationId);
    return encryptAndStore(ctx, record, content.body, undefined, queued);
  });
  return prepared === undefined ? undefined : deliverPrepared(ctx, prepared);
}

interface Prepared {
  readonly message: MessageRecord | undefined;
  readonly outbox: OutboxRecord | undefined;
  readonly changed: MessageRecord | undefined;
}

/**
 * Encrypts and stores, in the serial queue. `queued` is a line stored before
 * it could be encrypted: it keeps its id, times and place, and its upload
 * record goes in the same batch.
 */
async function encryptAndStore(
  ctx: ClientContext,
  record: ConversationRecord,
  body: ContentBody,
  changed: MessageRecord | undefined,
  queued: MessageRecord | undefined,
): Promise<Prepared> {
  const { conversationId } = record;
  const messageId = queued === undefined ? randomId() : bytesFrom(queued.messageId, "messageId");
  const now = ctx.now();
  const sentAt = queued?.sentAt ?? now;
  // A waiting line keeps the timer it was written under; a new one takes the chat's.
  const timer = queued === undefined ? timerOf(record, body) : expireOf(readContent(queued)?.expireAfterS);
  const plaintext = encodeContent({ version: CONTENT_VERSION, messageId, sentAtMs: BigInt(sentAt), ...timer, body });
  const encrypted = await encryptMessage(restoreConversation(record.state), plaintext);
  const recipients = otherMembers(encrypted.conversation);
  const shown = isChatLine(body);
  const profile = ctx.profile();
  const message: MessageRecord | undefined = isStored(body)
    ? {
        messageId: b64(messageId),
        conversationId,
        direction: "out",
        senderAccountId: profile.accountId,
        senderName: ctx.device().credential.displayName,
        sentAt,
        storedAt: queued?.storedAt ?? now,
        kind: "content",
        body: plaintext,
        status: recipients.length === 0 ? "sent" : "queued",
        deleted: false,
      }
    : undefined;
  const outbox: OutboxRecord | undefined =
    recipients.length === 0
      ? undefined
      : {
          outboxId: b64(randomId()),
          conversationId,
          messageId: message?.messageId,
          send: encodeSend({ recipients, payload: encrypted.message }),
          createdAt: now,
          attempts: 0,
        };
  await applyWaiting(ctx, {
    conversations: [
      {
        ...record,
        // The sender's own change counts only if no later one (by a clock ahead of this one) is here already.
        ...(body.case === "disappearingTimer" && (await winsTimer(ctx, conversationId, sentAt, b64(messageId)))
          ? { disappearingSeconds: body.value.seconds }
          : {}),
        state: encodeConversation(encrypted.conversation),
        lastActivityAt: shown ? now : record.lastActivityAt,
      },
    ],
    messages: [...(message === undefined ? [] : [message]), ...(changed === undefined ? [] : [changed])],
    ...(outbox === undefined ? {} : { outboxPut: [outbox] }),
    ...(queued === undefined ? {} : { uploadsDelete: [queued.messageId] }),
  });
  return { message, outbox, changed };
}

/** The chat's timer, for a text or file sent in it now (docs/PROTOCOL.md §21). */
function timerOf(record: ConversationRecord, body: ContentBody): { expireAfterS?: number } {
  const line = body.case === "text" || body.case === "attachment";
  return line ? expireOf(record.disappearingSeconds) : {};
}

function expireOf(seconds: number | undefined): { expireAfterS?: number } {
  return seconds === undefined || seconds === 0 ? {} : { expireAfterS: seconds };
}

/** Emits what was stored and sends it; offline, it stays queued and goes out on the next connection. */
async function deliverPrepared(ctx: ClientContext, prepared: Prepared): Promise<MessageRecord | undefined> {
  const { message, outbox, changed } = prepared;
  if (message !== undefined) ctx.events.emit("message", message);
  if (changed !== undefined) ctx.events.emit("message", changed);
  if (outbox === undefined) return message;
  try {
    await sendInTurn(ctx, outbox);
  } catch (err) {
    if (!isOffline(err)) throw err;
  }
  return message === undefined ? undefined : ((await ctx.store.getMessage(message.messageId)) ?? message);
}

export function encodeSend(send: {
  recipients: Recipient[];
  payload: Uint8Array;
  commit?: NonNullable<Send["commit"]>;
  welcome?: NonNullable<Send["welcome"]>;
}): Uint8Array {
  return encodeClientFrame({ case: "send", value: create(SendSchema, { messageId: new Uint8Array(16), ...send }) });
}

function decodeSend(outbox: OutboxRecord): Send {
  const frame = decodeClientFrame(outbox.send);
  if (frame.case !== "send") throw new ClientError("server_unexpected", "outbox entry is not a send");
  return frame.value;
}

/**
 * Outbox sends of one client leave one after another: a message written
 * while the flush after a reconnect still sends older ones would otherwise
 * overtake them (found with MemoryRelay, test/relayOutbox.test.ts).
 */
const outboxLanes = new WeakMap<ClientContext, Serial>();

function outboxLane(ctx: ClientContext): Serial {
  let lane = outboxLanes.get(ctx);
  if (lane === undefined) outboxLanes.set(ctx, (lane = new Serial()));
  return lane;
}

/**
 * Sends a new outbox entry after the messages queued before it, in the
 * outbox lane; nothing if a flush sent it meanwhile. Commits are left to
 * runCommit and flushOutbox, which settle them.
 */
export async function sendInTurn(ctx: ClientContext, outbox: OutboxRecord): Promise<void> {
  await outboxLane(ctx).run(async () => {
    const queued = await ctx.store.listOutbox();
    const at = queued.findIndex((o) => o.outboxId === outbox.outboxId);
    for (const older of queued.slice(0, at + 1)) {
      if (decodeSend(older).commit === undefined) await deliverOutboxEntry(ctx, older);
    }
  });
}

/** Sends one outbox entry under its relay message id (a resend is stored once) and settles it. */
export async function deliverOutboxEntry(ctx: ClientContext, outbox: OutboxRecord): Promise<SendResult> {
  const send = decodeSend(outbox);
  await ctx.store.apply({ outboxPut: [{ ...outbox, attempts: outbox.attempts + 1 }] });
  const result = await ctx.connection.send({ ...send, messageId: bytesFrom(outbox.outboxId, "outboxId") });
  if (send.commit !== undefined) return result; // runCommit and flushOutbox settle commits.
  const accepted = result.errorCode === "";
  // In the serial queue: a receipt processed between the read and the write would otherwise be undone.
  const sent = await ctx.serial.run(async () => {
    const message = outbox.messageId === undefined ? undefined : await ctx.store.getMessage(outbox.messageId);
    // A refused send is dropped from the outbox, so it must show as failed (e.g. every capability invalid after the
    // server lost its secrets); left "queued" it would wait for ever without a word.
    const next =
      message !== undefined && message.status === "queued"
        ? { ...message, status: accepted ? ("sent" as const) : ("failed" as const) }
        : undefined;
    await ctx.store.apply({ outboxDelete: [outbox.outboxId], ...(next === undefined ? {} : { messages: [next] }) });
    return next;
  });
  if (sent !== undefined) ctx.events.emit("message", sent);
  if (!accepted) {
    ctx.events.emit("problem", {
      code: result.errorCode,
      detail: outbox.messageId === undefined ? "send refused" : `send refused: message ${outbox.messageId} failed`,
      ...(outbox.messageId === undefined ? {} : { messageId: outbox.messageId }),
    });
  }
  return result;
}

/** What a membership operation produces from the current conversation. */
export interface CommitPlan {
  readonly result: CommitResult & { readonly welcome?: Uint8Array };
  /** Where the Welcome goes: the new members' addresses, read from their key packages. */
  readonly welcomeRecipients?: readonly DeliveryAddress[];
  readonly event: ConversationEvent;
  readonly overrides?: Partial<ConversationRecord>;
}

/**
 * Commits a change to a conversation the way DESIGN.md orders it: the state
 * after the commit is stored as pending together with the outbox entry, the
 * commit goes out under the server's epoch guard, and only an accepted
 * commit makes the pending state current (and zeroes the secrets it used
 * up). A lost race (stale_epoch) drops the pending state, waits until the
 * winner's commit is processed, and plans the change again on top of it.
 *
 * `initial` is a conversation not stored yet (a new group): it is stored
 * together with its first commit, so a refused member leaves nothing behind.
 */
export async function runCommit(
  ctx: ClientContext,
  conversationId: string,
  plan: (conversation: Conversation) => Promise<CommitPlan>,
  initial?: Conversation,
): Promise<ConversationRecord> {
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const outcome = await ctx.serial.run(async () => {
      const stored = await ctx.store.getConversation(conversationId);
      if (stored !== undefined && !stored.active) throw new ClientError("conversation_inactive");
      const current = stored === undefined ? initial : restoreConversation(stored.state);
      if (current === undefined) throw new ClientError("contact_unknown", conversationId);
      const planned = await plan(current);
      const { result } = planned;
      const others = otherMembers(current);
      // The relay needs one recipient; alone in a group, the device sends the commit to itself and drops the echo.
      const recipients = others.length > 0 ? others : [recipient(ctx.device().deliveryAddress)];
      const send = {
        recipients,
        payload: result.commit,
        commit: {
          $typeName: "bote.v1.CommitGuard" as const,
          groupId: current.group.groupContext.groupId,
          epoch: readEpoch(current),
        },
        ...(result.welcome === undefined
          ? {}
          : {
              welcome: {
                $typeName: "bote.v1.Welcome" as const,
                recipients: (planned.welcomeRecipients ?? []).map(recipient),
                payload: result.welcome,
              },
            }),
      };
      const outbox: OutboxRecord = {
        outboxId: b64(randomId()),
        conversationId,
        messageId: undefined,
        send: encodeSend(send),
        createdAt: ctx.now(),
        attempts: 0,
      };
      const base = stored ?? conversationRecord(ctx, current, undefined);
      await ctx.store.apply({
        conversations: [{ ...base, pendingState: encodeConversation(result.conversation) }],
        outboxPut: [outbox],
      });
      const answer = await deliverOutboxEntry(ctx, outbox);
      const settled = await settleCommit(ctx, conversationId, outbox.outboxId, answer, planned);
      if (settled !== undefined) zeroSecrets(result.consumedSecrets);
      return { settled, answer };
    });
    if (outcome.settled !== undefined) return outcome.settled;
    await waitForEpoch(ctx, conversationId, Number(outcome.answer.currentEpoch));
  }
  throw new ClientError("commit_conflict");
}

/**
 * Applies the server's answer to a commit: accepted (or a duplicate of an
 * accepted one) makes the pending state current; anything else drops it.
 * Returns the new record when the commit won.
 */
async function settleCommit(
  ctx: ClientContext,
  conversationId: string,
  outboxId: string,
  answer: SendResult,
  planned?: Pick<CommitPlan, "event" | "overrides">,
): Promise<ConversationRecord | undefined> {
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined || record.pendingState === undefined) {
    await ctx.store.apply({ outboxDelete: [outboxId] });
    return undefined;
  }
  if (answer.errorCode !== "") {
    await ctx.store.apply({ outboxDelete: [outboxId], conversations: [{ ...record, pendingState: undefined }] });
    if (answer.errorCode !== "stale_epoch") throw new ClientError(asCode(answer.errorCode));
    return undefined;
  }
  const won = restoreConversation(record.pendingState);
  const next = conversationRecord(ctx, won, record, { pendingState: undefined, ...(planned?.overrides ?? {}) });
  const event = planned === undefined ? [] : [eventMessage(ctx, conversationId, planned.event)];
  // The members this device just added are contacts now, with the trust their credentials earn.
  const { contacts, newDevice, keyChanged } = await noteCredentials(
    ctx,
    readRoster(won).map((m) => m.credential),
  );
  await ctx.store.apply({ outboxDelete: [outboxId], conversations: [next], messages: event, contacts });
  ctx.events.emit("conversation", next);
  for (const m of event) ctx.events.emit("message", m);
  for (const contact of contacts) {
    ctx.events.emit("contact", {
      contact,
      newDevice: newDevice.has(contact.accountId),
      keyChanged: keyChanged.has(contact.accountId),
    });
  }
  return next;
}

function asCode(code: string): ErrorCode | "server_unexpected" {
  return isErrorCode(code) ? code : "server_unexpected";
}

/** Waits until processing the winner's commit brought the conversation to `epoch`. */
async function waitForEpoch(ctx: ClientContext, conversationId: string, epoch: number): Promise<void> {
  const deadline = ctx.now() + WINNER_WAIT_MS;
  for (;;) {
    const record = await ctx.store.getConversation(conversationId);
    if (record === undefined || !record.active || record.epoch >= epoch) return;
    if (ctx.now() > deadline) throw new ClientError("commit_conflict", "the winning commit did not arrive");
    await new Promise<void>((resolve) => {
      const off = ctx.events.on("conversation", (c) => {
        if (c.conversationId === conversationId) done();
      });
      const timer = setTimeout(done, 200);
      function done() {
        off();
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

/**
 * Sends everything the outbox still holds, oldest first: messages written
 * while offline, and a commit whose answer was lost (its resend is a
 * duplicate if it was stored, or stale if another commit won meanwhile).
 */
export function flushOutbox(ctx: ClientContext): Promise<number> {
  return outboxLane(ctx).run(async () => {
    let sent = 0;
    for (const outbox of await ctx.store.listOutbox()) {
      const answer = await deliverOutboxEntry(ctx, outbox);
      if (decodeSend(outbox).commit !== undefined) {
        await ctx.serial.run(() => settleCommit(ctx, outbox.conversationId, outbox.outboxId, answer));
      }
      sent++;
    }
    return sent;
  });
}
