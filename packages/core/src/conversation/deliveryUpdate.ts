import { createCommit, encodeMlsMessage, type ClientState } from "ts-mls";
import type { AuthenticationPort } from "../authenticationPort.js";
import type { CommitResult, Conversation } from "../conversation.js";
import { ConversationError } from "../conversationError.js";
import {
  DELIVERY_ADDRESS_EXTENSION_TYPE,
  makeDeliveryAddressExtension,
  readDeliveryAddressExtension,
} from "../deliveryAddress.js";
import type { Device } from "../device.js";
import {
  loadConversationSuite,
  ownLeafIndex,
  pendingProposals,
  requireActive,
  sameBytes,
  withAuthentication,
} from "./shared.js";

/**
 * The own leaf with the new address in place of the old one. ts-mls 1.6.4
 * has no option for the leaf node of a commit's path: createUpdatePath
 * copies the extensions of the committer's current leaf and signs a fresh
 * leaf node. So the new address goes into the local tree copy before the
 * commit is built; the path's signed leaf node then carries it to everyone.
 */
function withOwnAddress(state: ClientState, device: Device): ClientState {
  const nodeIndex = ownLeafIndex(state) * 2;
  const node = state.ratchetTree[nodeIndex];
  if (node?.nodeType !== "leaf") throw new ConversationError("invalid_state", "own leaf is missing");
  if (!sameBytes(node.leaf.signaturePublicKey, device.signatureKeyPair.publicKey)) {
    throw new ConversationError("wrong_device", "the device does not own this conversation's leaf");
  }
  const extensions = [
    ...node.leaf.extensions.filter((e) => e.extensionType !== DELIVERY_ADDRESS_EXTENSION_TYPE),
    makeDeliveryAddressExtension(device.deliveryAddress),
  ];
  const ratchetTree = state.ratchetTree.slice();
  ratchetTree[nodeIndex] = { nodeType: "leaf", leaf: { ...node.leaf, extensions } };
  return { ...state, ratchetTree };
}

/**
 * Announces the device's new mailbox (after it moved away from spam) with
 * an empty commit whose path replaces the own leaf node. An empty commit
 * always carries a path in MLS; pending proposals by reference are refused
 * because with only Adds among them ts-mls would commit without a path.
 */
export async function updateDeliveryAddress(
  conversation: Conversation,
  device: Device,
  auth: AuthenticationPort,
): Promise<CommitResult> {
  requireActive(conversation);
  if (pendingProposals(conversation.group).length > 0) {
    throw new ConversationError("pending_proposals", "commit pending proposals before moving the mailbox");
  }
  const prepared = withOwnAddress(conversation.group, device);
  const cs = await loadConversationSuite(conversation);
  const result = await withAuthentication(prepared, auth, (state) =>
    createCommit({ state: state!, cipherSuite: cs }, { extraProposals: [] }),
  );
  const ownLeaf = result.newState.ratchetTree[ownLeafIndex(result.newState) * 2];
  const published = ownLeaf?.nodeType === "leaf" ? readDeliveryAddressExtension(ownLeaf.leaf.extensions) : undefined;
  // Guards the workaround above: if ts-mls ever stops copying the leaf's extensions, fail loudly.
  if (!published?.ok || !sameBytes(published.value.mailboxId, device.deliveryAddress.mailboxId)) {
    throw new ConversationError("mls_rejected", "the commit did not carry the new delivery address");
  }
  return {
    conversation: { ...conversation, group: result.newState },
    commit: encodeMlsMessage(result.commit),
    consumedSecrets: result.consumed,
  };
}
