// Contact points (docs/PROTOCOL.md §18): an admin device signs one with the
// organisation key and publishes it in the organisation's log; a customer's
// device reads it from the public link. The link itself is only an address:
// what the customer trusts is the statement's signature.
import { createContactPointStatement, findContactPoint, verifyEd25519 } from "@bote/core";
import {
  CONTACT_POINT_SLUG,
  checkContactPoint,
  decodeContactPoint,
  equalBytes,
  type ContactField,
  type ContactPoint,
} from "@bote/protocol";
import { ClientError } from "./clientError.js";
import { contactPointUrl } from "./contactPointUrl.js";
import type { ClientContext } from "./context.js";
import { b64, randomId } from "./ids.js";
import { currentOrganisationKey } from "./invitations.js";
import { publishStatements } from "./organisation.js";
import { currentPolicy } from "./policy.js";
import type { Transport } from "./ports.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";

export interface ContactPointInput {
  /** Shown to customers, e.g. "Dachdecker Schmidt – Anfragen". */
  readonly name: string;
  readonly slug: string;
  /** Account ids (base64url) of the staff who answer. */
  readonly staff: readonly string[];
  readonly greeting?: string;
  readonly openingHours?: string;
  readonly privacyText?: string;
  readonly requiredFields?: readonly ContactField[];
  /** Days a closed inquiry stays on staff devices unless archived; 0 keeps it (default 90). */
  readonly retentionDays?: number;
  /** Default true; false closes the contact point to new inquiries. */
  readonly open?: boolean;
}

export interface ContactPointInfo {
  readonly contactPointId: string;
  readonly slug: string;
  /** `<server>/k/<slug>`: what the QR code encodes. */
  readonly url: string;
  readonly contactPoint: ContactPoint;
}

/**
 * Publishes a new contact point, or replaces the one with the same slug this
 * device already knows (same id, newer statement: renamed, other staff,
 * closed). Admins holding the organisation key only.
 */
export async function publishContactPoint(ctx: ClientContext, input: ContactPointInput): Promise<ContactPointInfo> {
  const organisationKey = currentOrganisationKey(ctx);
  if (!CONTACT_POINT_SLUG.test(input.slug)) throw new ClientError("bad_request", "slug");
  // An open contact point is a door for people outside the organisation; a closed one may still be kept.
  if ((input.open ?? true) && !currentPolicy(ctx).externalChats) {
    throw new ClientError("external_chats_off", "the policy allows no contact point to be open");
  }
  const staff = input.staff.map((id) => bytesFrom(id, "staff", "message_unknown"));
  const known = findContactPoint(ctx.organisation(), input.slug);
  const contactPoint = createContactPointStatement(
    organisationKey,
    {
      contactPointId: known?.contactPointId ?? randomId(),
      slug: input.slug,
      open: input.open ?? true,
      name: input.name.normalize("NFC").trim(),
      staff,
      greeting: (input.greeting ?? "").normalize("NFC"),
      openingHours: (input.openingHours ?? "").normalize("NFC"),
      privacyText: (input.privacyText ?? "").normalize("NFC"),
      requiredFields: [...(input.requiredFields ?? [])],
      retentionDays: input.retentionDays ?? 90,
    },
    // Strictly newer than the statement it replaces, so two changes within a second keep their order.
    { issuedBy: bytesFrom(ctx.profile().accountId, "accountId"), now: issuedAfter(ctx.now(), known) },
  );
  await publishStatements(ctx, [{ kind: "contactPoint", contactPoint }]);
  return {
    contactPointId: b64(contactPoint.contactPointId),
    slug: contactPoint.slug,
    url: contactPointUrl(ctx.profile().serverUrl, contactPoint.slug),
    contactPoint,
  };
}

function issuedAfter(nowMs: number, known: ContactPoint | undefined): Date {
  const seconds = Math.max(Math.floor(nowMs / 1000), (known?.issuedAtSeconds ?? -1) + 1);
  return new Date(seconds * 1000);
}

/** `<server>/k/<slug>` (with or without a fragment) split into the server's URL and the slug. */
export function parseContactPointUrl(link: string): { serverUrl: string; slug: string; fragment: string } {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new ClientError("contact_point_link_invalid", "not a URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new ClientError("contact_point_link_invalid");
  const match = /^(.*\/)k\/([^/]+)\/?$/.exec(url.pathname);
  if (match === null || !CONTACT_POINT_SLUG.test(match[2]!)) throw new ClientError("contact_point_link_invalid");
  return { serverUrl: `${url.origin}${match[1]!}`, slug: match[2]!, fragment: url.hash.replace(/^#/, "") };
}

/**
 * The contact point as the server serves it, checked against the
 * organisation key the same answer names. A customer has nothing else to
 * anchor in: the server (or whoever runs it) could name a key of its own
 * and sign a contact point of its own with it, and the customer would write
 * to whoever holds that key. What the check does buy: the page cannot be
 * altered apart from its key (staff, texts, id stay the organisation's), and
 * staff devices, which anchor in the real key, refuse a guest made for any
 * other. The key's fingerprint can be printed next to the QR code for
 * customers who compare (docs/THREAT-MODEL.md).
 */
export async function fetchContactPoint(
  api: ServerApi,
  slug: string,
): Promise<{
  contactPoint: ContactPoint;
  organisationKey: Uint8Array;
  organisation: { id: string; name: string };
  proofOfWork: { challenge: string; bits: number } | undefined;
}> {
  const answer = await api.contactPoint(slug);
  const organisationKey = bytesFrom(answer.organisationKey, "organisationKey");
  const decoded = decodeContactPoint(bytesFrom(answer.contactPoint, "contactPoint"));
  if (!decoded.ok) throw new ClientError("contact_point_untrusted", decoded.field);
  const contactPoint = decoded.value;
  const fault = checkContactPoint(contactPoint, organisationKey, verifyEd25519);
  if (fault !== undefined) throw new ClientError("contact_point_untrusted", fault);
  if (contactPoint.slug !== slug || !equalBytes(contactPoint.organisationKey, organisationKey)) {
    throw new ClientError("contact_point_untrusted", "slug");
  }
  // A closed one the server already answers contact_point_closed; staff would accept its guests anyway.
  const proof = answer.proofOfWork;
  return {
    contactPoint,
    organisationKey,
    organisation: { id: String(answer.organisation.id), name: String(answer.organisation.name) },
    proofOfWork: proof === undefined ? undefined : { challenge: proof.challenge, bits: proof.bits },
  };
}

/**
 * What a customer reads before writing: the contact point behind a public
 * link, checked as sendInquiry checks it (greeting, opening hours, required
 * fields, the privacy text to consent to, retention). Reads nothing but the
 * public page; registers nothing.
 */
export async function readContactPoint(
  link: string,
  transport: Transport,
): Promise<{ url: string; contactPoint: ContactPoint; organisation: { id: string; name: string } }> {
  const { serverUrl, slug } = parseContactPointUrl(link);
  const { contactPoint, organisation } = await fetchContactPoint(new ServerApi(transport.http, serverUrl), slug);
  return { url: contactPointUrl(serverUrl, slug), contactPoint, organisation };
}
