/**
 * Contact points (docs/PROTOCOL.md §18): the public page data, the guest
 * account a customer's browser makes, and the guest's fetch of its staff's
 * key packages. The two public routes are limited per client address (the
 * general public limit, plus new guests per hour) and per contact point
 * (new guests per hour, from all addresses together); while a contact point
 * has used half of its hour, a new guest must also solve a puzzle.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  BoteError,
  CONTACT_POINT_SLUG,
  checkDeviceCertificate,
  checkGuestCertificate,
  createGuestRequest,
  decodeAccountCertificate,
  decodeContactPoint,
  decodeDeviceCertificate,
  encodeBase64url,
  equalBytes,
  type ContactPointKeyPackagesResponse,
  type ContactPointResponse,
  type CreateGuestResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import type { ContactPointRecord } from "../../store/ServerStore.js";
import { parse } from "../parse.js";
import { authenticateGuest, GUEST_ROUTE } from "../auth.js";
import { publicRateLimit, rateLimitKey } from "../rateLimit.js";
import { TokenBuckets } from "../TokenBuckets.js";
import { checkProof, issueChallenge } from "../ProofOfWork.js";
import { takeAccountKeyPackages } from "../accountKeyPackages.js";
import { hex, randomId, verifyEd25519 } from "../../crypto.js";

const hour = 3_600_000;

/** The slug of the path; anything that cannot be a slug is an unknown contact point. */
function slugOf(request: FastifyRequest): string {
  const slug = (request.params as { slug?: unknown }).slug;
  if (typeof slug !== "string" || !CONTACT_POINT_SLUG.test(slug)) throw new BoteError("contact_point_unknown");
  return slug;
}

async function contactPointOf(ctx: ServerContext, request: FastifyRequest): Promise<ContactPointRecord> {
  const contactPoint = await ctx.store.getContactPointBySlug(slugOf(request));
  if (contactPoint === undefined) throw new BoteError("contact_point_unknown");
  return contactPoint;
}

/**
 * A contact point takes inquiries while it is open and while the
 * organisation's policy allows chats with people outside it; the customer
 * hears the same "closed" either way, not the organisation's rules.
 */
async function openContactPoint(ctx: ServerContext, contactPoint: ContactPointRecord): Promise<ContactPointRecord> {
  if (!contactPoint.open) throw new BoteError("contact_point_closed");
  const policy = await ctx.store.getEnforcedPolicy(contactPoint.orgId);
  if (!policy.externalChats) throw new BoteError("contact_point_closed", "the policy allows no external chats");
  return contactPoint;
}

