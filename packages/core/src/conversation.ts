import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeGroupState,
  decodeMlsMessage,
  encodeGroupState,
  encodeMlsMessage,
  encodeRequiredCapabilities,
  joinGroup,
  makePskIndex,
  processPrivateMessage,
  zeroOutUint8Array,
  acceptAll,
  type CiphersuiteImpl,
  type ClientState,
  type MLSMessage,
  type Proposal,
} from "ts-mls";
import { defaultClientConfig } from "ts-mls/clientConfig.js";
import { decryptSenderData } from "ts-mls/privateMessage.js";
import {
  makeAuthenticationService,
  type AuthenticationPort,
  type AuthenticationRejection,
} from "./authenticationPort.js";
import { ConversationError } from "./conversationError.js";
import { readMlsCredential, type BoteCredential } from "./credential.js";
import type { DecodeResult } from "./decodeResult.js";
import {
  DELIVERY_ADDRESS_EXTENSION_TYPE,
  readAddressBook,
  readDeliveryAddressExtension,
  type AddressBook,
} from "./deliveryAddress.js";
import type { Device } from "./device.js";
import { decodeKeyPackage, generateKeyPackageBundle, type KeyPackageBundle } from "./keyPackages.js";
import { isBoteCiphersuite, loadCiphersuite, type BoteCiphersuiteName } from "./mls/ciphersuite.js";

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

export interface AddMembersResult {
  readonly conversation: Conversation;
  /** MLSMessage (PrivateMessage) for the existing members. */
  readonly commit: Uint8Array;
  /** MLSMessage (Welcome) for the new members; sent only if the commit wins its epoch. */
  readonly welcome: Uint8Array;
  /**
   * Secrets of the previous epoch that the commit used up. Not zeroed yet:
   * if the server refuses the commit (stale epoch), the caller goes back to
   * the previous conversation, which still needs them to process the winning
   * commit. Pass them to `zeroSecrets` once the server has accepted.
   */
  readonly consumedSecrets: readonly Uint8Array[];
}

/** Who sent a message: authenticated, since ts-mls verified the signature against this leaf's key. */
export interface MessageSender {
  readonly leafIndex: number;
  readonly credential: BoteCredential;
  readonly signaturePublicKey: Uint8Array;
}

export type IncomingResult =
  | {
      readonly kind: "application";
      readonly conversation: Conversation;
      readonly sender: MessageSender;
      readonly plaintext: Uint8Array;
      readonly authenticatedData: Uint8Array;
    }
  | { readonly kind: "commit" | "proposal"; readonly conversation: Conversation; readonly sender: MessageSender };

const GROUP_ID_BYTES = 16;
const STATE_FORMAT_VERSION = 1;

/**
 * Every member must understand the delivery-address extension: a leaf
 * without it could not be reached, and RFC 9420 lets the group require it.
 * Changing group context extensions later must be a commit of its own: in
 * ts-mls 1.6.4 a commit combining GroupContextExtensions with a Remove
 * breaks every receiver (upstream issue #742).
 */
const requiredCapabilitiesExtension = {
  extensionType: "required_capabilities" as const,
  extensionData: encodeRequiredCapabilities({
    extensionTypes: [DELIVERY_ADDRESS_EXTENSION_TYPE],
    proposalTypes: [],
    credentialTypes: ["basic"],
  }),
};

/**
 * Runs one ts-mls operation with our authentication port installed. The
 * state's client config is replaced on every call instead of being stored:
 * a restored state has none (decodeGroupState drops it), and a per-call
 * rejection list tells an authentication failure apart from other errors.
 */
async function withAuthentication<T>(
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
        `a member's credential was refused (${rejection.reason})`,
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
function requireAddressBook(state: ClientState): void {
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
  for (const secret of consumed) zeroOutUint8Array(secret);
}

function decodeMessage(bytes: Uint8Array): MLSMessage {
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

function unwrap<T>(result: DecodeResult<T>, code: "invalid_key_package" | "invalid_state", what: string): T {
  if (result.ok) return result.value;
  throw new ConversationError(code, `${what}: ${result.error.reason} at ${result.error.field}`, {
    decodeFailure: result.error,
  });
}

async function loadConversationSuite(conversation: Conversation): Promise<CiphersuiteImpl> {
  return loadCiphersuite(conversation.ciphersuite);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

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
  const proposals: Proposal[] = keyPackages.map((bytes) => {
    const keyPackage = unwrap(decodeKeyPackage(bytes, conversation.ciphersuite), "invalid_key_package", "key package");
    unwrap(readDeliveryAddressExtension(keyPackage.leafNode.extensions), "invalid_key_package", "key package");
    return { proposalType: "add", add: { keyPackage } };
  });
  const cs = await loadConversationSuite(conversation);
  const result = await withAuthentication(conversation.group, auth, (state) =>
    createCommit(
      { state: state!, cipherSuite: cs },
      // The tree travels inside the Welcome so joiners need no server round trip.
      { extraProposals: proposals, ratchetTreeExtension: true },
    ),
  );
  if (result.welcome === undefined) throw new ConversationError("mls_rejected", "commit with adds produced no Welcome");
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
  return { ciphersuite, group };
}

/** Encrypts application data as an MLS PrivateMessage; persist the returned conversation before sending. */
export async function encryptMessage(
  conversation: Conversation,
  plaintext: Uint8Array,
  authenticatedData: Uint8Array = new Uint8Array(0),
): Promise<{ conversation: Conversation; message: Uint8Array }> {
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
  const cs = await loadConversationSuite(conversation);
  // Read before processing: processing may zero the epoch's secrets (commits).
  const locateSender = await findSender(conversation.group, privateMessage, cs);
  const result = await withAuthentication(conversation.group, auth, (state) =>
    processPrivateMessage(state!, privateMessage, makePskIndex(state, {}), cs, acceptAll),
  );
  // Checked before zeroing, so a refused commit leaves the previous state intact for the caller.
  if (result.kind === "newState") requireAddressBook(result.newState);
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
  return { kind: privateMessage.contentType === "commit" ? "commit" : "proposal", conversation: next, sender };
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
