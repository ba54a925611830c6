/**
 * Prometheus metrics of one server instance (docs/OPERATIONS.md "Metrics").
 * Every label value comes from a small closed set (results, limiters, socket
 * states, the protocol's error codes): no metric can name a user, device,
 * mailbox, group, organisation or session, however the methods are called.
 */
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import { errorDefinition, isErrorCode, type ErrorCode } from "@bote/protocol";

/** How a send ended, as its SendResult says. */
export type SendOutcomeLabel = "ok" | "partial" | "duplicate" | "rejected" | "rate_limited" | "failed";
/** Which limit refused: per-route HTTP limits, a socket's send bucket, the upgrade caps, the guest (inquiry) limits. */
export type Limiter = "http" | "ws" | "upgrade" | "inquiry";
/** A socket waiting for its Hello, one with a session (receives its mailboxes), or an anonymous send-only one. */
export type SocketState = "hello" | "receiving" | "sending";

const sendOutcomes: readonly SendOutcomeLabel[] = ["ok", "partial", "duplicate", "rejected", "rate_limited", "failed"];
const limiters: readonly Limiter[] = ["http", "ws", "upgrade", "inquiry"];
const socketStates: readonly SocketState[] = ["hello", "receiving", "sending"];
/** The route of new guests: its refusals (per address, per contact point) are the inquiry limiter's. */
const INQUIRY_ROUTE = "/v1/contact-points/:slug/guests";
/** A COUNT over the entries table is not free on a large queue: scrapes within this share one. */
const QUEUE_DEPTH_TTL_MS = 5_000;

export interface MetricsSources {
  /** Entries stored and not yet acknowledged or swept. */
  queueDepth: () => Promise<number>;
  /** The state of every open socket. */
  sockets: () => Iterable<SocketState>;
  now: () => number;
  log: Logger;
  /** Also prom-client's process metrics (nodejs_*, process_*). */
  processMetrics: boolean;
}

/** What a finished send looks like to the metrics: the fields of its SendReply. */
export interface SendSummary {
  errorCode: ErrorCode | undefined;
  rejected: readonly unknown[];
  duplicate: boolean;
}