/** rate_limited with the seconds until the bucket has room again. */
function limited(reply: FastifyReply, retryAfterMs: number): BoteError {
  void reply.header("retry-after", String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new BoteError("rate_limited");
}

export function contactPointRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { config } = ctx;
  const perAddress = new TokenBuckets(config.rateLimits.guestsPerAddressPerHour, hour, ctx.now);
  const perContactPoint = new TokenBuckets(config.rateLimits.guestsPerContactPointPerHour, hour, ctx.now);
  const publicLimit = publicRateLimit(config);

  /** Under attack: the contact point used more than half of its hour's new guests, or the operator asks always. */
  const proofRequired = (contactPointId: Uint8Array): boolean =>
    config.proofOfWork.bits > 0 &&
    (config.proofOfWork.always ||
      perContactPoint.available(hex(contactPointId)) < config.rateLimits.guestsPerContactPointPerHour / 2);

  app.get("/v1/contact-points/:slug", { config: publicLimit }, async (request) => {
    const contactPoint = await openContactPoint(ctx, await contactPointOf(ctx, request));
    const [organisation, organisationKey] = await Promise.all([
      ctx.store.getOrganisation(contactPoint.orgId),
      ctx.store.getOrganisationKey(contactPoint.orgId),
    ]);
    if (organisationKey === undefined) throw new BoteError("contact_point_unknown");
    const response: ContactPointResponse = {
      contactPoint: encodeBase64url(contactPoint.contactPoint),
      organisation: { id: encodeBase64url(contactPoint.orgId), name: organisation?.name ?? "" },
      organisationKey: encodeBase64url(organisationKey),
      limits: {
        blobs: config.guests.maxBlobs,
        blobBytes: config.guests.maxBlobBytes,
        blobMaxBytes: Math.min(config.blobMaxBytes, config.guests.maxBlobBytes),
        keyPackageFetches: config.guests.maxKeyPackageFetches,
        idleDays: Math.round(config.guests.idleMs / (24 * hour)),
      },
    };
    if (proofRequired(contactPoint.id)) {
      const expiresAt = ctx.now() + config.proofOfWork.ttlMs;
      const challenge = issueChallenge(ctx.secrets, contactPoint.id, config.proofOfWork.bits, expiresAt);
      response.proofOfWork = {
        challenge: encodeBase64url(challenge),
        bits: config.proofOfWork.bits,
        expiresAt: new Date(expiresAt).toISOString(),
      };
    }
    return response;
  });

  app.post("/v1/contact-points/:slug/guests", { config: publicLimit }, async (request, reply) => {
    const contactPoint = await openContactPoint(ctx, await contactPointOf(ctx, request));
    const body = parse(createGuestRequest, request.body);
    if (proofRequired(contactPoint.id)) {
      if (body.proof === undefined) throw new BoteError("proof_of_work_required");
      const solved = checkProof(
        ctx.secrets,
        body.proof,
        contactPoint.id,
        body.publicKey,
        ctx.now(),
        config.proofOfWork.bits,
      );
      if (!solved) throw new BoteError("proof_of_work_invalid", "proof");
    }
    // After the puzzle (one hash to check), before the signatures.
    const address = rateLimitKey(request);
    if (!perAddress.take(address)) throw limited(reply, perAddress.retryAfterMs(address));
    const organisationKey = await ctx.store.getOrganisationKey(contactPoint.orgId);
    if (organisationKey === undefined) throw new BoteError("contact_point_unknown");
    const account = decodeAccountCertificate(body.accountCertificate);
    if (!account.ok) throw new BoteError("certificate_invalid", "accountCertificate");
    const a = account.value;
    if (checkGuestCertificate(a, organisationKey, contactPoint.id, verifyEd25519) !== undefined) {
      throw new BoteError("certificate_invalid", "accountCertificate");
    }
    if (!equalBytes(a.accountId, body.accountId)) throw new BoteError("certificate_invalid", "accountId");
    const device = decodeDeviceCertificate(body.deviceCertificate);
    if (
      !device.ok ||
      checkDeviceCertificate(
        device.value,
        { accountId: a.accountId, accountKey: a.accountKey, deviceKey: body.publicKey },
        verifyEd25519,
      ) !== undefined
    ) {
      throw new BoteError("certificate_invalid", "deviceCertificate");
    }
    // Counted only for guests that would be made: a broken client does not use up the team's hour.
    const key = hex(contactPoint.id);
    if (!perContactPoint.take(key)) throw limited(reply, perContactPoint.retryAfterMs(key));
    const deviceId = randomId(16);
    const mailboxId = randomId(16);
    const result = await ctx.store.createGuest({
      contactPointId: contactPoint.id,
      organisationKey,
      now: ctx.now(),
      accountId: a.accountId,
      accountKey: a.accountKey,
      displayName: a.displayName,
      accountCertificate: body.accountCertificate,
      certificateIssuedAt: a.issuedAtSeconds,
      deviceId,
      publicKey: body.publicKey,
      deviceCertificate: body.deviceCertificate,
      mailboxId,
    });
    if (!result.ok) {
      perContactPoint.refund(key);
      switch (result.code) {
        case "organisation_key_changed":
          throw new BoteError("certificate_invalid", "accountCertificate");
        case "account_taken":
        case "device_key_taken":
        case "contact_point_closed":
          throw new BoteError(result.code);
        default: {
          const unknown: never = result.code;
          throw new RangeError(`unknown result ${String(unknown)}`);
        }
      }
    }
    const response: CreateGuestResponse = {
      accountId: encodeBase64url(a.accountId),
      deviceId: encodeBase64url(deviceId),
      mailbox: {
        mailboxId: encodeBase64url(mailboxId),
        capability: encodeBase64url(ctx.secrets.issueCapability(mailboxId)),
      },
    };
    return reply.code(201).send(response);
  });

  // Only a guest, only of this contact point, and only a few times: enough to retry a first send.
  app.get("/v1/contact-points/:slug/key-packages", { config: GUEST_ROUTE }, async (request) => {
    const me = await authenticateGuest(ctx, request);
    const contactPoint = await ctx.store.getContactPointBySlug(slugOf(request));
    // Another contact point's slug answers as an unknown one: a guest learns nothing of the others.
    if (contactPoint === undefined || !equalBytes(contactPoint.id, me.guestOf)) {
      throw new BoteError("contact_point_unknown");
    }
    if (!ctx.keyPackageLimits.allowFetch(me.accountId)) throw new BoteError("rate_limited");
    if (!(await ctx.store.countGuestKeyPackageFetch(me.accountId, config.guests.maxKeyPackageFetches))) {
      throw new BoteError("rate_limited");
    }
    const decoded = decodeContactPoint(contactPoint.contactPoint);
    if (!decoded.ok) throw new Error("a stored contact point does not decode");
    const accounts: ContactPointKeyPackagesResponse["accounts"] = [];
    for (const staffId of decoded.value.staff) {
      const account = await ctx.store.getAccount(staffId);
      // Revoked since the statement: nobody may add that account to a group any more.
      if (
        account === undefined ||
        !equalBytes(account.orgId, contactPoint.orgId) ||
        account.deactivatedAt !== undefined ||
        account.guestOf !== undefined
      ) {
        continue;
      }
      accounts.push({ accountId: encodeBase64url(staffId), ...(await takeAccountKeyPackages(ctx, staffId)) });
    }
    const response: ContactPointKeyPackagesResponse = { accounts };
    return response;
  });
}
