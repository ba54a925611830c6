/**
 * The server as a library: builds the HTTP app and the WebSocket endpoint
 * over the given store, blob store and secrets, without listening. The `bote
 * serve` launcher and the tests call app.listen (tests on port 0) or
 * app.inject.
 */
import { addSecurityHeaders } from "./http/securityHeaders.js";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import rateLimit from "@fastify/rate-limit";
import { WebSocketServer, type WebSocket } from "ws";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { pino, type Logger } from "pino";
import {
  BoteError,
  errorDefinition,
  errorText,
  MAX_FRAME_BYTES,
  MAX_JSON_BODY_BYTES,
  PROTOCOL_VERSION,
  type HealthResponse,
} from "@bote/protocol";
import type { ServerConfig } from "./config.js";
import type { ServerStore } from "./store/ServerStore.js";
import type { BlobStore } from "./store/BlobStore.js";
import type { ServerSecrets } from "./secrets/ServerSecrets.js";
import { LocalBus, type Bus } from "./relay/Bus.js";
import { Relay } from "./relay/Relay.js";
import { AtRestKeys } from "./secrets/AtRestKeys.js";
import { Connection } from "./ws/Connection.js";
import { CatchUp } from "./ws/CatchUp.js";
import { DEADLINE_TICK_MS, SocketDeadlines } from "./ws/SocketDeadlines.js";
import type { ServerContext } from "./http/context.js";
import { errorHandler, sendError } from "./http/errors.js";
import { accountRoutes } from "./http/routes/accounts.js";
import { invitationRoutes } from "./http/routes/invitations.js";
import { deviceLinkRoutes } from "./http/routes/deviceLinks.js";
import { organisationRoutes } from "./http/routes/organisation.js";
import { keyPackageRoutes } from "./http/routes/keyPackages.js";
import { KeyPackageLimits } from "./http/KeyPackageLimits.js";
import { mailboxRoutes } from "./http/routes/mailbox.js";
import { blobRoutes } from "./http/routes/blobs.js";
import { webAppRoutes } from "./http/routes/webApp.js";
import { pushRoutes } from "./http/routes/push.js";
import { entryRoutes } from "./http/routes/entries.js";
import { contactPointRoutes } from "./http/routes/contactPoints.js";
import { privacyRoutes } from "./http/routes/privacy.js";
import { readinessRoutes } from "./http/routes/readiness.js";
import { VapidKeys } from "./push/VapidKeys.js";
import { PushNotifier } from "./push/PushNotifier.js";
import { WebPushSender, vapidSubject } from "./push/WebPushSender.js";
import { logSerializers } from "./logging.js";
import { addGlobalRouteCaps } from "./http/rateLimit.js";
import { originAllowed, refuseForeignOrigins } from "./http/origin.js";
import { addressBucket, upgradeClientAddress } from "./http/clientAddress.js";
import { Metrics, addMetricsRoute } from "./metrics/Metrics.js";

/** How long requests in flight may finish after a stop began (docs/OPERATIONS.md, "Shutdown"). */
const SHUTDOWN_GRACE_MS = 5_000;

export interface ServerDeps {
  store: ServerStore;
  blobs: BlobStore;
  secrets: ServerSecrets;
  bus?: Bus;
  /** The VAPID key pair pushes are signed with; `bote serve` passes the one of its data directory (openVapidKeys). Default: a fresh pair for this process. */
  vapid?: VapidKeys;
  /** JSON lines go here; the default writes to stdout. */
  logger?: Logger;
  now?: () => number;
  onInvitationRedeemed?: (tokenHash: Uint8Array) => void;
  /**
   * Serve HTTPS with this certificate (PEM) instead of plain HTTP. A renewed
   * one is put in with `setSecureContext` on `app.server`, without a restart.
   */
  tls?: { key: string; cert: string };
  /** While NATS looks healthy, a socket reads the store after this long without a read (default CATCH_UP_SWEEP_MS); tests shorten it. */
  catchUpSweepMs?: number;
}

export interface BoteServer {
  app: FastifyInstance;
  relay: Relay;
  /** Open WebSocket connections (for shutdown and tests). */
  connections: Set<Connection>;
  /** This instance's Prometheus registry; `metrics.listen` serves it on a port of its own. */
  metrics: Metrics;
}

