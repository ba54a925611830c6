import {
  acceptAll,
  makePskIndex,
  processPrivateMessage,
  type CiphersuiteImpl,
  type ClientState,
  type Proposal,
} from "ts-mls";
import { decryptSenderData } from "ts-mls/privateMessage.js";
import type { AuthenticationPort } from "../authenticationPort.js";
import type { Conversation } from "../conversation.js";
import { ConversationError } from "../conversationError.js";
import { readMlsCredential, type BoteCredential } from "../credential.js";
import { readDeliveryAddressExtension, type DeliveryAddress } from "../deliveryAddress.js";
import { readGroupNameExtension } from "../groupName.js";
import { makeReplayCiphersuite } from "../mls/replayCiphersuite.js";
import {
  decodeMessage,
  loadConversationSuite,
  memberAt,
  requireAddressBook,
  sameBytes,
  withAuthentication,
  zeroSecrets,
} from "./shared.js";
import { requireGuestRule } from "./guests.js";

/** Who sent a message: authenticated, since ts-mls verified the signature against this leaf's key. */
export interface MessageSender {
  readonly leafIndex: number;
  readonly credential: BoteCredential;
  readonly signaturePublicKey: Uint8Array;
}

/** A member named in a change; for a removed member, as the tree showed them before the commit. */
export type ConversationMember = MessageSender;

/** What a commit changed, so a UI can say "Alice added Carol" or "Bob has a new address". */
export interface CommitChanges {
  readonly added: readonly ConversationMember[];
  readonly removed: readonly ConversationMember[];
  /** The new name if the commit renamed the conversation. */
  readonly renamedTo: string | undefined;
  /** Members who stayed but moved to a new mailbox (an Update or a commit's own leaf). */
  readonly addressChanged: readonly (ConversationMember & { readonly address: DeliveryAddress })[];
}

/** A proposal by reference, waiting for some member to commit it (commitPendingProposals). */
export type IncomingProposal =
  | { readonly type: "remove"; readonly member: ConversationMember }
  | { readonly type: "other"; readonly proposalType: Proposal["proposalType"] };

export type IncomingResult =
  | {
      readonly kind: "application";
      readonly conversation: Conversation;
      readonly sender: MessageSender;
      readonly plaintext: Uint8Array;
      readonly authenticatedData: Uint8Array;
    }
  | {
      readonly kind: "commit";
      readonly conversation: Conversation;
      readonly sender: MessageSender;
      readonly changes: CommitChanges;
    }
  | {
      readonly kind: "proposal";
      readonly conversation: Conversation;
      readonly sender: MessageSender;
      readonly proposal: IncomingProposal;
    }
  | {
      /**
       * The commit removed this device. The returned conversation can no
       * longer send or decrypt anything newer; keep it only to show history.
       */
      readonly kind: "removed";
      readonly conversation: Conversation;
      readonly sender: MessageSender;
    };

/**
 * Processes one incoming message of this group. Only PrivateMessages are
 * accepted: Bote sends handshake messages encrypted too, so a PublicMessage
 * would be a downgrade that reveals membership changes to the server.
 */
export async function processIncoming(
  conversation: Conversation,
  bytes: Uint8Array,
  auth: AuthenticationPort,
): Promise<IncomingResult> {
  const message = decodeMessage(bytes);
  if (message.wireformat !== "mls_private_message") {
    throw new ConversationError("malformed_message", `expected a PrivateMessage, got ${message.wireformat}`);
  }
  const privateMessage = message.privateMessage;
  if (!sameBytes(privateMessage.groupId, conversation.group.groupContext.groupId)) {
    throw new ConversationError("wrong_group", "message belongs to another conversation");
  }
  // ts-mls decrypts the sender data again: it gets the same derivations from memory.
  const replay = makeReplayCiphersuite(await loadConversationSuite(conversation));
  let received: Proposal | undefined;
  let locateSender: () => MessageSender;
  let result: Awaited<ReturnType<typeof processPrivateMessage>>;
  try {
    // Read before processing: processing may zero the epoch's secrets (commits).
    locateSender = await findSender(conversation.group, privateMessage, replay.recording);
    result = await withAuthentication(conversation.group, auth, (state) =>
      processPrivateMessage(state!, privateMessage, makePskIndex(state, {}), replay.replaying, (incoming) => {
        if (incoming.kind === "proposal") received = incoming.proposal.proposal;
        return acceptAll(incoming);
      }),
    );
  } finally {
    replay.forget();
  }
  // Checked before zeroing, so a refused commit leaves the previous state intact for the caller.
  if (result.kind === "newState") {
    requireAddressBook(result.newState);
    requireGuestRule(conversation.group, result.newState);
    readName(result.newState);
  }
  zeroSecrets(result.consumed);
  // Only now is the sender authentic: ts-mls has verified the signature against that leaf.
  const sender = locateSender();
  const next = { ...conversation, group: result.newState };
  if (result.kind === "applicationMessage") {
    return {
      kind: "application",
      conversation: next,
      sender,
      plaintext: result.message,
      authenticatedData: privateMessage.authenticatedData,
    };
  }
  if (privateMessage.contentType === "proposal") {
    if (received === undefined) throw new ConversationError("mls_rejected", "proposal was not reported by ts-mls");
    return { kind: "proposal", conversation: next, sender, proposal: describeProposal(conversation.group, received) };
  }
  if (result.newState.groupActiveState.kind === "removedFromGroup")
    return { kind: "removed", conversation: next, sender };
  return { kind: "commit", conversation: next, sender, changes: diffStates(conversation.group, result.newState) };
}

