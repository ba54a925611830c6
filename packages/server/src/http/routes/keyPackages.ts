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
    const limits = ctx.keyPackageLimits;
    const account = await ctx.store.getAccount(accountId);
    // Another organisation's account is reported as unknown: ids of other organisations stay secret.
    // A revoked account is unknown too: nobody may add it to a group any more.
    if (account === undefined || Buffer.compare(account.orgId, me.orgId) !== 0 || account.deactivatedAt !== undefined) {
      throw new BoteError("account_unknown");
    }
    const granted = new Set<string>();
    const result = await ctx.store.takeKeyPackages(accountId, (deviceId) => {
      const ok = limits.takeOneTime(deviceId);
      if (ok) granted.add(hex(deviceId));
      return ok;
    });
    for (const t of result.taken) {
      const key = hex(t.deviceId);
      if (t.lastResort) {
        // Its one-time stock was empty: the budget was not used.
        if (granted.has(key)) limits.refundOneTime(t.deviceId);
        limits.noteLastResortHandedOut(t.deviceId);
      }
      if (t.lastResort || t.remaining < KEY_PACKAGES_LOW_WATERMARK) {
        ctx.bus.publish(deviceKey(key), {
          kind: "keyPackagesLow",
          remaining: t.remaining,
          lastResortHandedOut: t.lastResort,
        });
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
  });
}
