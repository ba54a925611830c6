// The guest's half inside the client (docs/PROTOCOL.md §18): the MLS group
// a customer makes with a contact point's staff, and the inquiry in it.
import {
  addMembers,
  createConversation,
  DEFAULT_CIPHERSUITE,
  POST_QUANTUM_CIPHERSUITE,
  readKeyPackageAddress,
  readKeyPackageCredential,
  type BoteCiphersuiteName,
  type ConversationRecord,
  type DeliveryAddress,
} from "@bote/core";
import type { ContactPoint, Inquiry } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";
import { runCommit, sendContent } from "./outgoing.js";
import { bytesFrom } from "./ServerApi.js";

/** Both suites sign with Ed25519: the device key is made before the staff's suite is known. */
const SUITES: readonly BoteCiphersuiteName[] = [DEFAULT_CIPHERSUITE, POST_QUANTUM_CIPHERSUITE];

/**
 * The guest's half inside the client: a group with every trusted device of
 * the contact point's staff, then the inquiry in it. Staff accounts the
 * server lists but the statement does not name are refused: the server
 * must not be able to add a listener.
 */
export async function createInquiryGroup(
  ctx: ClientContext,
  slug: string,
  contactPoint: ContactPoint,
  body: (ctx: ClientContext) => Promise<Inquiry>,
): Promise<ConversationRecord> {
  const staff = new Set(contactPoint.staff.map(b64));
  const { accounts } = await ctx.session.api.contactPointKeyPackages(slug);
  const packages: { keyPackage: Uint8Array; address: DeliveryAddress; suite: BoteCiphersuiteName }[] = [];
  for (const account of accounts) {
    if (!staff.has(account.accountId)) throw new ClientError("server_unexpected", "an account that is not staff");
    for (const device of account.devices) {
      const keyPackage = bytesFrom(device.keyPackage, "keyPackage");
      const suite = SUITES.find((s) => readKeyPackageAddress(keyPackage, s).ok);
      if (suite === undefined) throw new ClientError("server_unexpected", "key package without delivery address");
      const credential = readKeyPackageCredential(keyPackage, suite);
      if (!credential.ok || b64(credential.value.accountId) !== account.accountId) {
        throw new ClientError("server_unexpected", "a key package of another account");
      }
      // A device whose chain does not hold (planted, revoked, another organisation's) is left out.
      const verdict = await ctx.trust.authenticate(credential.value, credential.value.devicePublicKey);
      if (!verdict.accepted) continue;
      const address = readKeyPackageAddress(keyPackage, suite);
      if (address.ok) packages.push({ keyPackage, address: address.value, suite });
    }
  }
  const suite = packages[0]?.suite;
  if (suite === undefined) throw new ClientError("no_key_packages", "no staff device can be reached");
  const usable = packages.filter((p) => p.suite === suite);
  const device = { ...ctx.device(), ciphersuite: suite };
  const created = await createConversation(device, ctx.trust);
  const conversationId = b64(created.group.groupContext.groupId);
  await runCommit(
    ctx,
    conversationId,
    async (conversation) => ({
      result: await addMembers(
        conversation,
        usable.map((p) => p.keyPackage),
        ctx.trust,
      ),
      welcomeRecipients: usable.map((p) => p.address),
      event: { type: "created" },
      overrides: { name: contactPoint.name },
    }),
    created,
  );
  const inquiry = await body(ctx);
  await sendContent(ctx, conversationId, { case: "inquiry", value: inquiry });
  const record = await ctx.store.getConversation(conversationId);
  if (record === undefined) throw new ClientError("contact_unknown", conversationId);
  return record;
}