export async function buildServer(config: ServerConfig, deps: ServerDeps): Promise<BoteServer> {
  const log = deps.logger ?? pino({ serializers: logSerializers });
  const now = deps.now ?? Date.now;
  const bus = deps.bus ?? new LocalBus();
  const atRest = new AtRestKeys(deps.secrets);
  // Before any socket: a queue of a version before the sealed entries is sealed now, under these secrets.
  const upgraded = await deps.store.upgradeLegacyQueue(atRest, now());
  if (upgraded > 0) log.info({ entries: upgraded }, "sealed the pending entries of the old queue");
  const vapid = deps.vapid ?? VapidKeys.generate();
  const connections = new Set<Connection>();
  const metrics = new Metrics({
    queueDepth: () => deps.store.countEntries(),
    sockets: function* () {
      for (const c of connections) if (c.socketState !== undefined) yield c.socketState;
    },
    now,
    log,
    processMetrics: config.metrics.processMetrics,
  });
  const pushes = new PushNotifier({
    store: deps.store,
    bus,
    log,
    coalesceMs: config.push.coalesceMs,
    sender: new WebPushSender(vapid, {
      subject: vapidSubject(config.publicUrl),
      ttlSeconds: config.push.ttlSeconds,
      timeoutMs: 10_000,
    }),
  });
  const relay = new Relay(deps.store, deps.secrets, atRest, bus, {
    envelopeTtlMs: config.envelopeTtlMs,
    maxBatchRows: config.maxBatchRows,
    now,
    onStored: (key, mailboxId) => pushes.entryStored(key, mailboxId),
    metrics,
  });
  const ctx: ServerContext = {
    config,
    store: deps.store,
    blobs: deps.blobs,
    secrets: deps.secrets,
    relay,
    atRest,
    vapidPublicKey: vapid.publicKey,
    bus,
    log,
    now,
    keyPackageLimits: new KeyPackageLimits(config, now),
    onInvitationRedeemed: deps.onInvitationRedeemed ?? (() => undefined),
  };

  // Typed as Fastify's base logger so that route modules take a plain FastifyInstance.
  const fastifyLogger: FastifyBaseLogger = log;
  const app = Fastify({
    loggerInstance: fastifyLogger,
    // Fastify's request log would carry URLs and client addresses; ours logs the route pattern only.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_JSON_BODY_BYTES,
    return503OnClosing: true,
    ...(deps.tls === undefined ? {} : { https: deps.tls }),
    // Behind a reverse proxy the client address (for rate limits only, never stored) is in X-Forwarded-For.
    trustProxy: config.trustProxy,
    // An undecodable URL or header is refused before routing; it still answers in the registry's format.
    frameworkErrors: (_error, request, reply) => {
      // The reply is thenable, but sending it is all that is left to do here.
      void sendError(reply, request, "bad_request");
    },
  });
  // Before any route: sendError counts every error reply through it.
  app.decorate("boteMetrics", metrics);
  addSecurityHeaders(app, config);
  app.setErrorHandler(errorHandler(log));
  app.setNotFoundHandler((request, reply) => sendError(reply, request, "not_found"));
  // JSON endpoints take JSON only; fastify would otherwise hand a text/plain body to the parse gate.
  app.removeContentTypeParser("text/plain");
  // Blob bodies stream through untouched; the blob store enforces the size limit while writing.
  app.addContentTypeParser("application/octet-stream", (_request, payload, done) => done(null, payload));
  // One line per request is for debugging: at the default level the console shows start-up, warnings and errors.
  app.addHook("onResponse", (request, reply, done) => {
    log.debug(
      {
        method: request.method,
        route: request.routeOptions.url ?? "unknown",
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
      },
      "request",
    );
    done();
  });
  refuseForeignOrigins(app, config);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new BoteError("rate_limited"),
  });
  addGlobalRouteCaps(app, config);

  app.get("/healthz", () => {
    const response: HealthResponse = {
      status: "ok",
      protocolVersion: PROTOCOL_VERSION,
      publicUrl: config.publicUrl,
    };
    return response;
  });
  if (config.metrics.onMainPort) addMetricsRoute(app, metrics);
  readinessRoutes(app, ctx);
  accountRoutes(app, ctx);
  invitationRoutes(app, ctx);
  deviceLinkRoutes(app, ctx);
  organisationRoutes(app, ctx);
  keyPackageRoutes(app, ctx);
  mailboxRoutes(app, ctx);
  blobRoutes(app, ctx);
  pushRoutes(app, ctx);
  entryRoutes(app, ctx);
  contactPointRoutes(app, ctx);
  privacyRoutes(app, ctx);
  // Last, and only its own paths: the API routes above always win.
  if (config.webRoot !== undefined) webAppRoutes(app, ctx, config.webRoot);

  const sockets = new SocketCounts(config);
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_FRAME_BYTES });
  const refuseUpgrade = (socket: Duplex, code: UpgradeRefusal) => {
    metrics.error(code);
    if (code === "rate_limited") metrics.limited("upgrade");
    rejectUpgrade(socket, code);
  };
  app.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (request.url ?? "").split("?")[0];
    if (path !== "/v1/ws") return refuseUpgrade(socket, "not_found");
    if (!originAllowed(config, request.headers.origin)) return refuseUpgrade(socket, "origin_forbidden");
    const refused = sockets.admit(addressBucket(upgradeClientAddress(request, config.trustProxy)), socket);
    if (refused !== undefined) return refuseUpgrade(socket, refused);
    const onHelloDone = sockets.awaitHello(socket);
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const connection = new Connection(ws, {
        store: deps.store,
        relay,
        atRest,
        bus,
        log,
        pushWindow: config.pushWindow,
        helloTimeoutMs: config.helloTimeoutMs,
        pingIntervalMs: config.pingIntervalMs,
        maxLifetimeMs: config.socketMaxLifetimeMs,
        sessionCheckIntervalMs: config.sessionCheckIntervalMs,
        onHelloDone,
        sendsPerSecond: config.sendsPerSecondPerSocket,
        now,
        metrics,
      });
      connections.add(connection);
      ws.on("close", () => connections.delete(connection));
    });
  });
  // Dead peers (a phone that lost its network) are found by ping and dropped.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      const alive = ws as WebSocket & { botePending?: boolean };
      if (alive.botePending === true) {
        ws.terminate();
        continue;
      }
      alive.botePending = true;
      ws.ping();
      ws.once("pong", () => (alive.botePending = false));
    }
  }, config.pingIntervalMs);
  heartbeat.unref();

  const sweeper = setInterval(() => void sweep(ctx), config.sweepIntervalMs);
  sweeper.unref();
  // Wakes can be lost (NATS down): the receiving sockets read the store by themselves.
  const catchUp = new CatchUp(connections, bus, log, deps.catchUpSweepMs);
  const deadlines = new SocketDeadlines(connections, now, Math.min(DEADLINE_TICK_MS, config.sessionCheckIntervalMs));

  // Sockets go first: the HTTP server cannot finish closing while upgraded connections live.
  app.addHook("preClose", async () => {
    // A keep-alive connection that was busy when the close began is not closed as idle, and
    // Node would wait for its client to drop it (up to the keep-alive timeout, 72 s): requests
    // in flight get a grace, then every connection is closed.
    setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
    clearInterval(heartbeat);
    clearInterval(sweeper);
    catchUp.stop();
    deadlines.stop();
    for (const c of connections) c.fail("unavailable");
    await relay.drain();
    await pushes.close();
  });
  app.addHook("onClose", async () => {
    wss.close();
    await metrics.close();
    await bus.close();
  });

  return { app, relay, connections, metrics };
}

