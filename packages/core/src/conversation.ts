import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  encodeGroupState,
  encodeMlsMessage,
  encodeRequiredCapabilities,
  joinGroup,
  makePskIndex,
  type ClientState,
  type Proposal,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import type { AuthenticationPort } from "./authenticationPort.js";
import { ConversationError } from "./conversationError.js";
import {
  DELIVERY_ADDRESS_EXTENSION_TYPE,
  readAddressBook,
  readDeliveryAddressExtension,
  type AddressBook,
} from "./deliveryAddress.js";
import type { Device } from "./device.js";
import { GROUP_NAME_EXTENSION_TYPE } from "./groupName.js";
import { decodeKeyPackage, generateKeyPackageBundle, type KeyPackageBundle } from "./keyPackages.js";
import { isBoteCiphersuite, loadCiphersuite, type BoteCiphersuiteName } from "./mls/ciphersuite.js";
import {
  assertNoExtensionsWithRemove,
  decodeMessage,
  loadConversationSuite,
  pendingProposals,
  requireActive,
  requireAddressBook,
  unwrap,
  withAuthentication,
  zeroSecrets,
} from "./conversation/shared.js";
import { requireGuestRule } from "./conversation/guests.js";

export { zeroSecrets };

/**
 * One MLS group as this device sees it. Immutable: every operation returns a
 * new conversation, and the caller must persist it before sending anything
 * the operation produced (an older sender state would reuse AES-GCM nonces).
 */
export interface Conversation {
  readonly ciphersuite: BoteCiphersuiteName;
  /** ts-mls state; exposed for tests and storage, not for callers to edit. */
  readonly group: ClientState;
}

/** A commit this device made; persist `conversation` before sending `commit`. */
export interface CommitResult {
  readonly conversation: Conversation;
  /** MLSMessage (PrivateMessage) for the existing members. */
  readonly commit: Uint8Array;
  /**
   * Secrets of the previous epoch that the commit used up. Not zeroed yet:
   * if the server refuses the commit (stale epoch), the caller goes back to
   * the previous conversation, which still needs them to process the winning
   * commit. Pass them to `zeroSecrets` once the server has accepted.
   */
  readonly consumedSecrets: readonly Uint8Array[];
}

export interface AddMembersResult extends CommitResult {
  /** MLSMessage (Welcome) for the new members; sent only if the commit wins its epoch. */
  readonly welcome: Uint8Array;
}

const GROUP_ID_BYTES = 16;
const STATE_FORMAT_VERSION = 1;

/**
 * Every member must understand the delivery-address extension (a leaf
 * without it could not be reached) and the group-name extension (a rename
 * would otherwise be refused for the whole group because of one member);
 * RFC 9420 lets the group require both.
 * Changing group context extensions later must be a commit of its own: in
 * ts-mls 1.6.4 a commit combining GroupContextExtensions with a Remove
 * breaks every receiver (upstream issue #742).
 */
const requiredCapabilitiesExtension = {
  extensionType: "required_capabilities" as const,
  extensionData: encodeRequiredCapabilities({
    extensionTypes: [DELIVERY_ADDRESS_EXTENSION_TYPE, GROUP_NAME_EXTENSION_TYPE],
    proposalTypes: [],
    credentialTypes: ["basic"],
  }),
};

export async function createConversation(device: Device, auth: AuthenticationPort): Promise<Conversation> {
  const cs = await loadCiphersuite(device.ciphersuite);
  const own = await generateKeyPackageBundle(device);
  const keyPackage = unwrap(
    decodeKeyPackage(own.keyPackage, device.ciphersuite),
    "invalid_key_package",
    "own key package",
  );
  // Random and opaque: the server orders commits per group id and must learn nothing from it.
  const groupId = cs.rng.randomBytes(GROUP_ID_BYTES);
  const group = await withAuthentication(undefined, auth, (_state, config) =>
    createGroup(groupId, keyPackage, own.privateKeys, [requiredCapabilitiesExtension], cs, config),
  );
  return { ciphersuite: device.ciphersuite, group };
}

/**
 * Adds members from their key packages in one commit. Each key package must
 * carry a delivery address, since the Welcome and every later message are
 * sent to the address in the new member's leaf.
 */