/** The group's name; a commit carrying one that does not decode is refused like a malformed message. */
function readName(state: ClientState): string | undefined {
  const name = readGroupNameExtension(state.groupContext.extensions);
  if (name.ok) return name.value;
  throw new ConversationError("malformed_message", `group name: ${name.error.reason}`, { decodeFailure: name.error });
}

function describeProposal(before: ClientState, proposal: Proposal): IncomingProposal {
  if (proposal.proposalType !== "remove") return { type: "other", proposalType: proposal.proposalType };
  const member = memberAt(before, proposal.remove.removed);
  // ts-mls has validated the proposal, so the leaf exists and passed authentication when it joined.
  if (member === undefined) throw new ConversationError("unknown_member", "proposal removes an empty leaf");
  return { type: "remove", member };
}

function addressAt(state: ClientState, leafIndex: number): DeliveryAddress | undefined {
  const node = state.ratchetTree[leafIndex * 2];
  if (node?.nodeType !== "leaf") return undefined;
  const address = readDeliveryAddressExtension(node.leaf.extensions);
  return address.ok ? address.value : undefined;
}

/**
 * Compares the trees and contexts of two epochs instead of interpreting the
 * proposals: the result is what actually changed, whatever mix of Add,
 * Remove, Update and path a commit carried (a reused leaf shows up as one
 * removal and one addition).
 */
function diffStates(before: ClientState, after: ClientState): CommitChanges {
  const added: ConversationMember[] = [];
  const removed: ConversationMember[] = [];
  const addressChanged: (ConversationMember & { address: DeliveryAddress })[] = [];
  const leaves = Math.max(before.ratchetTree.length, after.ratchetTree.length) / 2;
  for (let leafIndex = 0; leafIndex < leaves; leafIndex++) {
    const old = memberAt(before, leafIndex);
    const now = memberAt(after, leafIndex);
    const same = old !== undefined && now !== undefined && sameBytes(old.signaturePublicKey, now.signaturePublicKey);
    if (!same) {
      if (old !== undefined) removed.push(old);
      if (now !== undefined) added.push(now);
      continue;
    }
    const oldAddress = addressAt(before, leafIndex);
    const newAddress = addressAt(after, leafIndex);
    if (newAddress !== undefined && !sameAddress(oldAddress, newAddress))
      addressChanged.push({ ...now, address: newAddress });
  }
  const oldName = readName(before);
  const newName = readName(after);
  return { added, removed, addressChanged, renamedTo: newName !== oldName ? newName : undefined };
}

function sameAddress(a: DeliveryAddress | undefined, b: DeliveryAddress): boolean {
  return a !== undefined && sameBytes(a.mailboxId, b.mailboxId) && sameBytes(a.capability, b.capability);
}

/**
 * ts-mls 1.6.4 does not report who sent a PrivateMessage, so the sender data
 * is decrypted a second time here (one small AEAD open) with the secrets of
 * the message's epoch, and the sender looked up in that epoch's tree.
 * Returns a thunk so that a failure surfaces only if processing succeeded.
 */
async function findSender(
  state: ClientState,
  message: { epoch: bigint } & Parameters<typeof decryptSenderData>[0],
  cs: CiphersuiteImpl,
): Promise<() => MessageSender> {
  const current = message.epoch === state.groupContext.epoch;
  const epochData = current
    ? { senderDataSecret: state.keySchedule.senderDataSecret, ratchetTree: state.ratchetTree }
    : state.historicalReceiverData.get(message.epoch);
  let senderData: Awaited<ReturnType<typeof decryptSenderData>>;
  try {
    senderData = epochData === undefined ? undefined : await decryptSenderData(message, epochData.senderDataSecret, cs);
  } catch {
    senderData = undefined;
  }
  return () => {
    const leafIndex = senderData?.leafIndex;
    const node = leafIndex === undefined ? undefined : epochData?.ratchetTree[leafIndex * 2];
    if (leafIndex === undefined || node?.nodeType !== "leaf") {
      throw new ConversationError("mls_rejected", "sender of a processed message not found");
    }
    const credential = readMlsCredential(node.leaf.credential);
    // Unreachable while every leaf passed our authentication service, which decodes the credential.
    if (!credential.ok) throw new ConversationError("authentication_rejected", "sender credential does not decode");
    return { leafIndex, credential: credential.value, signaturePublicKey: node.leaf.signaturePublicKey };
  };
}
