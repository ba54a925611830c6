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
export const KEY_PACKAGE_TARGET = 20;

const day = 24 * 3_600_000;
/** A last-resort package is replaced at connect once it is this old, even if nobody used it. */
export const LAST_RESORT_MAX_AGE_MS = 7 * day;
/**
 * A handed-out last-resort package is replaced only once it is this old:
 * otherwise every fetch of a draining colleague would make this device
 * generate, upload and keep another one.
 */
export const LAST_RESORT_MIN_AGE_MS = 3_600_000;
/** A replaced last-resort package's private half is kept this long, for Welcomes made with it before. */
export const LAST_RESORT_GRACE_MS = 7 * day;

export interface TopUpNotice {
  /** The server said (KeyPackagesLow) that it handed out the last-resort package. */
  readonly lastResortHandedOut?: boolean;
}

/**
 * Keeps the server stocked with this device's key packages: one-time ones up
 * to the target as soon as the stock falls below KEY_PACKAGES_LOW_WATERMARK
 * (three quarters of it, so a burst of first contacts rarely reaches the
 * last-resort package), and a last-resort one so a colleague can always
 * start a chat. The last-resort package is replaced once it is a week old or
 * after the server handed it out; the replaced one's private half stays for
 * LAST_RESORT_GRACE_MS, because Welcomes made with it may still be queued.
 * Private halves are stored before the upload, so a Welcome to any key
 * package the server hands out can be opened.
 */
export async function topUpKeyPackages(ctx: ClientContext, notice: TopUpNotice = {}): Promise<{ uploaded: number }> {
  const { keyPackages: stock } = await ctx.session.api.me();
  const now = ctx.now();
  const { missing, needLastResort, expired } = planKeyPackageTopUp(
    stock,
    await ctx.store.listLastResortKeyPackages(),
    notice,
    now,
  );
  if (missing === 0 && !needLastResort) {
    if (expired.length > 0) await ctx.store.apply({ keyPackagesDelete: expired });
    return { uploaded: 0 };
  }
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
      createdAt: now,
    });
    if (isLastResort) lastResort = bundle.keyPackage;
    else oneTime.push(bundle.keyPackage);
  }
  await ctx.store.apply({ keyPackagesPut: records, keyPackagesDelete: expired });
  await ctx.session.api.uploadKeyPackages(oneTime, lastResort);
  return { uploaded: records.length };
}

export interface KeyPackageTopUpPlan {
  /** One-time packages to make and upload. */
  readonly missing: number;
  /** Whether to make and upload a new last-resort package. */
  readonly needLastResort: boolean;
  /** Refs of replaced last-resort packages whose grace period is over: delete them. */
  readonly expired: string[];
}

/**
 * What topUpKeyPackages does, decided from the server's stock, the
 * last-resort packages held here (oldest first) and the server's notice.
 */
export function planKeyPackageTopUp(
  stock: { readonly oneTime: number; readonly lastResort: boolean; readonly lastResortHandedOutAt?: string },
  held: readonly { ref: string; createdAt: number }[],
  notice: TopUpNotice,
  now: number,
): KeyPackageTopUpPlan {
  const missing = stock.oneTime < KEY_PACKAGES_LOW_WATERMARK ? KEY_PACKAGE_TARGET - stock.oneTime : 0;
  const needLastResort = !stock.lastResort || lastResortDue(held.at(-1)?.createdAt, stock, notice, now);
  return { missing, needLastResort, expired: expiredLastResorts(held, needLastResort ? now : undefined, now) };
}

function lastResortDue(
  createdAt: number | undefined,
  stock: { lastResortHandedOutAt?: string },
  notice: TopUpNotice,
  now: number,
): boolean {
  // Held on the server but not here (a profile from before this was tracked): replace it.
  if (createdAt === undefined) return true;
  const age = now - createdAt;
  if (age >= LAST_RESORT_MAX_AGE_MS) return true;
  const handedOut = notice.lastResortHandedOut === true || stock.lastResortHandedOutAt !== undefined;
  return handedOut && age >= LAST_RESORT_MIN_AGE_MS;
}

/**
 * Refs of replaced last-resort packages past their grace period. Each was
 * replaced when the next newer one was made; the newest is replaced at
 * replacedNow if a new one is made now, else it is current and kept.
 */
function expiredLastResorts(
  held: readonly { ref: string; createdAt: number }[],
  replacedNow: number | undefined,
  now: number,
): string[] {
  const expired: string[] = [];
  held.forEach((k, i) => {
    const replacedAt = held[i + 1]?.createdAt ?? replacedNow;
    if (replacedAt !== undefined && now - replacedAt >= LAST_RESORT_GRACE_MS) expired.push(k.ref);
  });
  return expired;
}
