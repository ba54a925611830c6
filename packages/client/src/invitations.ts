import { createInvitation, formatInvitationLink, publicKeyOf } from "@bote/core";
import { equalBytes, isCanonicalDisplayName, type Role } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { randomId } from "./ids.js";
import { bytesFrom } from "./ServerApi.js";

// Long enough for a colleague on holiday, short enough that a forgotten link dies.
const DEFAULT_LIFETIME_MS = 7 * 24 * 3_600_000;

/** The organisation key if this device holds the current one (the only key that may sign), else undefined. */
export function heldOrganisationKey(ctx: ClientContext): { signKey: Uint8Array; publicKey: Uint8Array } | undefined {
  const signKey = ctx.profile().organisationSignKey;
  const publicKey = signKey === undefined ? undefined : publicKeyOf(signKey);
  if (signKey === undefined || publicKey === undefined || !equalBytes(publicKey, ctx.organisation().currentKey)) {
    return undefined;
  }
  return { signKey, publicKey };
}

/** The current organisation key, or not_admin. */
export function currentOrganisationKey(ctx: ClientContext): { signKey: Uint8Array; publicKey: Uint8Array } {
  const key = heldOrganisationKey(ctx);
  if (key === undefined) throw new ClientError("not_admin");
  return key;
}

/**
 * An invitation for exactly one future account: this admin device picks the
 * account id, and the organisation key signs id, name, role and expiry.
 * The link carries the server's token and, in the fragment (never sent to
 * a server), the one-time invitation key that lets the newcomer's device
 * certify its own account key at once — for that account only, once.
 */
export async function createInvitationLink(
  ctx: ClientContext,
  request: { readonly role: Role; readonly displayName: string; readonly lifetimeMs?: number },
): Promise<{ url: string; expiresAt: string; accountId: Uint8Array }> {
  const displayName = request.displayName.normalize("NFC").trim();
  if (!isCanonicalDisplayName(displayName)) throw new ClientError("bad_request", "displayName");
  const organisationKey = currentOrganisationKey(ctx);
  const accountId = randomId();
  const invitation = createInvitation(
    organisationKey,
    { accountId, displayName, role: request.role },
    {
      expiresAt: new Date(ctx.now() + (request.lifetimeMs ?? DEFAULT_LIFETIME_MS)),
      issuedBy: bytesFrom(ctx.profile().accountId, "accountId"),
    },
  );
  const created = await ctx.session.api.createInvitation(invitation.certificate);
  const url = formatInvitationLink(created.url, {
    invitationSignKey: invitation.signKey,
    certificate: invitation.certificate,
    ciphersuite: ctx.device().ciphersuite,
  });
  return { url, expiresAt: created.expiresAt, accountId };
}
