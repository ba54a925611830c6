/**
 * Token buckets by key, held in memory: each key may spend `capacity` tokens
 * at once and gets them back at `capacity` per `windowMs`. Per node, so a
 * cluster of n nodes allows up to n times the budget (docs/OPERATIONS.md).
 */
export class TokenBuckets {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Spends one token of key; false (and nothing spent) when none is left. */
  take(key: string): boolean {
    const now = this.now();
    if (this.#buckets.size > 10_000) this.#dropFull(now);
    const bucket = this.#refilled(key, now);
    if (bucket.tokens < 1) return false;
    this.#buckets.set(key, { tokens: bucket.tokens - 1, at: now });
    return true;
  }

  /** Gives back a token taken for something that did not happen. */
  refund(key: string): void {
    const bucket = this.#refilled(key, this.now());
    this.#buckets.set(key, { tokens: Math.min(this.capacity, bucket.tokens + 1), at: bucket.at });
  }

  /** Tokens key could spend now, fractions included. */
  available(key: string): number {
    return this.#refilled(key, this.now()).tokens;
  }

  /** Milliseconds until key has a whole token again; 0 when it has one. */
  retryAfterMs(key: string): number {
    const tokens = this.available(key);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * this.windowMs) / this.capacity);
  }

  #refilled(key: string, now: number): { tokens: number; at: number } {
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) * this.capacity) / this.windowMs);
    return { tokens, at: now };
  }

  // A full bucket is the same as no bucket: forgetting it bounds memory.
  #dropFull(now: number): void {
    for (const key of [...this.#buckets.keys()]) {
      if (this.#refilled(key, now).tokens >= this.capacity) this.#buckets.delete(key);
    }
  }
}
