/**
 * Time and chance under a test's control: a clock whose timers run only when
 * the test advances it, and a seeded random source, so a reconnect's backoff
 * or an interleaving can be replayed from its seed.
 */

interface Timer {
  readonly id: number;
  at: number;
  readonly run: () => void;
  /** Set for an interval: it is rescheduled this far ahead after each run. */
  readonly every: number | undefined;
}

export type TimerHandle = { readonly fakeTimer: number };

export class FakeClock {
  #now: number;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  /** Every delay a setTimeout asked for, in order (a 0 ms timer may have run before a test could look). */
  readonly delays: number[] = [];

  constructor(start = 1_800_000_000_000) {
    this.#now = start;
  }

  now = (): number => this.#now;

  setTimeout = (run: () => void, ms = 0): TimerHandle => {
    this.delays.push(ms);
    return this.#add(run, ms, undefined);
  };

  setInterval = (run: () => void, ms = 0): TimerHandle => this.#add(run, ms, Math.max(1, ms));

  clearTimeout = (handle: unknown): void => {
    if (isHandle(handle)) this.#timers.delete(handle.fakeTimer);
  };

  clearInterval = (handle: unknown): void => this.clearTimeout(handle);

  /** Delays of the timers still waiting, soonest first (ms from now). */
  pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due, in the
   * order of its time (ties: the order they were set). Promise callbacks
   * queued by a timer run before the next timer, as they would in Node.
   */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.values()].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.#now = Math.max(this.#now, due.at);
      if (due.every === undefined) this.#timers.delete(due.id);
      else due.at += due.every;
      due.run();
      await settle();
    }
    this.#now = end;
    await settle();
  }

  /** Runs the next waiting timer, however far ahead; false when none waits. */
  async runNext(): Promise<boolean> {
    const next = this.pending()[0];
    if (next === undefined) return false;
    await this.advance(next);
    return true;
  }

  #add(run: () => void, ms: number, every: number | undefined): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, at: this.#now + Math.max(0, ms), run, every });
    return { fakeTimer: id };
  }
}

function isHandle(handle: unknown): handle is TimerHandle {
  return typeof handle === "object" && handle !== null && "fakeTimer" in handle;
}

/** Lets every promise callback queued so far (and the ones they queue) run. */
export async function settle(): Promise<void> {
  // A macrotask turn drains the whole microtask queue, however deep the chain.
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * mulberry32: a tiny PRNG with a 32-bit state; good enough to spread
 * jitter and pick interleavings, and the same sequence for the same seed.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The seed of a test run: TEST_SEED if set (to replay a failure), else a fresh one. */
export function testSeed(): number {
  const given = process.env["TEST_SEED"];
  return given !== undefined && given !== "" ? Number(given) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}
