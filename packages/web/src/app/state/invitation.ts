/**
 * What an invitation link says before anything is typed: who is invited
 * (name and role from the organisation's signed certificate), or that it is
 * the first admin's bare link, or why it cannot be used. The link's
 * signature and shape are checked here; the server judges the token
 * (askServer), also before anything is typed.
 */
import { checkInvitation, ClientError } from "@bote/client/light";
import type { Transport } from "@bote/client";
import { isInvitationExpired, parseInvitationLink } from "@bote/core/light";
import type { Role } from "@bote/protocol/light";

export type InvitationPreview =
  | { kind: "invited"; displayName: string; role: Role }
  | { kind: "firstAdmin" }
  | { kind: "expired"; displayName: string }
  | { kind: "invalid" };

export function previewInvitation(link: string, now = new Date()): InvitationPreview {
  const parsed = parseInvitationLink(link);
  if (!parsed.ok) return { kind: "invalid" };
  const invitation = parsed.value.invitation;
  if (invitation === undefined) return { kind: "firstAdmin" };
  const { displayName, role } = invitation.certificate;
  if (isInvitationExpired(invitation.certificate, now)) return { kind: "expired", displayName };
  return { kind: "invited", displayName, role };
}

/** The server's word on the token: open, used, or gone (unknown, revoked, expired); unknown when it cannot say. */
export type InvitationVerdict = "open" | "used" | "gone" | "unknown";

export async function askServer(link: string, transport: Transport): Promise<InvitationVerdict> {
  try {
    await checkInvitation({ transport, invitationLink: link });
    return "open";
  } catch (err) {
    if (err instanceof ClientError && err.code === "invitation_used") return "used";
    if (err instanceof ClientError && (err.code === "invitation_invalid" || err.code === "invitation_link_invalid")) {
      return "gone";
    }
    // Offline or an odd answer: the join itself will say what is wrong.
    console.warn("bote: invitation check", err);
    return "unknown";
  }
}
