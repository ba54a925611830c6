// Keeping this device's OrganisationView current with the organisation's
// signed log, and the duties that follow from it: an admin device confirms
// provisional accounts, and every device removes revoked members from the
// groups it shares with them. The server only stores and serves statements;
// each one counts here only if it verifies against the chain this device
// already trusts.
import {
  admitAccount,
  applyStatement,
  certifyAccount,
  evaluateCredential,
  publicKeyOf,
  type MessageSender,
  readRoster,
  removeMembers,
  restoreConversation,
  type OrganisationView,
  type RosterMember,
} from "@bote/core";
import {
  decodeAccountCertificate,
  decodeOrganisationStatement,
  encodeBase64url,
  equalBytes,
  OrganisationKeySchema,
  type AccountCertificate,
  type Member,
  type OrganisationStatement,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";
import { heldOrganisationKey } from "./invitations.js";
import { runCommit, sendContent } from "./outgoing.js";
import { directChatWith } from "./conversations.js";
import { create } from "@bufbuild/protobuf";
import { bytesFrom } from "./ServerApi.js";

/** Whether the organisation revoked this device or its account. */
export function ownRevocation(view: OrganisationView, ctx: ClientContext): "account" | "device" | undefined {
  if (view.revokedAccounts.has(ctx.profile().accountId)) return "account";
  if (view.revokedDevices.has(b64(ctx.device().credential.devicePublicKey))) return "device";
  return undefined;
}

/** Whether a member's leaf belongs to a revoked account or device. */
export function isRevokedMember(view: OrganisationView, member: Pick<RosterMember, "credential">): boolean {
  return (
    view.revokedAccounts.has(b64(member.credential.accountId)) ||
    view.revokedDevices.has(b64(member.credential.devicePublicKey))
  );
}

/**
 * Reads the log from where this device stopped and the directory's current
 * certificates, and applies what verifies. Returns the members as the
 * server listed them.
 */
export async function syncOrganisation(ctx: ClientContext): Promise<Member[]> {
  const before = ctx.organisation();
  let view = before;
  const now = new Date(ctx.now());
  const log = await ctx.session.api.organisationLog(view.logSeq);
  for (const entry of log.statements) {
    const decoded = decodeOrganisationStatement(bytesFrom(entry.statement, "statement"));
    // What does not verify is the server's word alone: it changes nothing here.
    if (decoded.ok) view = applyStatement(view, decoded.value, now).view;
    if (entry.seq > view.logSeq) view = { ...view, logSeq: entry.seq };
  }
  const { members } = await ctx.session.api.members();
  for (const member of members) {
    const certificate = decodeAccountCertificate(bytesFrom(member.certificate, "certificate"));
    if (certificate.ok) view = admitAccount(view, certificate.value, now).view;
  }
  if (view !== before) await ctx.updateOrganisation(view);
  ctx.events.emit("organisation", { seq: view.logSeq });
  return members;
}

/**
 * On an admin device holding the current organisation key: replaces every
 * provisional account certificate (made with an invitation key) by a direct
 * one, so the account stays confirmed after its invitation expired.
 */
export async function confirmProvisionalAccounts(ctx: ClientContext): Promise<number> {
  const organisationKey = heldOrganisationKey(ctx);
  if (organisationKey === undefined) return 0;
  const view = ctx.organisation();
  const issuedBy = bytesFrom(ctx.profile().accountId, "accountId");
  const now = new Date(ctx.now());
  const statements: OrganisationStatement[] = [];
  for (const { certificate } of view.accounts.values()) {
    if (certificate.issuer.kind !== "invitation") continue;
    statements.push({ kind: "account", certificate: reissue(certificate, organisationKey, issuedBy, now) });
  }
  if (statements.length === 0) return 0;
  await publishStatements(ctx, statements);
  return statements.length;
}

/** The same account, name and role under a direct signature of `organisationKey`. */
export function reissue(
  certificate: AccountCertificate,
  organisationKey: { signKey: Uint8Array; publicKey: Uint8Array },
  issuedBy: Uint8Array,
  now: Date,
  changes: Partial<Pick<AccountCertificate, "role" | "displayName">> = {},
): AccountCertificate {
  // Strictly newer than the certificate it replaces, so two changes within one second (promote, then demote) keep their order.
  const seconds = Math.max(Math.floor(now.getTime() / 1000), certificate.issuedAtSeconds + 1);
  return certifyAccount(
    organisationKey,
    {
      accountId: certificate.accountId,
      accountKey: certificate.accountKey,
      displayName: changes.displayName ?? certificate.displayName,
      role: changes.role ?? certificate.role,
    },
    { issuedBy, now: new Date(seconds * 1000) },
  );
}

/** Sends statements to the server's log and applies them here, in the same order. */
export async function publishStatements(ctx: ClientContext, statements: readonly OrganisationStatement[]) {
  await ctx.session.api.postStatements(statements);
  let view = ctx.organisation();
  const now = new Date(ctx.now());
  for (const statement of statements) {
    const applied = applyStatement(view, statement, now);
    if (applied.fault !== undefined) throw new ClientError("statement_invalid", applied.fault);
    view = applied.view;
  }
  await ctx.updateOrganisation(view);
}

/**
 * In every group this device is active in, commits the removal of revoked
 * members' leaves. Every remaining member may try; the server's epoch guard
 * lets one commit win, and the others find nothing left to do.
 */
export async function removeRevokedMembers(ctx: ClientContext): Promise<number> {
  let removed = 0;
  for (const record of await ctx.store.listConversations()) {
    if (!record.active) continue;
    const revoked = (conversation: Parameters<typeof readRoster>[0]) =>
      readRoster(conversation).filter((m) => !m.self && isRevokedMember(ctx.organisation(), m));
    if (revoked(restoreConversation(record.state)).length === 0) continue;
    let nothingLeft = false;
    try {
      await runCommit(ctx, record.conversationId, async (conversation) => {
        const leaving = revoked(conversation);
        if (leaving.length === 0) {
          nothingLeft = true;
          throw new ClientError("commit_conflict", "another member removed them first");
        }
        return {
          result: await removeMembers(
            conversation,
            leaving.map((m) => m.leafIndex),
            ctx.trust,
          ),
          event: {
            type: "members_removed",
            by: ctx.device().credential.displayName,
            members: leaving.map((m) => m.credential.displayName),
          },
        };
      });
      removed++;
    } catch (err) {
      if (!nothingLeft && !(err instanceof ClientError && err.code === "conversation_inactive")) throw err;
    }
  }
  return removed;
}

/**
 * On an admin device holding the current organisation key: sends it, end to
 * end encrypted in a direct chat, to every confirmed admin colleague this
 * device has not yet sent this very key to. The key never travels in a link
 * and never in clear through the server.
 */
export async function shareOrganisationKey(ctx: ClientContext): Promise<number> {
  const organisationKey = heldOrganisationKey(ctx);
  if (organisationKey === undefined) return 0;
  const view = ctx.organisation();
  let shared = 0;
  for (const [accountId, { certificate }] of view.accounts) {
    if (accountId === ctx.profile().accountId || certificate.role !== "admin") continue;
    if (certificate.issuer.kind !== "organisation") continue; // confirmed first, then trusted with the key
    const marker = `organisation-key/${accountId}/${encodeBase64url(organisationKey.publicKey)}`;
    if (await ctx.store.hasSeen(marker)) continue;
    const chat = await directChatWith(ctx, accountId);
    const value = create(OrganisationKeySchema, { signKey: organisationKey.signKey });
    await sendContent(ctx, chat.conversationId, { case: "organisationKey", value });
    await ctx.store.apply({ seen: [marker] });
    shared++;
  }
  return shared;
}

/**
 * Keeps an organisation key received in a message, but only the current one,
 * only from a colleague the chain confirms as admin, and only on a device
 * whose own account the organisation made an admin.
 */
export async function acceptOrganisationKey(
  ctx: ClientContext,
  sender: MessageSender,
  signKey: Uint8Array,
): Promise<boolean> {
  const view = ctx.organisation();
  const own = view.accounts.get(ctx.profile().accountId);
  const publicKey = publicKeyOf(signKey);
  if (own?.certificate.role !== "admin" || publicKey === undefined || !equalBytes(publicKey, view.currentKey)) {
    return false;
  }
  const { verdict } = evaluateCredential(view, sender.credential, new Date(ctx.now()));
  if (verdict.status !== "confirmed" || verdict.entry.certificate.role !== "admin") return false;
  await ctx.keepOrganisationKey(signKey);
  return true;
}
