/**
 * What an invitation link says before anything is typed: who is invited
 * (name and role from the organisation's signed certificate), or that it is
 * the first admin's bare link, or why it cannot be used. The link's
 * signature and shape are checked here; the server judges the token.
 */
import { isInvitationExpired, parseInvitationLink } from "@bote/core";
import type { Role } from "@bote/protocol";

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
