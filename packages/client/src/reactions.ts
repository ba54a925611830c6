import type { MessageRecord } from "@bote/core";
import { b64 } from "./ids.js";
import { readContent } from "./records.js";

/** One account's current reaction to a message. */
export interface CurrentReaction {
  readonly emoji: string;
  readonly senderAccountId: string;
  readonly senderName: string;
}

/**
 * The reactions a chat shows, by target message id: each account's latest
 * reaction to a message counts (by sentAt, then storedAt), an empty emoji
 * removes it. Pure, so a UI can recompute it from `listMessages`.
 */
export function reactionsOf(messages: readonly MessageRecord[]): Map<string, CurrentReaction[]> {
  const latest = new Map<string, { target: string; reaction: CurrentReaction; sentAt: number; storedAt: number }>();
  for (const m of messages) {
    if (m.deleted) continue;
    const body = readContent(m)?.body;
    if (body?.case !== "reaction") continue;
    const target = b64(body.value.targetMessageId);
    const key = `${m.senderAccountId}/${target}`;
    const before = latest.get(key);
    if (
      before !== undefined &&
      (before.sentAt > m.sentAt || (before.sentAt === m.sentAt && before.storedAt > m.storedAt))
    )
      continue;
    latest.set(key, {
      target,
      reaction: { emoji: body.value.emoji, senderAccountId: m.senderAccountId, senderName: m.senderName },
      sentAt: m.sentAt,
      storedAt: m.storedAt,
    });
  }
  const byTarget = new Map<string, CurrentReaction[]>();
  const ordered = [...latest.values()].sort((a, b) => a.sentAt - b.sentAt || a.storedAt - b.storedAt);
  for (const { target, reaction } of ordered) {
    if (reaction.emoji === "") continue;
    byTarget.set(target, [...(byTarget.get(target) ?? []), reaction]);
  }
  return byTarget;
}
