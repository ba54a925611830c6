const HOUR = 3_600_000;

/**
 * Stored expiry times are rounded up to the hour so that they do not record
 * when a message was sent, a blob uploaded or an envelope acknowledged.
 */
export function ceilToHour(ms: number): number {
  return Math.ceil(ms / HOUR) * HOUR;
}
