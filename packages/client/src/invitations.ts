import { createInvitation, formatInvitationLink } from "@bote/core";
import type { Role } from "@bote/protocol";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";

/**
 * An invitation link that lets the newcomer's device sign its own credential
 * at once: the server's token plus, in the URL fragment (never sent to the
 * server), a one-time invitation key certified by the organisation key. An
 * admin invitation also carries the organisation key itself, since admins
 * are who hold it.
 */
export async function createInvitationLink(
  ctx: ClientContext,
  role: Role,
): Promise<{ url: string; expiresAt: string }> {
  const profile = ctx.profile();
  const organisationSignKey = profile.organisationSignKey;
  const organisationPublicKey = profile.organisationPublicKey;
  if (profile.role !== "admin" || organisationSignKey === undefined || organisationPublicKey === undefined) {
    throw new ClientError("not_admin");
  }
  const created = await ctx.session.api.createInvitation(role);
  const invitation = createInvitation(
    { publicKey: organisationPublicKey, signKey: organisationSignKey },
    { role, expiresAt: new Date(created.expiresAt) },
  );
  const url = formatInvitationLink(created.url, {
    invitationSignKey: invitation.signKey,
    certificate: invitation.certificate,
    organisationPublicKey,
    ciphersuite: ctx.device().ciphersuite,
    ...(role === "admin" ? { organisationSignKey } : {}),
  });
  return { url, expiresAt: created.expiresAt };
}
