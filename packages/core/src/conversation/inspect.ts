import { DEFAULT_CIPHERSUITE, loadCiphersuite } from "../mls/ciphersuite.js";
import { decodeMessage } from "./shared.js";

/**
 * What an incoming envelope is, read from its cleartext MLS framing before
 * anything is decrypted: a client must know which conversation (or which of
 * its key packages) a payload belongs to, and whether it is from an epoch it
 * has already left — the echo of its own commit, or a late copy.
 */
export type EnvelopeKind =
  | { readonly kind: "welcome"; readonly keyPackageRefs: readonly Uint8Array[] }
  | {
      readonly kind: "group_message";
      readonly groupId: Uint8Array;
      readonly epoch: bigint;
      readonly contentType: "application" | "proposal" | "commit";
    }
  /** Anything else (PublicMessage, GroupInfo, a bare KeyPackage): Bote never sends it to a mailbox. */
  | { readonly kind: "unexpected"; readonly wireformat: string };

/** Throws ConversationError("malformed_message") when the bytes are not one MLS message. */
export function inspectEnvelope(bytes: Uint8Array): EnvelopeKind {
  const message = decodeMessage(bytes);
  switch (message.wireformat) {
    case "mls_welcome":
      return { kind: "welcome", keyPackageRefs: message.welcome.secrets.map((s) => s.newMember) };
    case "mls_private_message":
      return {
        kind: "group_message",
        groupId: message.privateMessage.groupId,
        epoch: message.privateMessage.epoch,
        contentType: message.privateMessage.contentType,
      };
    case "mls_public_message":
    case "mls_group_info":
    case "mls_key_package":
      return { kind: "unexpected", wireformat: message.wireformat };
  }
}

/**
 * A fingerprint of an envelope's exact bytes (SHA-256), so a client drops a
 * replayed copy before it reaches MLS: a replay would otherwise surface as
 * an undecryptable message, since its key was used up by the first copy.
 */
export async function envelopeFingerprint(bytes: Uint8Array): Promise<Uint8Array> {
  const cs = await loadCiphersuite(DEFAULT_CIPHERSUITE);
  return cs.hash.digest(bytes);
}
