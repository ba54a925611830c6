/** Login by signed challenge, sessions, and the organisation directory. */
import type { FastifyInstance } from "fastify";
import {
  BoteError,
  encodeBase64url,
  loginChallengeRequest,
  loginRequest,
  loginSignedBytes,
  type LoginChallengeResponse,
  type LoginResponse,
  type MeResponse,
  type MembersResponse,
  KEY_PACKAGES_LOW_WATERMARK,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { parse } from "../parse.js";
import { authenticate, GUEST_ROUTE } from "../auth.js";
import { hex, randomId, sha256, verifyEd25519 } from "../../crypto.js";
import { deviceKey, sessionTag } from "../../relay/Bus.js";
import { publicRateLimit } from "../rateLimit.js";

export function accountRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const limited = publicRateLimit(ctx.config);

  app.post("/v1/login/challenge", { config: limited }, async (request) => {
    const { deviceId } = parse(loginChallengeRequest, request.body);
    // An unknown device gets a challenge too, so the answer does not tell which device ids exist.
    const challenge = randomId(32);
    const expiresAt = ctx.now() + ctx.config.challengeTtlMs;
    if ((await ctx.store.getDevice(deviceId)) !== undefined) {
      await ctx.store.createChallenge(challenge, deviceId, expiresAt);
    }
    const response: LoginChallengeResponse = {
      challenge: encodeBase64url(challenge),
      expiresAt: new Date(expiresAt).toISOString(),
    };
    return response;
  });

  app.post("/v1/login", { config: limited }, async (request) => {
    const body = parse(loginRequest, request.body);
    const device = await ctx.store.getDevice(body.deviceId);
    const signed = loginSignedBytes(body.deviceId, body.challenge);
    // The challenge is consumed even when the signature fails: one try per challenge.
    const fresh = await ctx.store.consumeChallenge(body.challenge, body.deviceId, ctx.now());
    if (device === undefined) {
      // Told only to the holder of the revoked key: no challenge was stored for it, so the signature is the proof.
      const revokedKey = await ctx.store.revokedDeviceKey(body.deviceId);
      if (revokedKey !== undefined && verifyEd25519(revokedKey, signed, body.signature)) {
        throw new BoteError("device_revoked");
      }
      throw new BoteError("challenge_invalid");
    }
    if (!fresh || !verifyEd25519(device.publicKey, signed, body.signature)) throw new BoteError("challenge_invalid");
    // A guest account lives until it has not logged in for guestIdleMs (the sweep).
    if (device.guestOf !== undefined) await ctx.store.touchGuest(device.accountId, ctx.now());
    const token = encodeBase64url(randomId(32));
    const expiresAt = ctx.now() + ctx.config.sessionTtlMs;
    const dropped = await ctx.store.createSession(
      sha256(token),
      body.deviceId,
      expiresAt,
      ctx.config.maxSessionsPerDevice,
    );
    // Sessions beyond the cap end here, and their sockets with them, as at logout.
    for (const hash of dropped) {
      ctx.bus.publish(deviceKey(hex(body.deviceId)), { kind: "sessionEnded", session: sessionTag(hex(hash)) });
    }
    const response: LoginResponse = { sessionToken: token, expiresAt: new Date(expiresAt).toISOString() };
    return response;
  });

  app.post("/v1/logout", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    const token = request.headers.authorization!.slice("Bearer ".length);
    const tokenHash = sha256(token);
    await ctx.store.deleteSession(tokenHash);
    // The sockets this session opened, on every node, end with it.
    ctx.bus.publish(deviceKey(hex(me.deviceId)), { kind: "sessionEnded", session: sessionTag(hex(tokenHash)) });
    return reply.code(204).send();
  });

  app.get("/v1/me", { config: GUEST_ROUTE }, async (request) => {
    const me = await authenticate(ctx, request);
    const [organisation, mailboxes, stock] = await Promise.all([
      ctx.store.getOrganisation(me.orgId),
      ctx.store.listMailboxes(me.deviceId),
      ctx.store.countKeyPackages(me.deviceId),
    ]);
    const handedOutAt = ctx.keyPackageLimits.lastResortHandedOutAt(me.deviceId);
    const response: MeResponse = {
      accountId: encodeBase64url(me.accountId),
      deviceId: encodeBase64url(me.deviceId),
      displayName: me.displayName,
      role: me.role,
      organisation: { id: encodeBase64url(me.orgId), name: organisation?.name ?? "" },
      mailboxes: mailboxes.map((m) => ({
        mailboxId: encodeBase64url(m.id),
        capability: encodeBase64url(ctx.secrets.issueCapability(m.id)),
      })),
      keyPackages: {
        ...stock,
        low: stock.oneTime < KEY_PACKAGES_LOW_WATERMARK,
        ...(handedOutAt === undefined ? {} : { lastResortHandedOutAt: new Date(handedOutAt).toISOString() }),
      },
      ...(me.guestOf === undefined ? {} : { contactPointId: encodeBase64url(me.guestOf) }),
    };
    return response;
  });

  app.get("/v1/members", async (request) => {
    const me = await authenticate(ctx, request);
    const members = await ctx.store.listMembers(me.orgId);
    const response: MembersResponse = {
      members: members.map((m) => ({
        accountId: encodeBase64url(m.id),
        displayName: m.displayName,
        role: m.role,
        certificate: encodeBase64url(m.certificate),
        devices: m.devices.map((d) => ({
          deviceId: encodeBase64url(d.id),
          publicKey: encodeBase64url(d.publicKey),
          certificate: encodeBase64url(d.certificate),
        })),
      })),
    };
    return response;
  });
}
