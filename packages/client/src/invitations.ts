import { createDirectoryEntry, createInvitation, formatInvitationLink, publicKeyOf } from "@bote/core";
import { equalBytes, isCanonicalDisplayName, isDirectoryText, MAX_INVITATION_BATCH, type Role } from "@bote/protocol";
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

/** One person of a batch, as parseStaffCsv reads it (or as a caller builds it). */
export interface InvitationRequest {
  readonly displayName: string;
  readonly role: Role;
  readonly department?: string;
  readonly title?: string;
}

export interface MadeInvitation {
  readonly url: string;
  readonly expiresAt: string;
  readonly accountId: Uint8Array;
  readonly displayName: string;
  readonly role: Role;
  readonly department: string;
  readonly title: string;
}

/**
 * Invitations for a whole staff list: everything is checked and signed on
 * this device first (invitation certificates and the directory entries with
 * each person's department), then posted in one request the server makes
 * in one transaction. A fault anywhere leaves no half of a batch behind.
 */
export async function createInvitationLinks(
  ctx: ClientContext,
  requests: readonly InvitationRequest[],
  lifetimeMs: number = DEFAULT_LIFETIME_MS,
): Promise<MadeInvitation[]> {
  if (requests.length === 0 || requests.length > MAX_INVITATION_BATCH) throw new ClientError("bad_request", "batch");
  const people = requests.map((r, i) => {
    const person = {
      displayName: r.displayName.normalize("NFC").trim(),
      role: r.role,
      department: (r.department ?? "").normalize("NFC").trim(),
      title: (r.title ?? "").normalize("NFC").trim(),
    };
    if (!isCanonicalDisplayName(person.displayName)) throw new ClientError("bad_request", `${i}.displayName`);
    if (!isDirectoryText(person.department)) throw new ClientError("bad_request", `${i}.department`);
    if (!isDirectoryText(person.title)) throw new ClientError("bad_request", `${i}.title`);
    return person;
  });
  const organisationKey = currentOrganisationKey(ctx);
  const issuedBy = bytesFrom(ctx.profile().accountId, "accountId");
  const now = new Date(ctx.now());
  const expiresAt = new Date(ctx.now() + lifetimeMs);
  const signed = people.map((person) => {
    const accountId = randomId();
    const invitation = createInvitation(organisationKey, { accountId, ...person }, { expiresAt, issuedBy });
    const directoryEntry =
      person.department === "" && person.title === ""
        ? undefined
        : createDirectoryEntry(organisationKey, { accountId, ...person }, { issuedBy, now });
    return { person, accountId, invitation, directoryEntry };
  });
  const created = await ctx.session.api.createInvitations(
    signed.map((s) => ({
      certificate: s.invitation.certificate,
      ...(s.directoryEntry === undefined ? {} : { directoryEntry: s.directoryEntry }),
    })),
  );
  if (created.invitations.length !== signed.length) throw new ClientError("server_unexpected", "invitations");
  return signed.map((s, i) => {
    const answer = created.invitations[i]!;
    const url = formatInvitationLink(answer.url, {
      invitationSignKey: s.invitation.signKey,
      certificate: s.invitation.certificate,
      ciphersuite: ctx.device().ciphersuite,
    });
    return { url, expiresAt: answer.expiresAt, accountId: s.accountId, ...s.person };
  });
}
