import {
  addMembers,
  createConversation,
  readKeyPackageAddress,
  readRoster,
  removeMembers,
  renameConversation,
  ConversationError,
  readKeyPackageCredential,
  type BoteCredential,
  type Conversation,
  type ConversationRecord,
  type DeliveryAddress,
} from "@bote/core";
import { noteCredentials } from "./contacts.js";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { initialDisappearingSeconds, setDisappearingTimer } from "./disappearing.js";
import { b64 } from "./ids.js";
import { bytesFrom } from "./ServerApi.js";
import { runCommit, type CommitPlan } from "./outgoing.js";

/**
 * Key packages of every device of these accounts, fetched from the server
 * (one-time ones are used up). A device whose credential names another
 * account, or that the trust policy refuses (a key change, a device the
 * server planted, a revoked one), is left out and shown as a warning; an
 * account with no device left is refused as untrusted.
 */
async function fetchNewcomers(
  ctx: ClientContext,
  accountIds: readonly string[],
): Promise<{ keyPackages: Uint8Array[]; addresses: DeliveryAddress[] }> {
  const keyPackages: Uint8Array[] = [];
  const addresses: DeliveryAddress[] = [];
  const suite = ctx.device().ciphersuite;
  for (const accountId of accountIds) {
    const { devices } = await ctx.session.api.fetchKeyPackages(accountId);
    if (devices.length === 0) throw new ClientError("no_key_packages", accountId);
    let accepted = 0;
    const refused: BoteCredential[] = [];
    for (const device of devices) {
      const keyPackage = bytesFrom(device.keyPackage, "keyPackage");
      // The Welcome goes to the address in the key package's own leaf, as the ratchet tree will show it.
      const address = readKeyPackageAddress(keyPackage, suite);
      if (!address.ok) throw new ClientError("server_unexpected", "key package without delivery address");
      const credential = readKeyPackageCredential(keyPackage, suite);
      if (!credential.ok || b64(credential.value.accountId) !== accountId) {
        throw new ClientError("server_unexpected", "a key package of another account");
      }
      const verdict = await ctx.trust.authenticate(credential.value, credential.value.devicePublicKey);
      if (!verdict.accepted) {
        refused.push(credential.value);
        continue;
      }
      keyPackages.push(keyPackage);
      addresses.push(address.value);
      accepted++;
    }
    if (refused.length > 0) await warnAbout(ctx, refused);
    if (accepted === 0) throw new ClientError("member_untrusted", accountId);
  }
  return { keyPackages, addresses };
}

/** Shows refused devices as contacts' new keys, so the person sees the warning. */
async function warnAbout(ctx: ClientContext, credentials: readonly BoteCredential[]): Promise<void> {
  const { contacts, newDevice, keyChanged } = await noteCredentials(ctx, credentials);
  await ctx.store.apply({ contacts });
  for (const contact of contacts) {
    ctx.events.emit("contact", {
      contact,
      newDevice: newDevice.has(contact.accountId),
      keyChanged: keyChanged.has(contact.accountId),
    });
  }
}

function untrustedToClientError(err: unknown): never {
  if (err instanceof ConversationError && err.code === "authentication_rejected") {
    throw new ClientError("member_untrusted", err.message, { cause: err });
  }
  throw err;
}

export async function addPlan(
  ctx: ClientContext,
  conversation: Conversation,
  accountIds: readonly string[],
  event: CommitPlan["event"],
): Promise<CommitPlan> {
  const { keyPackages, addresses } = await fetchNewcomers(ctx, accountIds);
  const result = await addMembers(conversation, keyPackages, ctx.trust).catch(untrustedToClientError);
  return { result, welcomeRecipients: addresses, event };
}

/**
 * A new conversation with the given accounts: a group when it has a name, a
 * direct chat (2 members, no name) otherwise. The group exists on this
 * device only once the server accepted its first commit.
 */
export async function createConversationWith(
  ctx: ClientContext,
  accountIds: readonly string[],
  name: string | undefined,
): Promise<ConversationRecord> {
  const created = await createConversation(ctx.device(), ctx.trust);
  const named = name === undefined ? created : (await renameConversation(created, name, ctx.trust)).conversation;
  const conversationId = b64(named.group.groupContext.groupId);
  const record = await runCommit(
    ctx,
    conversationId,
    (conversation) => addPlan(ctx, conversation, accountIds, { type: "created" }),
    named,
  );
  // A new chat starts with the organisation's default timer; the others learn it as a change like any other.
  const seconds = initialDisappearingSeconds(ctx);
  if (seconds === 0) return record;
  await setDisappearingTimer(ctx, conversationId, seconds);
  return (await ctx.store.getConversation(conversationId)) ?? record;
}