export class Metrics {
  /** Its own registry, not prom-client's global one: tests run several servers in one process. */
  readonly registry = new Registry();
  private readonly sends: Counter<"result">;
  private readonly deliveries: Counter;
  private readonly acks: Counter;
  private readonly commitSeconds: Histogram;
  private readonly rateLimited: Counter<"limiter">;
  private readonly errors: Counter<"code">;
  private depth: { value: number; at: number } | undefined;
  private depthReading: Promise<number> | undefined;
  private readonly listeners: Server[] = [];

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    // The collect functions run with their gauge as `this`.
    const queueDepth = () => this.queueDepth();
    this.sends = new Counter({
      name: "bote_sends_total",
      help: "Sends answered, by result (ok, partial: some recipients refused, duplicate, rejected, rate_limited, failed: server side).",
      labelNames: ["result"],
      registers,
    });
    for (const result of sendOutcomes) this.sends.inc({ result }, 0);
    this.deliveries = new Counter({
      name: "bote_deliveries_total",
      help: "Entries pushed to receiving WebSockets (a resend after a reconnect counts again).",
      registers,
    });
    this.acks = new Counter({
      name: "bote_acks_total",
      help: "Entries deleted by an acknowledgement (WebSocket or HTTP).",
      registers,
    });
    this.commitSeconds = new Histogram({
      name: "bote_batch_commit_seconds",
      help: "Time of one relay batch commit (the sends and acks of one tick in one transaction).",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.rateLimited = new Counter({
      name: "bote_rate_limited_total",
      help: "Requests refused by a rate limit, by limiter (http, ws: a socket's sends, upgrade: sockets per address, inquiry: new guests).",
      labelNames: ["limiter"],
      registers,
    });
    for (const limiter of limiters) this.rateLimited.inc({ limiter }, 0);
    this.errors = new Counter({
      name: "bote_errors_total",
      help: "Error codes answered (HTTP error bodies, WebSocket error frames, SendResult codes, refused upgrades), by code.",
      labelNames: ["code"],
      registers,
    });
    new Gauge({
      name: "bote_queue_depth",
      help: `Entries stored and waiting for their device's acknowledgement (expired ones until the sweep); read at most every ${QUEUE_DEPTH_TTL_MS / 1000} s.`,
      registers,
      collect: async function (this: Gauge) {
        const value = await queueDepth();
        if (value !== undefined) this.set(value);
      },
    });
    new Gauge({
      name: "bote_sockets",
      help: "Open WebSockets, by state (hello: awaiting its Hello, receiving: with a session, sending: anonymous, send-only).",
      labelNames: ["state"],
      registers,
      collect: function (this: Gauge<"state">) {
        const counts = new Map<SocketState, number>(socketStates.map((s) => [s, 0]));
        for (const state of sources.sockets()) counts.set(state, (counts.get(state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    if (sources.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts a SendResult by its outcome, and its code among the errors. */
  sent(reply: SendSummary): void {
    const code = reply.errorCode;
    let result: SendOutcomeLabel;
    if (reply.duplicate) result = "duplicate";
    else if (code === undefined) result = reply.rejected.length > 0 ? "partial" : "ok";
    else if (code === "rate_limited") result = "rate_limited";
    else if (errorDefinition(code).http >= 500) result = "failed";
    else result = "rejected";
    this.sends.inc({ result });
    if (code !== undefined) this.error(code);
  }

  delivered(entries: number): void {
    if (entries > 0) this.deliveries.inc(entries);
  }

  acked(entries: number): void {
    if (entries > 0) this.acks.inc(entries);
  }

  /** Starts the timer of one batch commit; call the result when it ended, committed or not. */
  commitStarted(): () => void {
    const end = this.commitSeconds.startTimer();
    return () => void end();
  }

  limited(limiter: Limiter): void {
    this.rateLimited.inc({ limiter });
  }

  /** An error code answered to a peer; only the registry's codes become label values. */
  error(code: ErrorCode): void {
    if (isErrorCode(code)) this.errors.inc({ code });
  }

  /** An HTTP error reply: its code, and a refusal by a limit on the route it answers. */
  httpError(code: ErrorCode, route: string | undefined): void {
    this.error(code);
    if (code === "rate_limited") this.limited(route === INQUIRY_ROUTE ? "inquiry" : "http");
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  /**
   * Serves /metrics on a port of its own (usually 127.0.0.1, for the
   * Prometheus of the machine or a VPN); nothing else is served there.
   * Closed with the app (buildServer's onClose).
   */
  async listen(options: { port: number; host: string }): Promise<Server> {
    const server = createServer((request, response) => {
      const path = (request.url ?? "").split("?")[0];
      if (request.method !== "GET" || path !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
        return;
      }
      this.scrape().then(
        ({ contentType, text }) => response.writeHead(200, { "content-type": contentType }).end(text),
        (error: unknown) => {
          this.sources.log.error({ err: error }, "metrics scrape failed");
          response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("internal\n");
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.listeners.push(server);
    return server;
  }

  async close(): Promise<void> {
    const servers = this.listeners.splice(0);
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  /** The cached depth, read anew when older than the TTL; undefined (the gauge keeps its value) when the read fails. */
  private async queueDepth(): Promise<number | undefined> {
    const now = this.sources.now();
    if (this.depth !== undefined && now - this.depth.at < QUEUE_DEPTH_TTL_MS) return this.depth.value;
    // Concurrent scrapes wait for the one read.
    this.depthReading ??= this.sources.queueDepth().finally(() => (this.depthReading = undefined));
    try {
      const value = await this.depthReading;
      this.depth = { value, at: now };
      return value;
    } catch (error) {
      this.sources.log.warn({ err: error }, "queue depth for the metrics failed");
      return this.depth?.value;
    }
  }
}

declare module "fastify" {
  interface FastifyInstance {
    /** Set by buildServer: the error replies of every route and plugin are counted through it. */
    boteMetrics?: Metrics;
  }
}

/** Serves GET /metrics of the main app (only when the operator asked for it there). */
export function addMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get("/metrics", async (_request, reply) => {
    const { contentType, text } = await metrics.scrape();
    return reply.type(contentType).send(text);
  });
}
