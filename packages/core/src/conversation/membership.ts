import { createProposal, encodeMlsMessage, type ClientState, type Proposal } from "ts-mls";
import type { AuthenticationPort } from "../authenticationPort.js";
import type { CommitResult, Conversation } from "../conversation.js";
import { ConversationError } from "../conversationError.js";
import type { BoteCredential } from "../credential.js";
import {
  commitProposals,
  loadConversationSuite,
  memberAt,
  ownLeafIndex,
  pendingProposals,
  requireActive,
  sameBytes,
  zeroSecrets,
} from "./shared.js";

/** A member to remove: their leaf index, or their credential (matched by device key, which is unique per leaf). */
export type MemberSelector = number | BoteCredential;

function findLeaf(state: ClientState, selector: MemberSelector): number {
  const leaves = state.ratchetTree.length / 2;
  for (let leafIndex = 0; leafIndex < leaves; leafIndex++) {
    const member = memberAt(state, leafIndex);
    if (member === undefined) continue;
    if (
      typeof selector === "number"
        ? selector === leafIndex
        : sameBytes(member.signaturePublicKey, selector.devicePublicKey)
    ) {
      return leafIndex;
    }
  }
  throw new ConversationError("unknown_member", "no such member in this conversation");
}

/**
 * Removes members in one commit. A device cannot remove itself this way
 * (RFC 9420 forbids a committer's own Remove); it uses leaveConversation.
 */
export async function removeMembers(
  conversation: Conversation,
  members: readonly MemberSelector[],
  auth: AuthenticationPort,
): Promise<CommitResult> {
  if (members.length === 0) throw new RangeError("removeMembers needs at least one member");
  requireActive(conversation);
  const own = ownLeafIndex(conversation.group);
  const leaves = [...new Set(members.map((m) => findLeaf(conversation.group, m)))];
  if (leaves.includes(own)) throw new ConversationError("cannot_remove_self", "use leaveConversation to leave");
  return commitProposals(
    conversation,
    leaves.map((removed) => ({ proposalType: "remove", remove: { removed } })),
    auth,
  );
}

/**
 * Leaves the MLS way: a Remove proposal for the own leaf, sent by
 * reference. It takes effect when another member commits it
 * (commitPendingProposals); until then this device is still a member and
 * keeps receiving. Persist the returned conversation before sending.
 */
export async function leaveConversation(
  conversation: Conversation,
): Promise<{ conversation: Conversation; proposal: Uint8Array }> {
  requireActive(conversation);
  const cs = await loadConversationSuite(conversation);
  const removeSelf: Proposal = { proposalType: "remove", remove: { removed: ownLeafIndex(conversation.group) } };
  let result: Awaited<ReturnType<typeof createProposal>>;
  try {
    result = await createProposal(conversation.group, false, removeSelf, cs);
  } catch (err) {
    throw new ConversationError("mls_rejected", err instanceof Error ? err.message : "proposal failed", { cause: err });
  }
  // Only ratchet keys of this message: nothing a stale-epoch retry would need.
  zeroSecrets(result.consumed);
  return { conversation: { ...conversation, group: result.newState }, proposal: encodeMlsMessage(result.message) };
}

/** Whether proposals received by reference wait for a commit (e.g. a member who leaves). */
export function hasPendingProposals(conversation: Conversation): boolean {
  return pendingProposals(conversation.group).length > 0;
}

/** Commits the proposals received by reference, e.g. a member's request to leave. */
export async function commitPendingProposals(
  conversation: Conversation,
  auth: AuthenticationPort,
): Promise<CommitResult> {
  if (!hasPendingProposals(conversation)) throw new RangeError("no pending proposals to commit");
  return commitProposals(conversation, [], auth);
}
