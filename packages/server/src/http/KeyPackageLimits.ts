/**
 * What keeps one account from draining a colleague's one-time key packages
 * (docs/THREAT-MODEL.md, adversary 5): fetches are limited per requesting
 * account, whatever session it uses, and one-time packages per target device,
 * whoever asks. Beyond a target's budget the last-resort package is handed
 * out instead, so first contact keeps working, and the target is told to
 * rotate it. Held in memory per node.
 */
import type { ServerConfig } from "../config.js";
import { hex } from "../crypto.js";
import { TokenBuckets } from "./TokenBuckets.js";

const minute = 60_000;
const hour = 60 * minute;

export class KeyPackageLimits {
  readonly #requesters: TokenBuckets;
  readonly #targets: TokenBuckets;
  /** Device (hex) → when its last-resort package was last handed out, until it uploads a new one. */
  readonly #lastResortHandedOut = new Map<string, number>();

  constructor(
    config: ServerConfig,
    private readonly now: () => number,
  ) {
    this.#requesters = new TokenBuckets(config.rateLimits.keyPackageFetchesPerMinute, minute, now);
    this.#targets = new TokenBuckets(config.rateLimits.oneTimeKeyPackagesPerDevicePerHour, hour, now);
  }

  /** One fetch by this account; false when it has used up its fetches. */
  allowFetch(requesterAccountId: Uint8Array): boolean {
    return this.#requesters.take(hex(requesterAccountId));
  }

  /** Spends one of the target device's one-time packages; false when they are used up for now. */
  takeOneTime(deviceId: Uint8Array): boolean {
    return this.#targets.take(hex(deviceId));
  }

  /** The one-time package was not there after all: the budget is given back. */
  refundOneTime(deviceId: Uint8Array): void {
    this.#targets.refund(hex(deviceId));
  }

  noteLastResortHandedOut(deviceId: Uint8Array): void {
    if (this.#lastResortHandedOut.size > 100_000) this.#lastResortHandedOut.clear();
    this.#lastResortHandedOut.set(hex(deviceId), this.now());
  }

  /** Cleared by an upload of a new last-resort package. */
  lastResortHandedOutAt(deviceId: Uint8Array): number | undefined {
    return this.#lastResortHandedOut.get(hex(deviceId));
  }

  noteLastResortReplaced(deviceId: Uint8Array): void {
    this.#lastResortHandedOut.delete(hex(deviceId));
  }
}
