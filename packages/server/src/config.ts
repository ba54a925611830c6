/** Everything a server instance is configured with; the launcher fills it from CLI flags and environment. */
export interface ServerConfig {
  /** Base URL people and apps reach the server at; invitation links are built on it. */
  publicUrl: string;
  /** Browser origins allowed to open the WebSocket; requests without Origin (native clients) always may. */
  allowedOrigins: string[];
  envelopeTtlMs: number;
  sessionTtlMs: number;
  /** Live sessions per device; a new login drops the oldest beyond this. */
  maxSessionsPerDevice: number;
  challengeTtlMs: number;
  blobMaxBytes: number;
  blobTtlMs: number;
  /**
   * Rows (queue entries) committed in one transaction at most; the rest waits
   * for the next tick. Under load, large batches let many messages share the
   * index pages a commit writes: 512 → 2048 measured ~15% more messages/s
   * (docs/BENCHMARKS.md); at ordinary load a tick holds only a few rows.
   */
  maxBatchRows: number;
  /** Unacknowledged entries pushed to one socket before the server waits for acks. */
  pushWindow: number;
  /** A socket that has not finished its Hello by then is closed with hello_required. */
  helloTimeoutMs: number;
  pingIntervalMs: number;
  /**
   * No socket lives longer than this; it closes with 4401 (unauthenticated), so the SDK renews its
   * session and reconnects.
   */
  socketMaxLifetimeMs: number;
  /**
   * How often a receiving socket re-reads its session: one that expired (or was deleted by any path)
   * closes within this time. Logout and revocation close sockets at once through the bus.
   */
  sessionCheckIntervalMs: number;
  /** Open sockets per client address (IPv4 exact, IPv6 per /64); beyond it the upgrade gets 429. */
  maxSocketsPerAddress: number;
  /** Sockets that have not finished their Hello, across all addresses; beyond it the upgrade gets 503. */
  maxSocketsAwaitingHello: number;
  sweepIntervalMs: number;
  /** Sends one WebSocket may make per second (a burst of twice as many is allowed). */
  sendsPerSecondPerSocket: number;
  /** Trust X-Forwarded-For from a reverse proxy in front (the address is used for rate limits only). */
  trustProxy: boolean;
  /**
   * Directory of the built web app (index.html, app.js, sw.js, …), served at
   * `/`; undefined serves no web app. Read at request time, so a rebuild
   * shows up without a restart.
   */
  webRoot?: string;
  /**
   * What the data protection documents state about this installation
   * (docs/PROTOCOL.md §22); the launcher fills it from its flags.
   */
  deployment: {
    /** Where server and data are hosted, in the operator's words, e.g. "Hetzner, Falkenstein, Deutschland". */
    hostingLocation: string | undefined;
    /** The directory of the database file and the files, when they are on this machine's disk. */
    dataDirectory: string | undefined;
    /** "acme": Bote's own certificate (--domain); "proxy": HTTPS ends at a proxy in front; "none": plain HTTP. */
    tls: "acme" | "proxy" | "none";
    /** Where encrypted files are kept. */
    blobs: "files" | "postgres";
    /** How nodes wake each other: "local" (one process) or "nats". */
    bus: "local" | "nats";
  };
  /** Prometheus metrics (docs/OPERATIONS.md "Metrics"); a port of their own is opened by Metrics.listen. */
  metrics: {
    /** Serve /metrics on the main port too: whoever reaches it sees the load, so off unless asked for. */
    onMainPort: boolean;
    /** Also prom-client's process metrics (nodejs_*, process_*); they watch GC and the event loop. */
    processMetrics: boolean;
  };
  /** Web Push (RFC 8030/8291/8292) to devices without a socket on this node. */
  push: {
    /** At most one push per device within this window; entries stored during it get one more at its end. */
    coalesceMs: number;
    /** How long a push service keeps an undelivered push (the TTL header), in seconds. */
    ttlSeconds: number;
    /** Tests only: accept plain-HTTP and loopback endpoints, which a real push service never has. */
    allowInsecureEndpoints: boolean;
  };
  /** A contact point's customers (docs/PROTOCOL.md §18). */
  guests: {
    /** Blobs one guest account may upload over its life. */
    maxBlobs: number;
    /** Bytes of all its blobs together. */
    maxBlobBytes: number;
    /** Fetches of its contact point's staff key packages. */
    maxKeyPackageFetches: number;
    /** A guest account is deleted this long after its last login. */
    idleMs: number;
  };
  /** The stateless puzzle a new guest solves while its contact point is busy. */
  proofOfWork: {
    /** Leading zero bits of SHA-256(challenge ‖ publicKey ‖ nonce); 0 turns the puzzle off. */
    bits: number;
    /** Ask for it always, not only while a contact point has used half its hourly budget. */
    always: boolean;
    /** How long a challenge may be solved and used. */
    ttlMs: number;
  };
  rateLimits: {
    /** New guests (inquiries) per hour and client address. */
    guestsPerAddressPerHour: number;
    /** New guests (inquiries) per hour and contact point, from all addresses together. */
    guestsPerContactPointPerHour: number;
    /** Requests per minute and client address on unauthenticated endpoints. */
    publicPerMinute: number;
    /** Requests per minute on each unauthenticated endpoint, across all addresses together. */
    publicGlobalPerMinute: number;
    /** Key package fetches per minute and requesting account, over all its sessions and devices; beyond, rate_limited. */
    keyPackageFetchesPerMinute: number;
    /** One-time key packages handed out per hour and target device, whoever asks; beyond, its last-resort package. */
    oneTimeKeyPackagesPerDevicePerHour: number;
  };
}

const minute = 60_000;
const day = 24 * 60 * minute;

export function defaultConfig(publicUrl = "http://localhost:8080"): ServerConfig {
  return {
    publicUrl,
    allowedOrigins: [new URL(publicUrl).origin],
    envelopeTtlMs: 30 * day,
    sessionTtlMs: 60 * minute,
    maxSessionsPerDevice: 10,
    challengeTtlMs: 2 * minute,
    blobMaxBytes: 100 * 1024 * 1024,
    blobTtlMs: 30 * day,
    maxBatchRows: 2048,
    pushWindow: 512,
    helloTimeoutMs: 10_000,
    pingIntervalMs: 30_000,
    socketMaxLifetimeMs: day,
    sessionCheckIntervalMs: minute,
    maxSocketsPerAddress: 50,
    maxSocketsAwaitingHello: 200,
    sweepIntervalMs: 10 * minute,
    sendsPerSecondPerSocket: 500,
    trustProxy: false,
    deployment: {
      hostingLocation: undefined,
      dataDirectory: undefined,
      tls: new URL(publicUrl).protocol === "https:" ? "proxy" : "none",
      blobs: "files",
      bus: "local",
    },
    metrics: { onMainPort: false, processMetrics: false },
    push: { coalesceMs: 5_000, ttlSeconds: 24 * 3_600, allowInsecureEndpoints: false },
    guests: {
      maxBlobs: 20,
      maxBlobBytes: 60 * 1024 * 1024,
      maxKeyPackageFetches: 5,
      idleMs: 180 * day,
    },
    proofOfWork: { bits: 18, always: false, ttlMs: 10 * minute },
    rateLimits: {
      guestsPerAddressPerHour: 10,
      guestsPerContactPointPerHour: 200,
      publicPerMinute: 30,
      publicGlobalPerMinute: 300,
      keyPackageFetchesPerMinute: 60,
      oneTimeKeyPackagesPerDevicePerHour: 30,
    },
  };
}
