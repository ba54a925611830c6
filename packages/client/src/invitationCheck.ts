// Apart from enrol.ts (the join itself, with MLS) so that a join screen can
// ask before it loads the SDK.
import { isInvitationExpired, parseInvitationLink } from "@bote/core/light";
import type { Transport } from "./ports.js";
import { ClientError } from "./clientError.js";
import { ServerApi } from "./ServerApi.js";

/**
 * Whether an invitation link can still be used, asked before its person is
 * asked for anything and before any key is made. Resolves if a join could
 * succeed now; otherwise throws the ClientError a join would:
 * invitation_link_invalid (garbled), invitation_invalid (expired by its
 * certificate, or unknown, expired or revoked on the server),
 * invitation_used, or offline. Only the token goes to the server, never
 * the invitation key.
 */
export async function checkInvitation(options: {
  readonly transport: Transport;
  readonly invitationLink: string;
  readonly now?: () => number;
}): Promise<void> {
  const link = parseInvitationLink(options.invitationLink);
  if (!link.ok) throw new ClientError("invitation_link_invalid", link.error.field);
  const invitation = link.value.invitation;
  if (invitation !== undefined && isInvitationExpired(invitation.certificate, new Date((options.now ?? Date.now)()))) {
    throw new ClientError("invitation_invalid", "the invitation has expired");
  }
  const answer = await new ServerApi(options.transport.http, link.value.serverUrl).checkInvitation(link.value.token);
  if (answer.state !== "open") throw new ClientError("server_unexpected", "invitation check");
}
