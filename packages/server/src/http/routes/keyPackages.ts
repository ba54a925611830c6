/** One-time MLS key packages: opaque bytes to the server, handed out once with the device's delivery address. */
import type { FastifyInstance } from "fastify";
import {
  BoteError,
  KEY_PACKAGES_LOW_WATERMARK,
  MAX_KEY_PACKAGES_PER_DEVICE,
  accountIdParam,
  encodeBase64url,
  uploadKeyPackagesRequest,
  type FetchKeyPackagesResponse,
  type KeyPackageStock,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { parse } from "../parse.js";
import { authenticate } from "../auth.js";
import { deviceKey } from "../../relay/Bus.js";
import { hex } from "../../crypto.js";

export function keyPackageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/key-packages", async (request) => {
    const me = await authenticate(ctx, request);
    const body = parse(uploadKeyPackagesRequest, request.body);
    const ok = await ctx.store.addKeyPackages(me.deviceId, body.oneTime, body.lastResort, MAX_KEY_PACKAGES_PER_DEVICE);
    if (!ok) throw new BoteError("too_many_key_packages", "oneTime");
    const stock = await ctx.store.countKeyPackages(me.deviceId);
    const response: KeyPackageStock = { ...stock, low: stock.oneTime < KEY_PACKAGES_LOW_WATERMARK };
    return response;
  });

  app.get(
    "/v1/accounts/:accountId/key-packages",
    {
      config: {
        rateLimit: {
          max: ctx.config.rateLimits.keyPackageFetchesPerMinute,
          timeWindow: 60_000,
          // Per requesting session, so one account cannot drain a colleague's stock quickly.
          keyGenerator: (request: { headers: Record<string, unknown>; ip: string }) =>
            typeof request.headers.authorization === "string" ? request.headers.authorization : request.ip,
        },
      },
    },
    async (request) => {
      const me = await authenticate(ctx, request);
      const { accountId } = parse(accountIdParam, request.params);
      const account = await ctx.store.getAccount(accountId);
      // Another organisation's account is reported as unknown: ids of other organisations stay secret.
      // A revoked account is unknown too: nobody may add it to a group any more.
      if (
        account === undefined ||
        Buffer.compare(account.orgId, me.orgId) !== 0 ||
        account.deactivatedAt !== undefined
      ) {
        throw new BoteError("account_unknown");
      }
      const result = await ctx.store.takeKeyPackages(accountId);
      for (const t of result.taken) {
        if (!t.lastResort && t.remaining < KEY_PACKAGES_LOW_WATERMARK) {
          ctx.bus.publish(deviceKey(hex(t.deviceId)), { kind: "keyPackagesLow", remaining: t.remaining });
        }
      }
      const response: FetchKeyPackagesResponse = {
        devices: result.taken.map((t) => ({
          deviceId: encodeBase64url(t.deviceId),
          keyPackage: encodeBase64url(t.data),
          lastResort: t.lastResort,
          mailboxId: encodeBase64url(t.mailboxId),
          capability: encodeBase64url(ctx.secrets.issueCapability(t.mailboxId)),
        })),
        unavailable: result.unavailable.map(encodeBase64url),
      };
      return response;
    },
  );
}
