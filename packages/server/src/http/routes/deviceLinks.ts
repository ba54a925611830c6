/**
 * Linking a second device to an account (docs/PROTOCOL.md, "Linking a
 * device"). The two devices agree on keys by a commit–reveal of ephemeral
 * X25519 keys and a comparison code the person checks; the server relays
 * opaque bytes, enforces the order of the steps, and checks the device
 * certificate against the account key before it creates the device.
 *
 * The order is the point: A commits before anyone sees a key, B learns the
 * commitment with its claim and only then sends its ephemeral key (keyed),
 * and A reveals only after that. Whoever relays can choose neither key after
 * seeing the other.
 */
import type { FastifyInstance } from "fastify";
import {
  BoteError,
  DEVICE_LINK_CODE_ALPHABET,
  DEVICE_LINK_CODE_LENGTH,
  checkDeviceCertificate,
  claimDeviceLinkRequest,
  completeDeviceLinkRequest,
  createDeviceLinkRequest,
  decodeDeviceCertificate,
  deviceLinkCommitmentInput,
  deviceLinkIdParam,
  deviceLinkStatusRequest,
  encodeBase64url,
  equalBytes,
  keyDeviceLinkRequest,
  normaliseDeviceLinkCode,
  revealDeviceLinkRequest,
  type ClaimDeviceLinkResponse,
  type CompleteDeviceLinkResponse,
  type CreateDeviceLinkResponse,
  type DeviceLinkResponse,
  type DeviceLinkStatusResponse,
  type KeyDeviceLinkResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import type { DeviceLink, DevicePrincipal } from "../../store/ServerStore.js";
import { parse } from "../parse.js";
import { authenticate } from "../auth.js";
import { randomId, sha256, verifyEd25519 } from "../../crypto.js";
import { publicRateLimit } from "../rateLimit.js";

export const DEVICE_LINK_TTL_MS = 10 * 60_000;
export const MAX_OPEN_DEVICE_LINKS = 3;
/** A fresh code collides with a live one about once in 2^50 draws; three tries are plenty. */
const CODE_ATTEMPTS = 3;

/** The page a scanned QR code opens; the code sits in the fragment, which browsers never send. */
export function deviceLinkUrl(publicUrl: string, code: string): string {
  const base = publicUrl.endsWith("/") ? publicUrl : `${publicUrl}/`;
  return new URL(`link#c=${code}`, base).toString();
}

/** Ten random characters of the alphabet, shown as XXXXX-XXXXX. 256 is a multiple of 32, so `& 31` is unbiased. */
function newCode(): string {
  const chars = Array.from(randomId(DEVICE_LINK_CODE_LENGTH), (b) => DEVICE_LINK_CODE_ALPHABET[b & 31]!);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}

const codeHash = (code: string): Uint8Array => sha256(normaliseDeviceLinkCode(code));

/** The link, if it exists, has not expired and was opened by this device; otherwise the answer an unknown link gets. */
async function ownLink(ctx: ServerContext, me: DevicePrincipal, linkId: Uint8Array): Promise<DeviceLink> {
  const link = await ctx.store.getDeviceLink(linkId, ctx.now());
  if (link === undefined || !equalBytes(link.initiatorDeviceId, me.deviceId))
    throw new BoteError("device_link_invalid");
  return link;
}

const ephemeral = (bytes: Uint8Array | undefined) =>
  bytes === undefined ? {} : { ephemeralKey: encodeBase64url(bytes) };

export function deviceLinkRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const limited = publicRateLimit(ctx.config);

  app.post("/v1/device-links", async (request, reply) => {
    const me = await authenticate(ctx, request);
    const { commitment } = parse(createDeviceLinkRequest, request.body);
    const now = ctx.now();
    const expiresAt = now + DEVICE_LINK_TTL_MS;
    for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
      const code = newCode();
      const linkId = randomId();
      const result = await ctx.store.createDeviceLink({
        id: linkId,
        deviceId: me.deviceId,
        codeHash: codeHash(code),
        commitment,
        createdAt: now,
        expiresAt,
        maxOpen: MAX_OPEN_DEVICE_LINKS,
      });
      if (!result.ok && result.code === "too_many") throw new BoteError("rate_limited");
      if (!result.ok) continue;
      const response: CreateDeviceLinkResponse = {
        linkId: encodeBase64url(linkId),
        code,
        url: deviceLinkUrl(ctx.config.publicUrl, code),
        expiresAt: new Date(expiresAt).toISOString(),
      };
      return reply.code(201).send(response);
    }
    throw new BoteError("unavailable");
  });

  app.post("/v1/device-links/claim", { config: limited }, async (request, reply) => {
    const body = parse(claimDeviceLinkRequest, request.body);
    const claimToken = randomId(32);
    const result = await ctx.store.claimDeviceLink({
      codeHash: codeHash(body.code),
      now: ctx.now(),
      deviceKey: body.publicKey,
      claimTokenHash: sha256(claimToken),
    });
    if (!result.ok) throw new BoteError(result.code);
    // B gets the commitment now, before it sends its ephemeral key.
    const response: ClaimDeviceLinkResponse = {
      linkId: encodeBase64url(result.id),
      claimToken: encodeBase64url(claimToken),
      commitment: encodeBase64url(result.commitment),
    };
    return reply.code(201).send(response);
  });

  app.post("/v1/device-links/key", { config: limited }, async (request) => {
    const body = parse(keyDeviceLinkRequest, request.body);
    const result = await ctx.store.keyDeviceLink({
      linkId: body.linkId,
      claimTokenHash: sha256(body.claimToken),
      ephemeralKey: body.ephemeralKey,
      now: ctx.now(),
    });
    if (!result.ok) throw new BoteError(result.code);
    const response: KeyDeviceLinkResponse = { state: "keyed" };
    return response;
  });

  app.post("/v1/device-links/status", { config: limited }, async (request) => {
    const body = parse(deviceLinkStatusRequest, request.body);
    const now = ctx.now();
    const tokenHash = sha256(body.claimToken);
    const link = await ctx.store.getDeviceLink(body.linkId, now);
    // A wrong token gets the answer of an unknown link: the id alone tells nothing.
    if (link?.claimTokenHash === undefined || !equalBytes(link.claimTokenHash, tokenHash)) {
      throw new BoteError("device_link_invalid");
    }
    if (link.state !== "completed") {
      const response: DeviceLinkStatusResponse = {
        state: link.state,
        commitment: encodeBase64url(link.commitment),
        ...ephemeral(link.initiatorEphemeralKey),
      };
      return response;
    }
    // B has everything after this answer: the row, with the sealed package, goes now.
    const taken = await ctx.store.takeCompletedDeviceLink(body.linkId, tokenHash, now);
    if (taken?.deviceId === undefined || taken.mailboxId === undefined || taken.sealed === undefined) {
      throw new BoteError("device_link_invalid");
    }
    const response: DeviceLinkStatusResponse = {
      state: "completed",
      commitment: encodeBase64url(taken.commitment),
      ...ephemeral(taken.initiatorEphemeralKey),
      deviceId: encodeBase64url(taken.deviceId),
      mailbox: {
        mailboxId: encodeBase64url(taken.mailboxId),
        capability: encodeBase64url(ctx.secrets.issueCapability(taken.mailboxId)),
      },
      sealed: encodeBase64url(taken.sealed),
    };
    return response;
  });

  app.get("/v1/device-links/:linkId", async (request) => {
    const me = await authenticate(ctx, request);
    const { linkId } = parse(deviceLinkIdParam, request.params);
    const link = await ownLink(ctx, me, linkId);
    const response: DeviceLinkResponse = {
      state: link.state,
      ...ephemeral(link.claimantEphemeralKey),
      ...(link.claimantDeviceKey === undefined ? {} : { publicKey: encodeBase64url(link.claimantDeviceKey) }),
    };
    return response;
  });

  app.post("/v1/device-links/:linkId/reveal", async (request) => {
    const me = await authenticate(ctx, request);
    const { linkId } = parse(deviceLinkIdParam, request.params);
    const { ephemeralKey } = parse(revealDeviceLinkRequest, request.body);
    const link = await ownLink(ctx, me, linkId);
    // Only once B's ephemeral key is fixed: A's key stays hidden until then.
    if (link.state !== "keyed") throw new BoteError("device_link_state");
    if (!equalBytes(sha256(deviceLinkCommitmentInput(ephemeralKey)), link.commitment)) {
      throw new BoteError("bad_request", "ephemeralKey");
    }
    // Conditional on the state: of two reveals racing, the second finds it moved on.
    if (!(await ctx.store.revealDeviceLink(linkId, me.deviceId, ephemeralKey, ctx.now()))) {
      throw new BoteError("device_link_state");
    }
    const response: DeviceLinkResponse = { state: "revealed" };
    return response;
  });

  app.post("/v1/device-links/:linkId/complete", async (request, reply) => {
    const me = await authenticate(ctx, request);
    const { linkId } = parse(deviceLinkIdParam, request.params);
    const body = parse(completeDeviceLinkRequest, request.body);
    const link = await ownLink(ctx, me, linkId);
    if (link.state !== "revealed" || link.claimantDeviceKey === undefined) throw new BoteError("device_link_state");
    const account = await ctx.store.getAccount(me.accountId);
    if (account === undefined || account.deactivatedAt !== undefined) throw new BoteError("device_link_invalid");
    const certificate = decodeDeviceCertificate(body.deviceCertificate);
    const expected = { accountId: me.accountId, accountKey: account.accountKey, deviceKey: link.claimantDeviceKey };
    if (!certificate.ok || checkDeviceCertificate(certificate.value, expected, verifyEd25519) !== undefined) {
      throw new BoteError("certificate_invalid", "deviceCertificate");
    }
    const deviceId = randomId();
    const result = await ctx.store.completeDeviceLink({
      linkId,
      initiatorDeviceId: me.deviceId,
      accountId: me.accountId,
      accountKey: account.accountKey,
      now: ctx.now(),
      deviceId,
      deviceKey: link.claimantDeviceKey,
      deviceCertificate: body.deviceCertificate,
      mailboxId: randomId(),
      sealed: body.sealed,
    });
    if (!result.ok) {
      // The account was revoked or its key replaced between the check and the write.
      throw new BoteError(result.code === "account_changed" ? "certificate_invalid" : result.code);
    }
    const response: CompleteDeviceLinkResponse = { deviceId: encodeBase64url(deviceId) };
    return reply.code(201).send(response);
  });
}