type UpgradeRefusal = "origin_forbidden" | "not_found" | "rate_limited" | "unavailable";

const reasonPhrases: Record<UpgradeRefusal, string> = {
  origin_forbidden: "Forbidden",
  not_found: "Not Found",
  rate_limited: "Too Many Requests",
  unavailable: "Service Unavailable",
};

/** Refuses an upgrade with a plain HTTP answer carrying the registry's code. */
function rejectUpgrade(socket: Duplex, code: UpgradeRefusal): void {
  const status = errorDefinition(code).http;
  const body = JSON.stringify({ error: { code, message: errorText(code, "en") } });
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrases[code]}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/**
 * Open sockets per address bucket and sockets still waiting for their Hello:
 * one address, or many idle handshakes, cannot use up the node. Counted on
 * the raw socket, so a handshake that fails still gives its place back.
 */
class SocketCounts {
  private readonly perAddress = new Map<string, number>();
  private awaitingHello = 0;

  constructor(private readonly config: ServerConfig) {}

  /** Takes a place for the socket until it closes, or names why there is none. */
  admit(bucket: string, socket: Duplex): UpgradeRefusal | undefined {
    const open = this.perAddress.get(bucket) ?? 0;
    if (open >= this.config.maxSocketsPerAddress) return "rate_limited";
    if (this.awaitingHello >= this.config.maxSocketsAwaitingHello) return "unavailable";
    this.perAddress.set(bucket, open + 1);
    socket.once("close", () => {
      const left = (this.perAddress.get(bucket) ?? 1) - 1;
      if (left <= 0) this.perAddress.delete(bucket);
      else this.perAddress.set(bucket, left);
    });
    return undefined;
  }

  /** Counts the socket as awaiting its Hello; the returned function (or the close) ends that, once. */
  awaitHello(socket: Duplex): () => void {
    this.awaitingHello += 1;
    let waiting = true;
    const done = () => {
      if (!waiting) return;
      waiting = false;
      this.awaitingHello -= 1;
    };
    socket.once("close", done);
    return done;
  }
}

/** Deletes what expired; blob content goes after its metadata so a half-deleted blob is never served. */
export async function sweep(ctx: ServerContext): Promise<void> {
  try {
    const result = await ctx.store.sweep(ctx.now());
    for (const id of result.blobs) await ctx.blobs.delete(id);
    // The blobs a guest uploaded are not linked to it: they expire like every blob.
    const guests = await ctx.store.sweepGuests(ctx.now() - ctx.config.guests.idleMs);
    ctx.log.info({ entries: result.entries, sends: result.sends, blobs: result.blobs.length, guests }, "sweep");
  } catch (error) {
    ctx.log.error({ err: error }, "sweep failed");
  }
}
