/**
 * What a person does with a chat's messages: send a text (as a reply),
 * edit one, react, delete, copy. Each is an action (state/actions.ts); the
 * SDK's message events bring the result into the chat.
 */
import { t } from "../i18n/i18n.js";
import { runAction } from "./actions.js";
import { ownProfile, requireClient, showToast } from "./session.js";
import type { Line } from "./lines.js";

/** Whether the text went to the outbox; if not, the composer keeps it. */
export async function sendText(conversationId: string, text: string, replyTo?: string): Promise<boolean> {
  const sent = await runAction("send", async () => {
    await requireClient().sendText(conversationId, text, replyTo);
    return true;
  });
  return sent === true;
}

/** Whether the edit went to the outbox; if not, the composer keeps it. */
export async function editMessage(messageId: string, text: string): Promise<boolean> {
  const edited = await runAction("send", async () => {
    await requireClient().edit(messageId, text);
    return true;
  });
  return edited === true;
}

/** The emoji this person reacted with to a line, if any. */
export function ownReaction(line: Line): string | undefined {
  if (line.kind === "event") return undefined;
  const self = ownProfile().accountId;
  return line.reactions.find((r) => r.senderAccountId === self)?.emoji;
}

/** Reacts with the emoji, or takes the own reaction back when it is the same one. */
export async function react(line: Exclude<Line, { kind: "event" }>, emoji: string): Promise<void> {
  const { conversationId, messageId } = line.record;
  await runAction("message", () =>
    requireClient().react(conversationId, messageId, ownReaction(line) === emoji ? "" : emoji),
  );
}

export async function deleteMessage(messageId: string): Promise<void> {
  await runAction("message", () => requireClient().deleteMessage(messageId));
}

export async function copyText(text: string): Promise<void> {
  await runAction("message", async () => {
    await navigator.clipboard.writeText(text);
    showToast(t("message.copied"));
  });
}
