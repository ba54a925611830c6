import { encodeConversation, restoreConversation, type Conversation } from "@bote/core";
import type { ClientContext } from "./context.js";
import { b64, randomId } from "./ids.js";
import { encodeSend, otherMembers, requireConversation, sendInTurn } from "./outgoing.js";

/**
 * Sends an MLS message that is not content and not a commit (a proposal,
 * e.g. leaving) to the other members, with the same rule as content: the
 * state after it is stored, with the outbox entry, before it leaves.
 */
export async function sendHandshake(
  ctx: ClientContext,
  conversationId: string,
  make: (conversation: Conversation) => Promise<{ conversation: Conversation; message: Uint8Array }>,
): Promise<void> {
  const outbox = await ctx.serial.run(async () => {
    const record = await requireConversation(ctx, conversationId);
    const made = await make(restoreConversation(record.state));
    const recipients = otherMembers(made.conversation);
    const entry =
      recipients.length === 0
        ? undefined
        : {
            outboxId: b64(randomId()),
            conversationId,
            messageId: undefined,
            send: encodeSend({ recipients, payload: made.message }),
            createdAt: ctx.now(),
            attempts: 0,
          };
    await ctx.store.apply({
      conversations: [{ ...record, state: encodeConversation(made.conversation) }],
      ...(entry === undefined ? {} : { outboxPut: [entry] }),
    });
    return entry;
  });
  if (outbox !== undefined) await sendInTurn(ctx, outbox);
}
