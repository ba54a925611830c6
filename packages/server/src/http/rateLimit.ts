import type { ServerConfig } from "../config.js";

/** Route config for unauthenticated endpoints: limited per client address, held in memory only. */
export function publicRateLimit(config: ServerConfig) {
  return { rateLimit: { max: config.rateLimits.publicPerMinute, timeWindow: 60_000 } };
}
