// Admin actions: each is a statement signed on this device with the
// organisation key, published to the organisation's log, and applied here.
// The server enacts what the signature allows (ends sessions, deletes
// mailboxes); every other device verifies the same statement for itself.
import { createDirectoryEntry, createRevocation, rotateOrganisationKey } from "@bote/core";
import {
  isDirectoryText,
  type InvitationsResponse,
  type OrganisationStatement,
  type RevocationTarget,
  type Role,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { currentOrganisationKey } from "./invitations.js";
import { publishStatements, reissue } from "./organisation.js";
import { bytesFrom } from "./ServerApi.js";

function issuer(ctx: ClientContext) {
  return {
    organisationKey: currentOrganisationKey(ctx),
    issuedBy: bytesFrom(ctx.profile().accountId, "accountId"),
    now: new Date(ctx.now()),
  };
}

/** Deactivates a person, revokes one of their devices, or an invitation nobody redeemed yet. */
export async function revoke(ctx: ClientContext, target: RevocationTarget): Promise<void> {
  const { organisationKey, issuedBy, now } = issuer(ctx);
  const revocation = createRevocation(organisationKey, target, { issuedBy, now });
  await publishStatements(ctx, [{ kind: "revocation", revocation }]);
}

/** A new certificate for the same account key with another role (promotion, demotion) or name. */
export async function recertify(
  ctx: ClientContext,
  accountId: string,
  changes: { readonly role?: Role; readonly displayName?: string },
): Promise<void> {
  const { organisationKey, issuedBy, now } = issuer(ctx);
  const entry = ctx.organisation().accounts.get(accountId);
  if (entry === undefined) throw new ClientError("contact_unknown", accountId);
  const certificate = reissue(entry.certificate, organisationKey, issuedBy, now, changes);
  await publishStatements(ctx, [{ kind: "account", certificate }]);
}

/**
 * Hands the organisation over to a new key: the old key signs the new one,
 * and the new key re-issues every current account's certificate. Whoever
 * kept only the old key (a former admin) can certify nobody afterwards.
 * Returns the new key's seed; the caller stores it before anything else.
 */
export async function rotate(ctx: ClientContext): Promise<Uint8Array> {
  const { organisationKey, issuedBy, now } = issuer(ctx);
  const { next, rotation } = rotateOrganisationKey(organisationKey, { issuedBy, now });
  const statements: OrganisationStatement[] = [{ kind: "rotation", rotation }];
  for (const { certificate } of ctx.organisation().accounts.values()) {
    statements.push({ kind: "account", certificate: reissue(certificate, next, issuedBy, now) });
  }
  await publishStatements(ctx, statements);
  return next.signKey;
}

/** A person's department and job title in the directory; empty texts clear them. */
export async function describe(
  ctx: ClientContext,
  accountId: string,
  details: { readonly department: string; readonly title: string },
): Promise<void> {
  const department = details.department.normalize("NFC").trim();
  const title = details.title.normalize("NFC").trim();
  if (!isDirectoryText(department)) throw new ClientError("bad_request", "department");
  if (!isDirectoryText(title)) throw new ClientError("bad_request", "title");
  const { organisationKey, issuedBy, now } = issuer(ctx);
  const entry = createDirectoryEntry(
    organisationKey,
    { accountId: bytesFrom(accountId, "accountId"), department, title },
    { issuedBy, now },
  );
  await publishStatements(ctx, [{ kind: "directoryEntry", entry }]);
}

export function listInvitations(ctx: ClientContext): Promise<InvitationsResponse> {
  currentOrganisationKey(ctx);
  return ctx.session.api.invitations();
}
