import {
  encodeConversation,
  isGuest,
  readConversationName,
  readEpoch,
  readRoster,
  type Conversation,
  type ConversationRecord,
} from "@bote/core";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";

/**
 * The stored record for a conversation after an MLS step. A conversation
 * without a name is a direct chat (Bote names every group), and shows the
 * other person's name.
 */
export function conversationRecord(
  ctx: ClientContext,
  conversation: Conversation,
  previous: ConversationRecord | undefined,
  overrides: Partial<ConversationRecord> = {},
): ConversationRecord {
  const groupName = readConversationName(conversation);
  // The person's own other devices are in every chat too; "the other person" is someone else.
  const own = ctx.profile().accountId;
  const roster = readRoster(conversation);
  const others = roster.filter((m) => !m.self && b64(m.credential.accountId) !== own);
  // A group that holds a customer is that customer's inquiry, whatever its name (the core lets no guest in elsewhere).
  const guest = roster.find((m) => isGuest(m.credential));
  const kind = previous?.kind ?? (guest !== undefined ? "inquiry" : groupName === undefined ? "direct" : "group");
  // Staff see an inquiry under the customer's name; the customer's own device keeps the contact point's.
  const peer = kind === "inquiry" ? (guest?.self === true ? undefined : guest) : others[0];
  return {
    conversationId: b64(conversation.group.groupContext.groupId),
    kind,
    name:
      groupName ??
      ((kind === "direct" || kind === "inquiry") && peer !== undefined
        ? peer.credential.displayName
        : (previous?.name ?? "")),
    peerAccountId:
      previous?.peerAccountId ??
      ((kind === "direct" || kind === "inquiry") && peer !== undefined ? b64(peer.credential.accountId) : undefined),
    state: encodeConversation(conversation),
    epoch: Number(readEpoch(conversation)),
    pendingState: previous?.pendingState,
    active: previous?.active ?? true,
    unread: previous?.unread ?? 0,
    lastActivityAt: ctx.now(),
    ...overrides,
  };
}
