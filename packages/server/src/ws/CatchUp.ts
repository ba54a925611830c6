/**
 * Delivery that does not hang on wakes. A wake from another node can be lost
 * (NATS down, a dropped message); the entry is stored all the same, so the
 * receiving sockets of this node read the store now and then:
 * - when the bus drops and when it is back, every socket at once;
 * - while the bus is down, every socket every CATCH_UP_WHILE_DOWN_MS;
 * - while it looks healthy, each socket whose last read is older than about
 *   CATCH_UP_SWEEP_MS (jittered per socket, so reads spread over time).
 * One timer per node walks the connections; a socket with nothing new costs
 * one indexed query.
 */
import type { Logger } from "pino";
import type { Bus } from "../relay/Bus.js";
import type { Connection } from "./Connection.js";

/** While NATS is down, every receiving socket reads the store this often. */
export const CATCH_UP_WHILE_DOWN_MS = 1000;
/** While NATS looks healthy, a socket that read nothing for this long (±25 %) reads the store. */
export const CATCH_UP_SWEEP_MS = 30_000;

export class CatchUp {
  private readonly timer: NodeJS.Timeout;
  private readonly stopWatching: () => void;
  /** Each socket's own sweep period, drawn once: sockets opened together do not read together. */
  private readonly periods = new WeakMap<Connection, number>();

  constructor(
    private readonly connections: Iterable<Connection>,
    private readonly bus: Bus,
    log: Logger,
    private readonly sweepMs = CATCH_UP_SWEEP_MS,
  ) {
    this.stopWatching = bus.onConnectionChange((connected) => {
      if (connected) log.info("NATS connection back");
      else log.warn({ everyMs: CATCH_UP_WHILE_DOWN_MS }, "NATS connection lost");
      // Wakes published just before the drop, or while it lasted, are lost: read at once both times.
      this.all();
    });
    this.timer = setInterval(() => this.tick(), CATCH_UP_WHILE_DOWN_MS);
    this.timer.unref();
  }

  private tick(): void {
    if (!this.bus.connected()) return this.all();
    const now = performance.now();
    for (const c of this.connections) {
      const readAt = c.lastReadAt();
      if (readAt !== undefined && now - readAt >= this.period(c)) c.catchUp();
    }
  }

  private all(): void {
    for (const c of this.connections) c.catchUp();
  }

  private period(c: Connection): number {
    let period = this.periods.get(c);
    if (period === undefined) {
      period = this.sweepMs * (0.75 + Math.random() / 2);
      this.periods.set(c, period);
    }
    return period;
  }

  stop(): void {
    clearInterval(this.timer);
    this.stopWatching();
  }
}
