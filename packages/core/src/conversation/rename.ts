import type { Proposal } from "ts-mls";
import type { AuthenticationPort } from "../authenticationPort.js";
import type { CommitResult, Conversation } from "../conversation.js";
import { ConversationError } from "../conversationError.js";
import { GROUP_NAME_EXTENSION_TYPE, makeGroupNameExtension, readGroupNameExtension } from "../groupName.js";
import { commitProposals, pendingProposals, requireActive } from "./shared.js";

/** The conversation's name from the group context; `undefined` until someone names it. */
export function readConversationName(conversation: Conversation): string | undefined {
  const name = readGroupNameExtension(conversation.group.groupContext.extensions);
  // Every name in a state passed the strict decoder on the way in (processIncoming, join).
  return name.ok ? name.value : undefined;
}

/**
 * Renames the conversation with a GroupContextExtensions commit of its own.
 * The proposal replaces the whole extension list, so the others (required
 * capabilities) are carried over. Refused while proposals by reference are
 * pending: ts-mls would bundle them in, and a pending Remove together with
 * GroupContextExtensions breaks every receiver in ts-mls 1.6.4 (issue #742).
 */
export async function renameConversation(
  conversation: Conversation,
  name: string,
  auth: AuthenticationPort,
): Promise<CommitResult> {
  requireActive(conversation);
  const extension = makeGroupNameExtension(name);
  if (pendingProposals(conversation.group).length > 0) {
    throw new ConversationError("pending_proposals", "commit pending proposals before renaming");
  }
  const others = conversation.group.groupContext.extensions.filter(
    (e) => e.extensionType !== GROUP_NAME_EXTENSION_TYPE,
  );
  const proposals: Proposal[] = [
    { proposalType: "group_context_extensions", groupContextExtensions: { extensions: [...others, extension] } },
  ];
  // With nothing pending, the commit holds this proposal alone; commitProposals still enforces #742.
  return commitProposals(conversation, proposals, auth);
}