export async function addMembers(
  conversation: Conversation,
  keyPackages: readonly Uint8Array[],
  auth: AuthenticationPort,
): Promise<AddMembersResult> {
  if (keyPackages.length === 0) throw new RangeError("addMembers needs at least one key package");
  requireActive(conversation);
  const proposals: Proposal[] = keyPackages.map((bytes) => {
    const keyPackage = unwrap(decodeKeyPackage(bytes, conversation.ciphersuite), "invalid_key_package", "key package");
    unwrap(readDeliveryAddressExtension(keyPackage.leafNode.extensions), "invalid_key_package", "key package");
    return { proposalType: "add", add: { keyPackage } };
  });
  assertNoExtensionsWithRemove([...proposals, ...pendingProposals(conversation.group)]);
  const cs = await loadConversationSuite(conversation);
  const result = await withAuthentication(conversation.group, auth, (state) =>
    createCommit(
      { state: state!, cipherSuite: cs },
      // The tree travels inside the Welcome so joiners need no server round trip.
      { extraProposals: proposals, ratchetTreeExtension: true },
    ),
  );
  if (result.welcome === undefined) throw new ConversationError("mls_rejected", "commit with adds produced no Welcome");
  requireGuestRule(conversation.group, result.newState);
  return {
    conversation: { ...conversation, group: result.newState },
    commit: encodeMlsMessage(result.commit),
    welcome: encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: result.welcome }),
    consumedSecrets: result.consumed,
  };
}

/** Joins from a Welcome using the key package bundle it was addressed to. */
export async function joinConversation(
  welcomeBytes: Uint8Array,
  bundle: KeyPackageBundle,
  auth: AuthenticationPort,
): Promise<Conversation> {
  const message = decodeMessage(welcomeBytes);
  if (message.wireformat !== "mls_welcome") throw new ConversationError("malformed_message", "not a Welcome");
  const ciphersuite = message.welcome.cipherSuite;
  if (!isBoteCiphersuite(ciphersuite)) {
    throw new ConversationError("malformed_message", `ciphersuite ${ciphersuite} is not one Bote uses`);
  }
  const keyPackage = unwrap(decodeKeyPackage(bundle.keyPackage, ciphersuite), "invalid_key_package", "own key package");
  const cs = await loadCiphersuite(ciphersuite);
  const group = await withAuthentication(undefined, auth, (_state, config) =>
    joinGroup(
      message.welcome,
      keyPackage,
      bundle.privateKeys,
      makePskIndex(undefined, {}),
      cs,
      undefined,
      undefined,
      config,
    ),
  );
  requireAddressBook(group);
  requireGuestRule(undefined, group);
  return { ciphersuite, group };
}

/** Encrypts application data as an MLS PrivateMessage; persist the returned conversation before sending. */
export async function encryptMessage(
  conversation: Conversation,
  plaintext: Uint8Array,
  authenticatedData: Uint8Array = new Uint8Array(0),
): Promise<{ conversation: Conversation; message: Uint8Array }> {
  requireActive(conversation);
  const cs = await loadConversationSuite(conversation);
  let result: Awaited<ReturnType<typeof createApplicationMessage>>;
  try {
    result = await createApplicationMessage(conversation.group, plaintext, cs, authenticatedData);
  } catch (err) {
    throw new ConversationError("mls_rejected", err instanceof Error ? err.message : "encryption failed", {
      cause: err,
    });
  }
  zeroSecrets(result.consumed);
  return {
    conversation: { ...conversation, group: result.newState },
    message: encodeMlsMessage({
      version: "mls10",
      wireformat: "mls_private_message",
      privateMessage: result.privateMessage,
    }),
  };
}

/** Everyone's delivery address, read from this epoch's ratchet tree. */
export function readConversationAddressBook(conversation: Conversation): AddressBook {
  return readAddressBook(conversation.group.ratchetTree);
}

export function readGroupId(conversation: Conversation): Uint8Array {
  return conversation.group.groupContext.groupId;
}

export function readEpoch(conversation: Conversation): bigint {
  return conversation.group.groupContext.epoch;
}

/**
 * Serialises the group state for storage: a version byte and ts-mls's
 * encoding. The client config is not part of it (ts-mls drops it), so
 * restoring re-attaches one. Contains secrets: store it encrypted at rest.
 */
export function encodeConversation(conversation: Conversation): Uint8Array {
  const state = encodeGroupState(conversation.group);
  const out = new Uint8Array(1 + state.length);
  out[0] = STATE_FORMAT_VERSION;
  out.set(state, 1);
  return out;
}

export function restoreConversation(bytes: Uint8Array): Conversation {
  if (bytes[0] !== STATE_FORMAT_VERSION) throw new ConversationError("invalid_state", "unknown state format");
  let decoded: ReturnType<typeof decodeGroupState>;
  try {
    decoded = decodeGroupState(bytes, 1);
  } catch (err) {
    throw new ConversationError("invalid_state", "state does not decode", { cause: err });
  }
  if (decoded === undefined || decoded[1] !== bytes.length - 1) {
    throw new ConversationError("invalid_state", "state does not decode");
  }
  const ciphersuite = decoded[0].groupContext.cipherSuite;
  if (!isBoteCiphersuite(ciphersuite)) throw new ConversationError("invalid_state", "state uses a foreign ciphersuite");
  // Every operation installs its own authentication service; this default only makes the state complete.
  return { ciphersuite, group: { ...decoded[0], clientConfig: defaultClientConfig } };
}
