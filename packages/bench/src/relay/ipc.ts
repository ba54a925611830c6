/** The commands the orchestrator (main.ts) gives the load generator (loadgen.ts) over Node's IPC channel. */

/** How the load clients speak: Bote's protocol, the baselines' raw frames (rawwire.ts), or XMPP (xmppwire.ts). */
export type WireName = "bote" | "raw" | "xmpp";

export type Command =
  /**
   * Creates `count` devices on the real server through invitations and logs each one in; with `set`, they are
   * also kept under that name, so that one generator can drive several servers in turn (bench:cluster).
   */
  | {
      op: "relayIdentities";
      baseUrl: string;
      adminInviteToken: string;
      count: number;
      concurrency: number;
      set?: string;
    }
  /**
   * Opens the first `count` identities (of `set`, if given) as load clients and waits for every HelloOk;
   * with `wsUrls`, client i connects to wsUrls[i % wsUrls.length] (one cluster, several nodes). With the raw
   * wire, client i is simply client i: no identities are needed.
   */
  | {
      op: "connect";
      wsUrl: string;
      count: number;
      concurrency: number;
      set?: string;
      wsUrls?: string[];
      wire?: WireName;
    }
  | { op: "load"; load: LoadSpec }
  | { op: "disconnect" }
  /** Opens `count` idle authenticated connections (identities 0..count-1); resolves once all are open. */
  | { op: "idleOpen"; wsUrl: string; count: number; concurrency: number; set?: string }
  | { op: "idleClose" };

export interface LoadSpec {
  /** Offered sends per second over all clients; ignored in a closed loop. */
  rate: number;
  /** Each client sends its next message as soon as one has its result, keeping its window full. */
  closedLoop?: boolean;
  /** Sends without a result in flight over all clients, split evenly; when absent, `window` per client. */
  inFlight?: number;
  warmupSeconds: number;
  seconds: number;
  /** Sends without SendResult a client keeps in flight at most. */
  window: number;
  payloadBytes: number;
  /** How long to wait after the window for everything sent to arrive. */
  drainSeconds: number;
  /** Process whose CPU time is sampled over the measured window (the relay under test). */
  targetPid: number;
}

export interface Latency {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  spec: LoadSpec;
  measuredSeconds: number;
  /** Sends written during the measured window. */
  sent: number;
  /** Sends due by the offered rate that were not written because the client's window was full. */
  skippedWindowFull: number;
  sendOk: number;
  sendFailed: number;
  /** Entries received and acknowledged during the measured window. */
  delivered: number;
  deliveredPerSecond: number;
  sentPerSecond: number;
  /** Milliseconds from writing the send to receiving the deliver, for entries delivered in the window. */
  latencyMs: Latency;
  /** Sum over the whole phase; must be zero. */
  misrouted: number;
  badPayload: number;
  /** Sends (whole phase) whose entry had not arrived by the end of the drain. */
  undelivered: number;
  /** How long after the window the last in-flight message took to arrive (or drainSeconds of the spec). */
  drainSeconds: number;
  /**
   * CPU use over the window, in cores (1.0 = one core busy): the load
   * generator, the relay under test, and everything else on the machine
   * (kernel threads, other people's processes) — which should be near zero.
   */
  cpu: { generator: number; target: number; others: number };
}

export type Reply = { ok: true; id: number; result: unknown } | { ok: false; id: number; error: string };

export interface Request {
  id: number;
  command: Command;
}

export interface Identity {
  /** Session token for Hello. */
  token: string;
  mailboxId: Uint8Array;
  capability: Uint8Array;
}
