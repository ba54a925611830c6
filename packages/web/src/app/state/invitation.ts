/**
 * What an invitation link says before anything is typed: who is invited
 * (name and role from the organisation's signed certificate), or that it is
 * the first admin's bare link, or why it cannot be used. The preview reads
 * the link's shape at once; its signatures are checked with the server's
 * word on the token (askServer), before the join can start.
 */
import { checkInvitation, ClientError } from "@bote/client/light";
import type { Transport } from "@bote/client";
import type { InvitationSecrets } from "@bote/core";
import { invitationTimeIsOver, readInvitationLink } from "@bote/core/light";
import {
  ED25519_PKCS8_PREFIX,
  encodeBase64url,
  invitationCertificateBody,
  signedMessage,
  STATEMENT_LABELS,
  type Role,
} from "@bote/protocol/light";

export type InvitationPreview =
  | { kind: "invited"; displayName: string; role: Role }
  | { kind: "firstAdmin" }
  | { kind: "expired"; displayName: string }
  | { kind: "invalid" };

export function previewInvitation(link: string, now = new Date()): InvitationPreview {
  const parsed = readInvitationLink(link);
  if (!parsed.ok) return { kind: "invalid" };
  const invitation = parsed.value.invitation;
  if (invitation === undefined) return { kind: "firstAdmin" };
  const { displayName, role } = invitation.certificate;
  if (invitationTimeIsOver(invitation.certificate, now)) return { kind: "expired", displayName };
  return { kind: "invited", displayName, role };
}

/** The server's word on the token: open, used, or gone (unknown, revoked, expired); unknown when it cannot say. */
export type InvitationVerdict = "open" | "used" | "gone" | "unknown";

/**
 * A link whose signatures do not hold is "gone" too. `noble` checks them
 * (the SDK's parseInvitationLink) where WebCrypto has no Ed25519.
 */
export async function askServer(
  link: string,
  transport: Transport,
  noble: () => Promise<boolean>,
): Promise<InvitationVerdict> {
  try {
    const [, holds] = await Promise.all([
      checkInvitation({ transport, invitationLink: link }),
      signaturesHold(link).catch(noble),
    ]);
    return holds ? "open" : "gone";
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

/** The organisation's signature on the certificate, and `k` its invitation key; throws where WebCrypto lacks Ed25519. */
async function signaturesHold(link: string): Promise<boolean> {
  const read = readInvitationLink(link);
  if (!read.ok) return false;
  if (read.value.invitation === undefined) return true;
  const { certificate, invitationSignKey }: InvitationSecrets = read.value.invitation;
  const subtle = globalThis.crypto.subtle;
  const ed25519 = { name: "Ed25519" };
  const organisationKey = await subtle.importKey("raw", bufferOf(certificate.organisationKey), ed25519, false, [
    "verify",
  ]);
  const message = signedMessage(STATEMENT_LABELS.invitation, invitationCertificateBody(certificate));
  const signed = await subtle.verify(ed25519, organisationKey, bufferOf(certificate.signature), bufferOf(message));
  if (!signed) return false;
  // WebCrypto takes a bare seed only inside PKCS #8 (RFC 8410); its JWK export carries the public key.
  const pkcs8 = new Uint8Array([...ED25519_PKCS8_PREFIX, ...invitationSignKey]);
  const signKey = await subtle.importKey("pkcs8", pkcs8, ed25519, true, ["sign"]);
  const { x } = await subtle.exportKey("jwk", signKey);
  return x === encodeBase64url(certificate.invitationKey);
}

function bufferOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
