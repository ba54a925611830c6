import type { Conversation } from "../conversation.js";
import { readMlsCredential, type BoteCredential } from "../credential.js";
import type { DecodeResult } from "../decodeResult.js";
import { readDeliveryAddressExtension, type DeliveryAddress } from "../deliveryAddress.js";
import { decodeKeyPackage } from "../keyPackages.js";
import type { BoteCiphersuiteName } from "../mls/ciphersuite.js";
import type { ConversationMember } from "./incoming.js";
import { memberAt, ownLeafIndex, pendingProposals } from "./shared.js";

export interface RosterMember extends ConversationMember {
  /** Undefined when the leaf carries no valid address (it cannot be sent to). */
  readonly address: DeliveryAddress | undefined;
  /** This device's own leaf. */
  readonly self: boolean;
}

/** Every member of this epoch with credential and delivery address, in leaf order. */
export function readRoster(conversation: Conversation): RosterMember[] {
  const state = conversation.group;
  const own = ownLeafIndex(state);
  const out: RosterMember[] = [];
  for (let leafIndex = 0; leafIndex * 2 < state.ratchetTree.length; leafIndex++) {
    const member = memberAt(state, leafIndex);
    const node = state.ratchetTree[leafIndex * 2];
    if (member === undefined || node?.nodeType !== "leaf") continue;
    const address = readDeliveryAddressExtension(node.leaf.extensions);
    out.push({ ...member, address: address.ok ? address.value : undefined, self: leafIndex === own });
  }
  return out;
}

/** The delivery address in a key package's leaf: where the Welcome for it goes. */
export function readKeyPackageAddress(
  keyPackageBytes: Uint8Array,
  ciphersuite: BoteCiphersuiteName,
): DecodeResult<DeliveryAddress> {
  const decoded = decodeKeyPackage(keyPackageBytes, ciphersuite);
  if (!decoded.ok) return decoded;
  return readDeliveryAddressExtension(decoded.value.leafNode.extensions);
}

/** Whose a key package is: the credential in its leaf (its chain is the trust policy's to judge). */
export function readKeyPackageCredential(
  keyPackageBytes: Uint8Array,
  ciphersuite: BoteCiphersuiteName,
): DecodeResult<BoteCredential> {
  const decoded = decodeKeyPackage(keyPackageBytes, ciphersuite);
  if (!decoded.ok) return decoded;
  return readMlsCredential(decoded.value.leafNode.credential);
}

/** Members that Remove proposals received by reference (e.g. a leave) will take out with the next commit. */
export function readPendingRemovals(conversation: Conversation): RosterMember[] {
  const removed = new Set(
    pendingProposals(conversation.group).flatMap((p) => (p.proposalType === "remove" ? [p.remove.removed] : [])),
  );
  return readRoster(conversation).filter((m) => removed.has(m.leafIndex));
}
