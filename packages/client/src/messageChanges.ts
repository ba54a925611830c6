import type { MessageRecord } from "@bote/core";
import { create } from "@bufbuild/protobuf";
import { DeleteSchema, EditSchema, ReactionSchema } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { sendContent } from "./outgoing.js";
import { deletedRecord, editedBody, readContent } from "./records.js";
import { bytesFrom } from "./ServerApi.js";
import { applyWaiting, isWaitingLine } from "./waitingLines.js";

/** The bytes of a message id a caller passed in; a malformed one names no message. */
export function bytesOfId(id: string): Uint8Array {
  return bytesFrom(id, id, "message_unknown");
}

/**
 * Sends a reaction to a message of the conversation; an empty emoji removes
 * this account's reaction. It is stored like an incoming one, so reactionsOf
 * reads both sides the same way.
 */
export async function reactTo(
  ctx: ClientContext,
  conversationId: string,
  targetMessageId: string,
  emoji: string,
): Promise<void> {
  const target = await ctx.store.getMessage(targetMessageId);
  if (target === undefined || target.conversationId !== conversationId || target.kind !== "content") {
    throw new ClientError("message_unknown", targetMessageId);
  }
  const value = create(ReactionSchema, { targetMessageId: bytesOfId(targetMessageId), emoji });
  await sendContent(ctx, conversationId, { case: "reaction", value });
}

/**
 * A text or file this device's account sent and has not deleted: the only
 * messages the others accept an edit or delete for (see incoming.ts).
 */
async function ownChatLine(ctx: ClientContext, messageId: string): Promise<MessageRecord> {
  const target = await ctx.store.getMessage(messageId);
  if (target === undefined) throw new ClientError("message_unknown", messageId);
  // Checked first: a deleted line keeps no body to tell what it was.
  if (target.deleted && target.direction === "out" && target.senderAccountId === ctx.profile().accountId) {
    throw new ClientError("message_deleted", messageId);
  }
  const content = readContent(target);
  const line = content?.body.case === "text" || content?.body.case === "attachment";
  if (target.direction !== "out" || target.senderAccountId !== ctx.profile().accountId || !line) {
    throw new ClientError("message_not_own", messageId);
  }
  if (target.deleted) throw new ClientError("message_deleted", messageId);
  return target;
}

/**
 * Changes an own line that has not left yet (a file waiting for its upload,
 * or a line waiting behind one) here only: the others never saw it, so an
 * edit or delete sent for it would name a message they do not have. Returns
 * the changed record, or undefined if the line is no longer waiting (it went
 * out meanwhile) and the change has to be sent.
 */
async function changeWaitingLine(
  ctx: ClientContext,
  messageId: string,
  change: (line: MessageRecord) => MessageRecord,
): Promise<MessageRecord | undefined> {
  const changed = await ctx.serial.run(async () => {
    // Checked in the serial queue, where the drain encrypts a waiting line: it is either still waiting or sent.
    if (!(await isWaitingLine(ctx, messageId))) return undefined;
    const next = change(await ownChatLine(ctx, messageId));
    await applyWaiting(ctx, { messages: [next], ...(next.deleted ? { uploadsDelete: [messageId] } : {}) });
    return next;
  });
  if (changed !== undefined) ctx.events.emit("message", changed);
  return changed;
}

/**
 * Replaces the text (or a file's caption) of an own message, here and for
 * the others. A line still waiting is rewritten before it leaves: the others
 * get it as edited, not an edit of it.
 */
export async function editOwnMessage(ctx: ClientContext, messageId: string, text: string): Promise<MessageRecord> {
  const { conversationId } = await ownChatLine(ctx, messageId);
  // Edited at 0: the others get the line as first written, not marked edited.
  const rewritten = await changeWaitingLine(ctx, messageId, (line) => ({ ...line, body: editedBody(line, text, 0) }));
  if (rewritten !== undefined) return rewritten;
  const value = create(EditSchema, { targetMessageId: bytesOfId(messageId), text });
  await sendContent(ctx, conversationId, { case: "edit", value }, async () => {
    const target = await ownChatLine(ctx, messageId);
    return { ...target, body: editedBody(target, text, ctx.now()) };
  });
  return storedMessage(ctx, messageId);
}

/**
 * Deletes an own message for everyone: the record stays, marked deleted, so
 * the chat can show where it was. A line still waiting is cancelled: its
 * file (if any) is dropped from the store and nothing of it is ever sent.
 */
export async function deleteOwnMessage(ctx: ClientContext, messageId: string): Promise<MessageRecord> {
  const { conversationId } = await ownChatLine(ctx, messageId);
  const cancelled = await changeWaitingLine(ctx, messageId, deletedRecord);
  if (cancelled !== undefined) return cancelled;
  const value = create(DeleteSchema, { targetMessageId: bytesOfId(messageId) });
  await sendContent(ctx, conversationId, { case: "delete", value }, async () =>
    deletedRecord(await ownChatLine(ctx, messageId)),
  );
  return storedMessage(ctx, messageId);
}

async function storedMessage(ctx: ClientContext, messageId: string): Promise<MessageRecord> {
  const message = await ctx.store.getMessage(messageId);
  if (message === undefined) throw new ClientError("message_unknown", messageId);
  return message;
}
