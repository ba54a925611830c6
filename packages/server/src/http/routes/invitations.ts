/**
 * Invitations: an admin device certifies one future account (id, name, role,
 * expiry) with the organisation key; the joining device redeems it with an
 * account certificate made by the invitation key and a device certificate
 * made by its new account key. The server checks every signature against
 * the organisation's current key and stores nothing it could not verify.
 */
import type { FastifyInstance } from "fastify";
import {
  BoteError,
  checkAccountCertificate,
  checkDeviceCertificate,
  checkDirectoryEntry,
  checkInvitationCertificate,
  checkInvitationRequest,
  createInvitationBatchRequest,
  createInvitationRequest,
  decodeAccountCertificate,
  decodeDeviceCertificate,
  decodeDirectoryEntry,
  decodeInvitationCertificate,
  encodeBase64url,
  encodeInvitationCertificate,
  encodeOrganisationStatement,
  equalBytes,
  redeemInvitationRequest,
  type AccountCertificate,
  type CheckInvitationResponse,
  type CreateInvitationBatchResponse,
  type CreateInvitationResponse,
  type InvitationState,
  type InvitationsResponse,
  type RedeemInvitationRequest,
  type RedeemInvitationResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import type { DevicePrincipal, Invitation, NewInvitation } from "../../store/ServerStore.js";
import { parse } from "../parse.js";
import { authenticateAdmin } from "../auth.js";
import { randomId, sha256, verifyEd25519 } from "../../crypto.js";
import { publicRateLimit } from "../rateLimit.js";
import { announceStatements } from "../announce.js";

/** The link a new member opens; the token sits in the fragment, which browsers never send to a server. */
export function invitationUrl(publicUrl: string, token: string): string {
  const base = publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`;
  return new URL(`join#t=${token}`, base).toString();
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/**
 * The account certificate of a redeem, checked against the invitation, and
 * the organisation key it was checked under. Throws certificate_invalid (or
 * organisation_key_missing) with the faulty field as path.
 */
async function verifyRedeem(
  ctx: ServerContext,
  invitation: Invitation,
  body: RedeemInvitationRequest,
): Promise<{ certificate: AccountCertificate; organisationKey: Uint8Array; setsOrganisationKey: boolean }> {
  const decoded = decodeAccountCertificate(body.accountCertificate);
  if (!decoded.ok) throw new BoteError("certificate_invalid", "accountCertificate");
  const certificate = decoded.value;
  let organisationKey: Uint8Array;
  let setsOrganisationKey = false;
  if (invitation.certified === undefined) {
    // The first admin: its device made the organisation key and certifies its own account with it.
    // A recovery (`bote serve --recovery-invite`, the key exists): the device restored the current
    // key from the recovery kit and certifies with it, which nobody without the kit can.
    if (body.organisationKey === undefined) throw new BoteError("certificate_invalid", "organisationKey");
    const current = await ctx.store.getOrganisationKey(invitation.orgId);
    if (current !== undefined && !equalBytes(current, body.organisationKey)) {
      throw new BoteError("invitation_invalid");
    }
    organisationKey = body.organisationKey;
    setsOrganisationKey = current === undefined;
    if (certificate.issuer.kind !== "organisation" || certificate.role !== "admin") {
      throw new BoteError("certificate_invalid", "accountCertificate");
    }
  } else {
    if (body.organisationKey !== undefined) throw new BoteError("bad_request", "organisationKey");
    const current = await ctx.store.getOrganisationKey(invitation.orgId);
    if (current === undefined) throw new BoteError("organisation_key_missing");
    organisationKey = current;
    if (!equalBytes(body.accountId, invitation.certified.accountId)) {
      throw new BoteError("certificate_invalid", "accountId");
    }
    // Exactly the invitation the admin device uploaded, byte for byte.
    if (
      certificate.issuer.kind !== "invitation" ||
      !equalBytes(encodeInvitationCertificate(certificate.issuer.invitation), invitation.certified.certificate)
    ) {
      throw new BoteError("certificate_invalid", "accountCertificate");
    }
  }
  if (
    !equalBytes(certificate.accountId, body.accountId) ||
    checkAccountCertificate(certificate, organisationKey, seconds(ctx.now()), verifyEd25519) !== undefined
  ) {
    throw new BoteError("certificate_invalid", "accountCertificate");
  }
  const device = decodeDeviceCertificate(body.deviceCertificate);
  const expected = { accountId: certificate.accountId, accountKey: certificate.accountKey, deviceKey: body.publicKey };
  if (!device.ok || checkDeviceCertificate(device.value, expected, verifyEd25519) !== undefined) {
    throw new BoteError("certificate_invalid", "deviceCertificate");
  }
  return { certificate, organisationKey, setsOrganisationKey };
}

function stateOf(invitation: Invitation, now: number): InvitationState {
  if (invitation.revokedAt !== undefined) return "revoked";
  if (invitation.redeemedAt !== undefined) return "used";
  return invitation.expiresAt <= now ? "expired" : "open";
}

/** The invitation a token names if it can still be redeemed; else the error a redeem would answer. */
async function redeemableInvitation(ctx: ServerContext, tokenHash: Uint8Array, now: number): Promise<Invitation> {
  const invitation = await ctx.store.getInvitation(tokenHash);
  if (invitation === undefined || invitation.expiresAt <= now || invitation.revokedAt !== undefined) {
    throw new BoteError("invitation_invalid");
  }
  if (invitation.redeemedAt !== undefined) throw new BoteError("invitation_used");
  return invitation;
}

/**
 * One invitation an admin device certified, checked against the current
 * organisation key, with its token; throws certificate_invalid naming the
 * faulty field under `path`. A directory entry, if any, must be org-signed
 * for the same account.
 */
function newInvitation(
  ctx: ServerContext,
  admin: DevicePrincipal,
  organisationKey: Uint8Array,
  now: number,
  certificate: Uint8Array,
  directoryEntry: Uint8Array | undefined,
  path: string,
): { invitation: NewInvitation; response: CreateInvitationResponse } {
  const certificatePath = path === "certificate" ? path : `${path}.certificate`;
  const decoded = decodeInvitationCertificate(certificate);
  if (!decoded.ok) throw new BoteError("certificate_invalid", certificatePath);
  const c = decoded.value;
  const expiresAt = c.expiresAtSeconds * 1000;
  // The shared check tolerates clock skew; an invitation that is over already is refused outright.
  if (checkInvitationCertificate(c, organisationKey, seconds(now), verifyEd25519) !== undefined || expiresAt <= now) {
    throw new BoteError("certificate_invalid", certificatePath);
  }
  if (!equalBytes(c.issuedBy, admin.accountId))
    throw new BoteError("certificate_invalid", `${certificatePath}.issuedBy`);
  let directoryStatement: Uint8Array | undefined;
  if (directoryEntry !== undefined) {
    const entry = decodeDirectoryEntry(directoryEntry);
    if (
      !entry.ok ||
      checkDirectoryEntry(entry.value, organisationKey, verifyEd25519) !== undefined ||
      !equalBytes(entry.value.accountId, c.accountId) ||
      !equalBytes(entry.value.issuedBy, admin.accountId)
    ) {
      throw new BoteError("certificate_invalid", `${path}.directoryEntry`);
    }
    directoryStatement = encodeOrganisationStatement({ kind: "directoryEntry", entry: entry.value });
  }
  const token = encodeBase64url(randomId(32));
  const id = randomId();
  const invitation: NewInvitation = {
    id,
    orgId: admin.orgId,
    tokenHash: sha256(token),
    role: c.role,
    expiresAt,
    createdAt: now,
    certified: {
      accountId: c.accountId,
      invitationKey: c.invitationKey,
      displayName: c.displayName,
      certificate: encodeInvitationCertificate(c),
    },
    statement: encodeOrganisationStatement({ kind: "invitation", certificate: c }),
    ...(directoryStatement === undefined ? {} : { directoryStatement }),
  };
  const response: CreateInvitationResponse = {
    invitationId: encodeBase64url(id),
    token,
    url: invitationUrl(ctx.config.publicUrl, token),
    role: c.role,
    expiresAt: new Date(expiresAt).toISOString(),
  };
  return { invitation, response };
}

export function invitationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Read-only: the joining page asks before it asks for anything. It tells the token's holder
  // no more than a redeem with a wrong certificate would.
  app.post("/v1/invitations/check", { config: publicRateLimit(ctx.config) }, async (request) => {
    const body = parse(checkInvitationRequest, request.body);
    await redeemableInvitation(ctx, sha256(body.token), ctx.now());
    const response: CheckInvitationResponse = { state: "open" };
    return response;
  });

  app.post("/v1/invitations/redeem", { config: publicRateLimit(ctx.config) }, async (request, reply) => {
    const body = parse(redeemInvitationRequest, request.body);
    const tokenHash = sha256(body.token);
    const now = ctx.now();
    const invitation = await redeemableInvitation(ctx, tokenHash, now);
    const { certificate, organisationKey, setsOrganisationKey } = await verifyRedeem(ctx, invitation, body);
    const deviceId = randomId();
    const mailboxId = randomId();
    const result = await ctx.store.redeemInvitation({
      tokenHash,
      now,
      organisationKey,
      setsOrganisationKey,
      accountId: certificate.accountId,
      accountKey: certificate.accountKey,
      displayName: certificate.displayName,
      role: certificate.role,
      accountCertificate: body.accountCertificate,
      certificateIssuedAt: certificate.issuedAtSeconds,
      deviceId,
      publicKey: body.publicKey,
      deviceCertificate: body.deviceCertificate,
      mailboxId,
      statement: encodeOrganisationStatement({ kind: "account", certificate }),
    });
    if (!result.ok) {
      // The key moved (a rotation, or another first admin) between the check and the write.
      throw new BoteError(result.code === "organisation_key_changed" ? "certificate_invalid" : result.code);
    }
    ctx.onInvitationRedeemed(tokenHash);
    announceStatements(ctx, result.orgId, result.seq);
    const organisation = await ctx.store.getOrganisation(result.orgId);
    const response: RedeemInvitationResponse = {
      accountId: encodeBase64url(certificate.accountId),
      deviceId: encodeBase64url(deviceId),
      role: result.role,
      organisation: { id: encodeBase64url(result.orgId), name: organisation?.name ?? "" },
      mailbox: {
        mailboxId: encodeBase64url(mailboxId),
        capability: encodeBase64url(ctx.secrets.issueCapability(mailboxId)),
      },
    };
    return reply.code(201).send(response);
  });

  app.post("/v1/invitations", async (request, reply) => {
    const admin = await authenticateAdmin(ctx, request);
    const body = parse(createInvitationRequest, request.body);
    const organisationKey = await ctx.store.getOrganisationKey(admin.orgId);
    if (organisationKey === undefined) throw new BoteError("organisation_key_missing");
    const now = ctx.now();
    const made = newInvitation(ctx, admin, organisationKey, now, body.certificate, undefined, "certificate");
    const result = await ctx.store.createInvitation(made.invitation);
    if (!result.ok) throw new BoteError("certificate_invalid", "certificate.accountId");
    if (result.seq !== undefined) announceStatements(ctx, admin.orgId, result.seq);
    return reply.code(201).send(made.response);
  });

  // A CSV file's worth of people: every certificate is checked before any is stored, and the
  // store makes all of them in one transaction, so a bad one leaves no half of a batch behind.
  app.post("/v1/invitations/batch", async (request, reply) => {
    const admin = await authenticateAdmin(ctx, request);
    const body = parse(createInvitationBatchRequest, request.body);
    const organisationKey = await ctx.store.getOrganisationKey(admin.orgId);
    if (organisationKey === undefined) throw new BoteError("organisation_key_missing");
    const now = ctx.now();
    const made = body.invitations.map((item, i) =>
      newInvitation(ctx, admin, organisationKey, now, item.certificate, item.directoryEntry, `invitations.${i}`),
    );
    const result = await ctx.store.createInvitations(made.map((m) => m.invitation));
    if (!result.ok) throw new BoteError("certificate_invalid", `invitations.${result.index}.certificate.accountId`);
    if (result.seq !== undefined) announceStatements(ctx, admin.orgId, result.seq);
    const response: CreateInvitationBatchResponse = { invitations: made.map((m) => m.response) };
    return reply.code(201).send(response);
  });

  app.get("/v1/invitations", async (request) => {
    const admin = await authenticateAdmin(ctx, request);
    const now = ctx.now();
    const invitations = await ctx.store.listInvitations(admin.orgId);
    const response: InvitationsResponse = {
      invitations: invitations.flatMap((i) =>
        i.certified === undefined
          ? []
          : [
              {
                invitationId: encodeBase64url(i.id),
                accountId: encodeBase64url(i.certified.accountId),
                displayName: i.certified.displayName,
                role: i.role,
                state: stateOf(i, now),
                expiresAt: new Date(i.expiresAt).toISOString(),
                certificate: encodeBase64url(i.certified.certificate),
              },
            ],
      ),
    };
    return response;
  });
}
