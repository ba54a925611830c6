import type { MessageRecord } from "@bote/core";
import { create } from "@bufbuild/protobuf";
import { DeleteSchema, EditSchema, ReactionSchema } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { sendContent } from "./outgoing.js";
import { editedBody, readContent } from "./records.js";
import { bytesFrom } from "./ServerApi.js";

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
  const content = readContent(target);
  const line = content?.body.case === "text" || content?.body.case === "attachment";
  if (target.direction !== "out" || target.senderAccountId !== ctx.profile().accountId || !line) {
    throw new ClientError("message_not_own", messageId);
  }
  if (target.deleted) throw new ClientError("message_deleted", messageId);
  return target;
}

/** Replaces the text (or a file's caption) of an own message, here and for the others. */
export async function editOwnMessage(ctx: ClientContext, messageId: string, text: string): Promise<MessageRecord> {
  const { conversationId } = await ownChatLine(ctx, messageId);
  const value = create(EditSchema, { targetMessageId: bytesOfId(messageId), text });
  await sendContent(ctx, conversationId, { case: "edit", value }, async () => {
    const target = await ownChatLine(ctx, messageId);
    return { ...target, body: editedBody(target, text, ctx.now()) };
  });
  return storedMessage(ctx, messageId);
}

/** Deletes an own message for everyone: the record stays, marked deleted, so the chat can show where it was. */
export async function deleteOwnMessage(ctx: ClientContext, messageId: string): Promise<MessageRecord> {
  const { conversationId } = await ownChatLine(ctx, messageId);
  const value = create(DeleteSchema, { targetMessageId: bytesOfId(messageId) });
  await sendContent(ctx, conversationId, { case: "delete", value }, async () => ({
    ...(await ownChatLine(ctx, messageId)),
    deleted: true,
  }));
  return storedMessage(ctx, messageId);
}

async function storedMessage(ctx: ClientContext, messageId: string): Promise<MessageRecord> {
  const message = await ctx.store.getMessage(messageId);
  if (message === undefined) throw new ClientError("message_unknown", messageId);
  return message;
}
