/**
 * One timer per node for the deadlines of all its sockets: the lifetime
 * cap, the session's expiry and the periodic session check. A timer per
 * socket and deadline held a Timeout, a bound callback and, for deadlines
 * to the millisecond, a timer list of its own: about 1 KB for each of
 * 10,000 idle sockets (docs/BENCHMARKS.md). A socket closes at most one
 * tick after its deadline.
 */
import type { Connection } from "./Connection.js";

/** The longest a socket outlives its deadline. */
export const DEADLINE_TICK_MS = 1000;

export class SocketDeadlines {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly connections: Iterable<Connection>,
    now: () => number,
    /** Shorter in tests that check sessions more often than once a second. */
    tickMs = DEADLINE_TICK_MS,
  ) {
    this.timer = setInterval(() => {
      const at = now();
      for (const c of this.connections) c.checkDeadlines(at);
    }, tickMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
