/**
 * MLS work measured through @bote/core's public API only: devices, key
 * packages, conversations, messages, adds and a removal.
 */
import {
  addMembers,
  certifyAccount,
  certifyDevice,
  createConversation,
  createDevice,
  createSigningKey,
  DEFAULT_CIPHERSUITE,
  generateSignatureKeyPair,
  encryptMessage,
  generateKeyPackageBundle,
  joinConversation,
  processIncoming,
  removeMembers,
  zeroSecrets,
  type AuthenticationPort,
  type Conversation,
  type KeyPackageBundle,
} from "@bote/core";

/** The bench measures crypto, not trust decisions: every member is accepted. */
export const acceptAll: AuthenticationPort = {
  authenticate: () => Promise.resolve({ accepted: true, basis: "verified" }),
};

let counter = 0;

function address() {
  return {
    mailboxId: crypto.getRandomValues(new Uint8Array(16)),
    capability: crypto.getRandomValues(new Uint8Array(33)),
  };
}

// The benchmark's organisation: every device carries a real certificate chain, as in Bote.
const organisation = createSigningKey();
const adminId = crypto.getRandomValues(new Uint8Array(16));

/** A device of a new account, certified by the benchmark's organisation (not measured). */
async function makeDevice(displayName: string) {
  const accountId = crypto.getRandomValues(new Uint8Array(16));
  const accountKey = createSigningKey();
  const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
  const now = new Date();
  return createDevice({
    signatureKeyPair,
    accountCertificate: certifyAccount(
      organisation,
      { accountId, displayName, role: "member", accountKey: accountKey.publicKey },
      { issuedBy: adminId, now },
    ),
    deviceCertificate: certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, now),
    deliveryAddress: address(),
  });
}

/** A new device and one key package of it (not measured: done before a group forms). */
export async function makeMember(): Promise<KeyPackageBundle> {
  return generateKeyPackageBundle(await makeDevice(`member ${++counter}`));
}

export async function makeMembers(count: number): Promise<KeyPackageBundle[]> {
  const out: KeyPackageBundle[] = [];
  for (let i = 0; i < count; i++) out.push(await makeMember());
  return out;
}

/** A sender and one receiver in a group of `size` members (the others never join: they do not take part in a message). */
export interface MessagePair {
  sender: Conversation;
  receiver: Conversation;
}

export async function makeMessagePair(size: number): Promise<MessagePair> {
  const creator = await makeDevice("creator");
  const receiver = await makeMember();
  const others = await makeMembers(size - 2);
  const added = await addMembers(
    await createConversation(creator, acceptAll),
    [receiver.keyPackage, ...others.map((b) => b.keyPackage)],
    acceptAll,
  );
  zeroSecrets(added.consumedSecrets);
  return { sender: added.conversation, receiver: await joinConversation(added.welcome, receiver, acceptAll) };
}

/** One message from sender to receiver; returns its size on the wire. */
export async function sendOne(pair: MessagePair, plaintext: Uint8Array): Promise<number> {
  const sent = await encryptMessage(pair.sender, plaintext);
  pair.sender = sent.conversation;
  const received = await processIncoming(pair.receiver, sent.message, acceptAll);
  if (received.kind !== "application" || received.plaintext.length !== plaintext.length) {
    throw new Error(`expected the application message back, got ${received.kind}`);
  }
  pair.receiver = received.conversation;
  return sent.message.length;
}

export interface CommitFigures {
  /** Creating the commit (and Welcome) at the committer. */
  commitMs: number;
  /** CPU time of the whole process (all threads) for creating it, on Node only: on a shared machine it moves far less than wall time. */
  commitCpuMs?: number;
  /** Processing it: one new member's join from the Welcome, or one remaining member's processing of the commit. */
  processMs: number;
  commitBytes: number;
  welcomeBytes: number;
}

// Only Node has it; the browser run leaves the CPU column empty.
const nodeProcess = (globalThis as { process?: { cpuUsage(): { user: number; system: number } } }).process;

/** Wall and (on Node) process CPU milliseconds of `work`. */
async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs?: number }> {
  const cpuBefore = nodeProcess?.cpuUsage();
  const start = performance.now();
  const value = await work();
  const ms = performance.now() - start;
  const cpuAfter = nodeProcess?.cpuUsage();
  if (cpuBefore === undefined || cpuAfter === undefined) return { value, ms };
  const cpuMs = (cpuAfter.user - cpuBefore.user + cpuAfter.system - cpuBefore.system) / 1000;
  return { value, ms, cpuMs };
}

/** Adds `count` members in one commit to a group of two; one of them joins. */
export async function measureAdd(count: number): Promise<CommitFigures> {
  const pair = await makeMessagePair(2);
  const joiners = await makeMembers(count);
  const commit = await timed(() =>
    addMembers(
      pair.sender,
      joiners.map((b) => b.keyPackage),
      acceptAll,
    ),
  );
  const added = commit.value;
  zeroSecrets(added.consumedSecrets);
  const join = await timed(() => joinConversation(added.welcome, joiners[count - 1]!, acceptAll));
  return {
    commitMs: commit.ms,
    ...(commit.cpuMs === undefined ? {} : { commitCpuMs: commit.cpuMs }),
    processMs: join.ms,
    commitBytes: added.commit.length,
    welcomeBytes: added.welcome.length,
  };
}

/** Removes one member of the pair's group of `size`; the receiver processes the commit. */
export async function measureRemove(pair: MessagePair, size: number): Promise<CommitFigures> {
  // Leaf 0 is the creator (the sender), leaf 1 the receiver, the last leaf a member who never joined.
  const commit = await timed(() => removeMembers(pair.sender, [size - 1], acceptAll));
  const removed = commit.value;
  zeroSecrets(removed.consumedSecrets);
  const processing = await timed(() => processIncoming(pair.receiver, removed.commit, acceptAll));
  const processed = processing.value;
  if (processed.kind !== "commit" || processed.changes.removed.length !== 1) {
    throw new Error(`expected a commit removing one member, got ${processed.kind}`);
  }
  pair.sender = removed.conversation;
  pair.receiver = processed.conversation;
  return {
    commitMs: commit.ms,
    ...(commit.cpuMs === undefined ? {} : { commitCpuMs: commit.cpuMs }),
    processMs: processing.ms,
    commitBytes: removed.commit.length,
    welcomeBytes: 0,
  };
}