/** The existing direct chat with this account, or a new one. */
export async function directChatWith(ctx: ClientContext, accountId: string): Promise<ConversationRecord> {
  const existing = (await ctx.store.listConversations()).find(
    (c) => c.kind === "direct" && c.active && c.peerAccountId === accountId,
  );
  return existing ?? createConversationWith(ctx, [accountId], undefined);
}

export async function addToConversation(
  ctx: ClientContext,
  conversationId: string,
  accountIds: readonly string[],
  names: readonly string[],
): Promise<ConversationRecord> {
  await requireGroup(ctx, conversationId);
  return runCommit(ctx, conversationId, (conversation) =>
    addPlan(ctx, conversation, accountIds, {
      type: "members_added",
      by: ctx.device().credential.displayName,
      members: [...names],
    }),
  );
}

export async function removeFromConversation(
  ctx: ClientContext,
  conversationId: string,
  accountIds: readonly string[],
): Promise<ConversationRecord> {
  await requireGroup(ctx, conversationId);
  return runCommit(ctx, conversationId, async (conversation) => {
    const leaving = readRoster(conversation).filter((m) => !m.self && accountIds.includes(b64(m.credential.accountId)));
    if (leaving.length === 0) throw new ClientError("contact_unknown", "not a member");
    const result = await removeMembers(
      conversation,
      leaving.map((m) => m.leafIndex),
      ctx.trust,
    );
    return {
      result,
      event: {
        type: "members_removed",
        by: ctx.device().credential.displayName,
        members: leaving.map((m) => m.credential.displayName),
      },
    };
  });
}

export async function renameGroup(
  ctx: ClientContext,
  conversationId: string,
  name: string,
): Promise<ConversationRecord> {
  await requireGroup(ctx, conversationId);
  return runCommit(ctx, conversationId, async (conversation) => ({
    result: await renameConversation(conversation, name, ctx.trust),
    event: { type: "renamed", by: ctx.device().credential.displayName, name },
    overrides: { name },
  }));
}

async function requireGroup(ctx: ClientContext, conversationId: string): Promise<ConversationRecord> {
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined) throw new ClientError("contact_unknown", conversationId);
  if (record.kind !== "group") throw new ClientError("not_a_group");
  return record;
}

/**
 * Adds a newly linked device of this person to every chat this device is
 * in. Its key packages appear once it has connected, so this waits for them.
 */
export async function addOwnDeviceToChats(ctx: ClientContext, deviceId: string, timeoutMs = 60_000): Promise<number> {
  const own = ctx.profile().accountId;
  const keyPackage = async (): Promise<{ keyPackage: Uint8Array; address: DeliveryAddress }> => {
    const deadline = ctx.now() + timeoutMs;
    for (;;) {
      const { devices } = await ctx.session.api.fetchKeyPackages(own);
      const found = devices.find((d) => d.deviceId === deviceId);
      if (found !== undefined) {
        const bytes = bytesFrom(found.keyPackage, "keyPackage");
        const address = readKeyPackageAddress(bytes, ctx.device().ciphersuite);
        if (!address.ok) throw new ClientError("server_unexpected", "key package without delivery address");
        return { keyPackage: bytes, address: address.value };
      }
      if (ctx.now() > deadline) throw new ClientError("no_key_packages", deviceId);
      await new Promise<void>((resolve) => setTimeout(() => resolve(), 500));
    }
  };
  let added = 0;
  for (const record of await ctx.store.listConversations()) {
    if (!record.active) continue;
    await runCommit(ctx, record.conversationId, async (conversation) => {
      const { keyPackage: bytes, address } = await keyPackage();
      const result = await addMembers(conversation, [bytes], ctx.trust).catch(untrustedToClientError);
      return {
        result,
        welcomeRecipients: [address],
        event: { type: "device_added", by: ctx.device().credential.displayName },
      };
    });
    added++;
  }
  return added;
}
