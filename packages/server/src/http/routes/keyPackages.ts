/** One-time MLS key packages: opaque bytes to the server, handed out once with the device's delivery address. */
import type { FastifyInstance } from "fastify";
import {
  BoteError,
  KEY_PACKAGES_LOW_WATERMARK,
  MAX_KEY_PACKAGES_PER_DEVICE,
  accountIdParam,
  uploadKeyPackagesRequest,
  type FetchKeyPackagesResponse,
  type KeyPackageStock,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { parse } from "../parse.js";
import { authenticate } from "../auth.js";
import { takeAccountKeyPackages } from "../accountKeyPackages.js";

export function keyPackageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/key-packages", async (request) => {
    const me = await authenticate(ctx, request);
    const body = parse(uploadKeyPackagesRequest, request.body);
    const ok = await ctx.store.addKeyPackages(me.deviceId, body.oneTime, body.lastResort, MAX_KEY_PACKAGES_PER_DEVICE);
    if (!ok) throw new BoteError("too_many_key_packages", "oneTime");
    if (body.lastResort !== undefined) ctx.keyPackageLimits.noteLastResortReplaced(me.deviceId);
    const stock = await ctx.store.countKeyPackages(me.deviceId);
    const response: KeyPackageStock = { ...stock, low: stock.oneTime < KEY_PACKAGES_LOW_WATERMARK };
    return response;
  });

  // Limited per requesting account and per target device in KeyPackageLimits, not per session:
  // a new login must not buy a new budget.
  app.get("/v1/accounts/:accountId/key-packages", async (request) => {
    const me = await authenticate(ctx, request);
    if (!ctx.keyPackageLimits.allowFetch(me.accountId)) throw new BoteError("rate_limited");
    const { accountId } = parse(accountIdParam, request.params);
    const account = await ctx.store.getAccount(accountId);
    // Another organisation's account is reported as unknown: ids of other organisations stay secret.
    // A revoked account is unknown too: nobody may add it to a group any more. A guest is no colleague:
    // only the group its own browser made holds it (docs/PROTOCOL.md §18).
    if (
      account === undefined ||
      Buffer.compare(account.orgId, me.orgId) !== 0 ||
      account.deactivatedAt !== undefined ||
      account.guestOf !== undefined
    ) {
      throw new BoteError("account_unknown");
    }
    const response: FetchKeyPackagesResponse = await takeAccountKeyPackages(ctx, accountId);
    return response;
  });
}
