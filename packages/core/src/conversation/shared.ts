// Helpers every conversation use case shares: the authentication wrapper,
// strict decoding, the address-book invariant and committing proposals.
import {
  createCommit,
  decodeMlsMessage,
  encodeMlsMessage,
  type CiphersuiteImpl,
  type ClientState,
  type MLSMessage,
  type Proposal,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import {
  makeAuthenticationService,
  type AuthenticationPort,
  type AuthenticationRejection,
} from "../authenticationPort.js";
import type { CommitResult, Conversation } from "../conversation.js";
import { ConversationError } from "../conversationError.js";
import { readMlsCredential, type BoteCredential } from "../credential.js";
import type { DecodeResult } from "../decodeResult.js";
import { readAddressBook } from "../deliveryAddress.js";
import { loadCiphersuite } from "../mls/ciphersuite.js";
import { requireGuestRule } from "./guests.js";

/**
 * Runs one ts-mls operation with our authentication port installed. The
 * state's client config is replaced on every call instead of being stored:
 * a restored state has none (decodeGroupState drops it), and a per-call
 * rejection list tells an authentication failure apart from other errors.
 */
export async function withAuthentication<T>(
  state: ClientState | undefined,
  auth: AuthenticationPort,
  run: (state: ClientState | undefined, config: ClientState["clientConfig"]) => Promise<T>,
): Promise<T> {
  const rejections: AuthenticationRejection[] = [];
  const config = { ...defaultClientConfig, authService: makeAuthenticationService(auth, rejections) };
  try {
    return await run(state === undefined ? undefined : { ...state, clientConfig: config }, config);
  } catch (err) {
    if (err instanceof ConversationError) throw err;
    const rejection = rejections[0];
    if (rejection !== undefined) {
      throw new ConversationError(
        "authentication_rejected",
        `a member's credential was refused (${rejection.reason === "port_rejected" ? `${rejection.reason}: ${rejection.verdict}` : rejection.reason})`,
        {
          cause: err,
        },
      );
    }
    throw new ConversationError("mls_rejected", err instanceof Error ? err.message : "MLS operation failed", {
      cause: err,
    });
  }
}

/**
 * Invariant of every Bote group: each leaf carries a valid delivery address,
 * so the tree always works as the address book. Checked on everything that
 * comes from others (Welcomes and commits), because a sender's client may
 * not have checked the key packages it added.
 */
export function requireAddressBook(state: ClientState): void {
  const missing = readAddressBook(state.ratchetTree).unreachable[0];
  if (missing !== undefined) {
    throw new ConversationError(
      "missing_delivery_address",
      `member at leaf ${missing.leafIndex} has no delivery address`,
      {
        decodeFailure: missing.error,
      },
    );
  }
}

/** Secrets ts-mls no longer needs; zeroing them limits what a later memory dump reveals. */
export function zeroSecrets(consumed: readonly Uint8Array[]): void {
  // Not ts-mls's zeroOutUint8Array: it fills with random bytes first, a
  // getRandomValues call per secret (~2 % of a message in Chromium), and
  // JavaScript does not elide the stores that fill(0) makes.
  for (const secret of consumed) secret.fill(0);
}

export function decodeMessage(bytes: Uint8Array): MLSMessage {
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch (err) {
    throw new ConversationError("malformed_message", "not an MLS message", { cause: err });
  }
  if (decoded === undefined) throw new ConversationError("malformed_message", "not an MLS message");
  if (decoded[1] !== bytes.length) throw new ConversationError("malformed_message", "trailing bytes after MLS message");
  return decoded[0];
}

export function unwrap<T>(result: DecodeResult<T>, code: "invalid_key_package" | "invalid_state", what: string): T {
  if (result.ok) return result.value;
  throw new ConversationError(code, `${what}: ${result.error.reason} at ${result.error.field}`, {
    decodeFailure: result.error,
  });
}

export async function loadConversationSuite(conversation: Conversation): Promise<CiphersuiteImpl> {
  return loadCiphersuite(conversation.ciphersuite);
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** This device's leaf in the group. */
export function ownLeafIndex(state: ClientState): number {
  return state.privatePath.leafIndex;
}

/** The member at a leaf with its decoded credential, or undefined for a blank or undecodable leaf. */
export function memberAt(
  state: ClientState,
  leafIndex: number,
): { leafIndex: number; credential: BoteCredential; signaturePublicKey: Uint8Array } | undefined {
  const node = state.ratchetTree[leafIndex * 2];
  if (node?.nodeType !== "leaf") return undefined;
  const credential = readMlsCredential(node.leaf.credential);
  if (!credential.ok) return undefined;
  return { leafIndex, credential: credential.value, signaturePublicKey: node.leaf.signaturePublicKey };
}

/** Proposals received by reference that ts-mls will put into this device's next commit. */
export function pendingProposals(state: ClientState): Proposal[] {
  return Object.values(state.unappliedProposals).map((p) => p.proposal);
}

/**
 * ts-mls 1.6.4 breaks every receiver of a commit that combines a
 * GroupContextExtensions proposal with a Remove (upstream issue #742), so
 * no Bote commit may contain both. Checked on the full set a commit will
 * carry: the proposals passed in and those pending by reference.
 */
export function assertNoExtensionsWithRemove(proposals: readonly Proposal[]): void {
  const hasRemove = proposals.some((p) => p.proposalType === "remove");
  const hasExtensions = proposals.some((p) => p.proposalType === "group_context_extensions");
  if (hasRemove && hasExtensions) {
    throw new ConversationError(
      "conflicting_proposals",
      "a commit must not combine a group context change with a removal (ts-mls issue #742)",
    );
  }
}

/** A device removed from the group can neither send nor commit; say so before ts-mls throws a generic error. */
export function requireActive(conversation: Conversation): void {
  if (conversation.group.groupActiveState.kind === "removedFromGroup") {
    throw new ConversationError("removed_from_conversation", "this device is no longer a member");
  }
}

/**
 * Commits proposals (plus any received by reference) as one PrivateMessage,
 * never a GroupContextExtensions proposal together with a Remove (#742).
 * The commit always carries a path when it removes someone (ts-mls decides),
 * so removed members learn nothing of the next epoch.
 */
export async function commitProposals(
  conversation: Conversation,
  proposals: Proposal[],
  auth: AuthenticationPort,
): Promise<CommitResult> {
  requireActive(conversation);
  assertNoExtensionsWithRemove([...proposals, ...pendingProposals(conversation.group)]);
  const cs = await loadConversationSuite(conversation);
  const result = await withAuthentication(conversation.group, auth, (state) =>
    createCommit({ state: state!, cipherSuite: cs }, { extraProposals: proposals }),
  );
  // Pending proposals by reference may carry an Add another member sent.
  requireGuestRule(conversation.group, result.newState);
  return {
    conversation: { ...conversation, group: result.newState },
    commit: encodeMlsMessage(result.commit),
    // Not zeroed: if the server refuses the commit, the previous conversation still needs them.
    consumedSecrets: result.consumed,
  };
}
