// Apart from enrol.ts (the join itself, with MLS) so that a join screen can
// ask before it loads the SDK. It reads the link without checking its
// signatures (that needs noble's Ed25519, which a first screen should not
// load): the join checks them before it makes a key, and the web app's join
// screen with WebCrypto.
import { invitationTimeIsOver, readInvitationLink } from "@bote/core/light";
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
  const link = readInvitationLink(options.invitationLink);
  if (!link.ok) throw new ClientError("invitation_link_invalid", link.error.field);
  const invitation = link.value.invitation;
  if (invitation !== undefined && invitationTimeIsOver(invitation.certificate, new Date((options.now ?? Date.now)()))) {
    throw new ClientError("invitation_invalid", "the invitation has expired");
  }
  const answer = await new ServerApi(options.transport.http, link.value.serverUrl).checkInvitation(link.value.token);
  if (answer.state !== "open") throw new ClientError("server_unexpected", "invitation check");
}
