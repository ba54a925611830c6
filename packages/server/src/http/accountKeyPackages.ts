/**
 * One key package per device of an account, each with its delivery address
 * (docs/PROTOCOL.md §10): shared by a member's fetch of a colleague and a
 * guest's fetch of its contact point's staff. The per-target-device budget
 * of one-time packages applies to both.
 */
import { KEY_PACKAGES_LOW_WATERMARK, encodeBase64url, type FetchKeyPackagesResponse } from "@bote/protocol";
import type { ServerContext } from "./context.js";
import { deviceKey } from "../relay/Bus.js";
import { hex } from "../crypto.js";

export async function takeAccountKeyPackages(
  ctx: ServerContext,
  accountId: Uint8Array,
): Promise<FetchKeyPackagesResponse> {
  const limits = ctx.keyPackageLimits;
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
  return {
    devices: result.taken.map((t) => ({
      deviceId: encodeBase64url(t.deviceId),
      keyPackage: encodeBase64url(t.data),
      lastResort: t.lastResort,
      mailboxId: encodeBase64url(t.mailboxId),
      capability: encodeBase64url(ctx.secrets.issueCapability(t.mailboxId)),
    })),
    unavailable: result.unavailable.map(encodeBase64url),
  };
}
