import {
  computeKeyPackageRef,
  encodeKeyPackageBundle,
  generateKeyPackageBundle,
  type KeyPackageRecord,
} from "@bote/core";
import { KEY_PACKAGES_LOW_WATERMARK } from "@bote/protocol";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";

/** How many one-time key packages a device keeps on the server. */
export const KEY_PACKAGE_TARGET = 2 * KEY_PACKAGES_LOW_WATERMARK;

/**
 * Keeps the server stocked with this device's key packages: one-time ones up
 * to the target, and a last-resort one so a colleague can always start a chat.
 * The private halves are stored before the upload, so a Welcome to any key
 * package the server hands out can be opened.
 */
export async function topUpKeyPackages(ctx: ClientContext): Promise<{ uploaded: number }> {
  const { keyPackages: stock } = await ctx.session.api.me();
  const missing = stock.oneTime < KEY_PACKAGES_LOW_WATERMARK ? KEY_PACKAGE_TARGET - stock.oneTime : 0;
  const needLastResort = !stock.lastResort;
  if (missing === 0 && !needLastResort) return { uploaded: 0 };
  const device = ctx.device();
  const records: KeyPackageRecord[] = [];
  const oneTime: Uint8Array[] = [];
  let lastResort: Uint8Array | undefined;
  for (let i = 0; i < missing + (needLastResort ? 1 : 0); i++) {
    const bundle = await generateKeyPackageBundle(device);
    const isLastResort = needLastResort && i === missing;
    records.push({
      ref: b64(await computeKeyPackageRef(bundle.keyPackage, device.ciphersuite)),
      bundle: encodeKeyPackageBundle(bundle),
      lastResort: isLastResort,
      createdAt: ctx.now(),
    });
    if (isLastResort) lastResort = bundle.keyPackage;
    else oneTime.push(bundle.keyPackage);
  }
  await ctx.store.apply({ keyPackagesPut: records });
  await ctx.session.api.uploadKeyPackages(oneTime, lastResort);
  return { uploaded: records.length };
}
