import type { DecodeFailure } from "./decodeResult.js";

export type ConversationErrorCode =
  /** Our authentication port (or the credential/key binding check) refused a member. */
  | "authentication_rejected"
  /** A key package is malformed, of another suite, or carries no delivery address. */
  | "invalid_key_package"
  /** A commit or Welcome would put a member without a valid delivery address into the tree. */
  | "missing_delivery_address"
  /** Bytes that are not a well-formed message of the expected kind. */
  | "malformed_message"
  /** A message for another group: the caller routed it to the wrong conversation. */
  | "wrong_group"
  /** Stored state that cannot be restored. */
  | "invalid_state"
  /** The member to remove is not in the group (unknown leaf or credential). */
  | "unknown_member"
  /** A device tried to remove itself by commit; MLS forbids it, use leaveConversation. */
  | "cannot_remove_self"
  /** A commit would combine a group context change with a Remove (ts-mls issue #742). */
  | "conflicting_proposals"
  /** Proposals received by reference must be committed first (commitPendingProposals). */
  | "pending_proposals"
  /** This device was removed from the group; the state is only kept to show the history. */
  | "removed_from_conversation"
  /** The device passed in is not the one that owns this device's leaf. */
  | "wrong_device"
  /** A second guest in a group, or a guest added to a group it did not create (docs/PROTOCOL.md §18). */
  | "guest_not_allowed"
  /** ts-mls refused the operation for a reason of its own (bad signature, old epoch, …). */
  | "mls_rejected";

/** The one error type the conversation API throws, so callers can switch on `code`. */
export class ConversationError extends Error {
  override readonly name = "ConversationError";

  constructor(
    readonly code: ConversationErrorCode,
    message: string,
    options?: { cause?: unknown; decodeFailure?: DecodeFailure },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.decodeFailure = options?.decodeFailure;
  }

  /** Set when the error comes from a strict decoder: which field failed and why. */
  readonly decodeFailure: DecodeFailure | undefined;
}
