import type { FastifyInstance, FastifyRequest } from "fastify";
import { BoteError } from "@bote/protocol";
import type { ServerConfig } from "../config.js";
import { addressBucket } from "./clientAddress.js";

const WINDOW_MS = 60_000;

/** Counts a request against its address bucket: IPv4 exact, IPv6 per /64 (request.ip honours trustProxy). */
export function rateLimitKey(request: FastifyRequest): string {
  return addressBucket(request.ip);
}

/** Route config for unauthenticated endpoints: limited per client address, held in memory only. */
export function publicRateLimit(config: ServerConfig) {
  return { rateLimit: { max: config.rateLimits.publicPerMinute, timeWindow: WINDOW_MS, keyGenerator: rateLimitKey } };
}

/**
 * Gives every public route (one with a per-address limit) a second limit
 * across all addresses: many addresses together cannot flood it either.
 * Must be called before the routes are added.
 */
export function addGlobalRouteCaps(app: FastifyInstance, config: ServerConfig): void {
  app.addHook("onRoute", (route) => {
    const limited = (route.config as { rateLimit?: unknown } | undefined)?.rateLimit;
    if (limited === undefined || limited === false) return;
    // One limiter (and one counter) per route, shared by every address.
    const limiter = app.createRateLimit({
      max: config.rateLimits.publicGlobalPerMinute,
      timeWindow: WINDOW_MS,
      keyGenerator: () => "all",
    });
    const cap = async (request: FastifyRequest) => {
      const result = await limiter(request);
      if (!result.isAllowed && result.isExceeded) throw new BoteError("rate_limited");
    };
    const hooks = route.onRequest;
    route.onRequest = hooks === undefined ? [cap] : Array.isArray(hooks) ? [...hooks, cap] : [hooks, cap];
  });
}
