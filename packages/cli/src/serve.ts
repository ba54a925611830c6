/** `bote serve`: one process with SQLite and local files, or a node of a PostgreSQL-backed cluster. */
import { statSync } from "node:fs";
import { access, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { pino } from "pino";
import {
  FileBlobStore,
  bootstrapOrganisation,
  checkWritableDirectory,
  openServerSecrets,
  openVapidKeys,
  restrictFileModes,
  VAPID_KEYS_FILE,
  type VapidKeys,
  type ServerSecrets,
  buildServer,
  defaultConfig,
  logSerializers,
  INITIAL_INVITE_FILE,
  RECOVERY_INVITE_FILE,
  type BlobStore,
  type Bus,
  type ServerStore,
} from "@bote/server";
import { messages, UsageError } from "./messages.js";
import {
  domainPublicUrl,
  openDomainTls,
  parseDomainFlags,
  type DomainFlags,
  type DomainOptions,
} from "./serveDomain.js";

export interface ServeOptions extends DomainFlags {
  data: string;
  /** Default 8080, or 443 with --domain. */
  port?: string;
  host: string;
  publicUrl?: string;
  database?: string;
  nats?: string;
  natsPrefix: string;
  blobs?: string;
  secrets?: string;
  orgName: string;
  hostingLocation?: string;
  sqliteSync: string;
  logLevel: string;
  publicRateLimit: string;
  maxSocketsPerAddress: string;
  maxSocketsAwaitingHello: string;
  keyPackageFetchLimit: string;
  oneTimeKeyPackageLimit: string;
  inquiryRateLimit: string;
  contactPointRateLimit: string;
  proofOfWorkBits: string;
  proofOfWorkAlways?: boolean;
  retentionDays: string;
  blobMaxMb: string;
  trustProxy?: boolean;
  recoveryInvite?: boolean;
  webRoot?: string;
  metrics?: boolean;
  metricsPort?: string;
  metricsHost?: string;
}

export interface ParsedServeOptions {
  dataDir: string;
  port: number;
  host: string;
  publicUrl: string;
  publicUrlGiven: boolean;
  database: string | undefined;
  nats: string | undefined;
  natsPrefix: string;
  blobs: string | undefined;
  secretsFile: string;
  orgName: string;
  /** For the data protection documents; only the operator knows it. */
  hostingLocation: string | undefined;
  sqliteSync: "full" | "normal";
  logLevel: string;
  publicRateLimit: number;
  maxSocketsPerAddress: number;
  maxSocketsAwaitingHello: number;
  keyPackageFetchLimit: number;
  oneTimeKeyPackageLimit: number;
  inquiryRateLimit: number;
  contactPointRateLimit: number;
  proofOfWorkBits: number;
  proofOfWorkAlways: boolean;
  retentionDays: number;
  blobMaxMb: number;
  trustProxy: boolean;
  /** Makes a recovery invitation at start (bootstrapOrganisation). */
  recoveryInvite: boolean;
  /** The built web app, served at `/`; undefined when the web package cannot be found. */
  webRoot: string | undefined;
  /** With --domain: HTTPS with a certificate by ACME, and the HTTP port redirecting to it. */
  domain: DomainOptions | undefined;
  /** /metrics on the main port (--metrics) and/or on a port of its own, by default on 127.0.0.1 only. */
  metrics: { onMainPort: boolean; port: number | undefined; host: string };
}

export function parseServeOptions(options: ServeOptions): ParsedServeOptions {
  const t = messages();
  const domain = parseDomainFlags(options, options.publicUrl);
  const portText = options.port ?? (domain === undefined ? "8080" : "443");
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(t.invalidPort(portText));
  const port = Number(portText);
  if (domain !== undefined && port === 0) throw new UsageError(t.domainPortZero);
  const publicUrl =
    domain === undefined ? (options.publicUrl ?? `http://localhost:${port}`) : domainPublicUrl(domain.domain, port);
  if (!isHttpUrl(publicUrl)) throw new UsageError(t.invalidUrl(publicUrl));
  if (options.database !== undefined && !/^postgres(ql)?:\/\//.test(options.database))
    throw new UsageError(t.invalidDatabase(options.database));
  if (options.nats !== undefined && !/^(nats|tls):\/\//.test(options.nats))
    throw new UsageError(t.invalidNats(options.nats));
  if (options.nats !== undefined && options.database === undefined) throw new UsageError(t.natsNeedsDatabase);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(options.natsPrefix)) throw new UsageError(t.invalidNatsPrefix(options.natsPrefix));
  if (options.sqliteSync !== "full" && options.sqliteSync !== "normal")
    throw new UsageError(t.invalidSync(options.sqliteSync));
  if (!/^\d{1,7}$/.test(options.publicRateLimit) || Number(options.publicRateLimit) < 1)
    throw new UsageError(t.invalidRateLimit(options.publicRateLimit));
  const maxSocketsPerAddress = socketCount(options.maxSocketsPerAddress, "--max-sockets-per-address");
  const maxSocketsAwaitingHello = socketCount(options.maxSocketsAwaitingHello, "--max-sockets-awaiting-hello");
  const keyPackageFetchLimit = wholeNumber(options.keyPackageFetchLimit, 1, 100_000);
  if (keyPackageFetchLimit === undefined) throw new UsageError(t.invalidRateLimit(options.keyPackageFetchLimit));
  // 0 is allowed: every fetch then gets the last-resort package (for tests, or an organisation under attack).
  const oneTimeKeyPackageLimit = wholeNumber(options.oneTimeKeyPackageLimit, 0, 100_000);
  if (oneTimeKeyPackageLimit === undefined) throw new UsageError(t.invalidRateLimit(options.oneTimeKeyPackageLimit));
  const inquiryRateLimit = wholeNumber(options.inquiryRateLimit, 1, 1_000_000);
  if (inquiryRateLimit === undefined)
    throw new UsageError(t.invalidHourlyLimit("--inquiry-rate-limit", options.inquiryRateLimit));
  const contactPointRateLimit = wholeNumber(options.contactPointRateLimit, 1, 1_000_000);
  if (contactPointRateLimit === undefined)
    throw new UsageError(t.invalidHourlyLimit("--contact-point-rate-limit", options.contactPointRateLimit));
  const proofOfWorkBits = wholeNumber(options.proofOfWorkBits, 0, 32);
  if (proofOfWorkBits === undefined) throw new UsageError(t.invalidProofOfWorkBits(options.proofOfWorkBits));
  const retentionDays = wholeNumber(options.retentionDays, 1, 365);
  if (retentionDays === undefined) throw new UsageError(t.invalidRetention(options.retentionDays));
  const blobMaxMb = wholeNumber(options.blobMaxMb, 1, 2048);
  if (blobMaxMb === undefined) throw new UsageError(t.invalidBlobMax(options.blobMaxMb));
  const webRoot = options.webRoot === undefined ? defaultWebRoot() : resolve(options.webRoot);
  if (options.webRoot !== undefined && (webRoot === undefined || !isDirectory(webRoot)))
    throw new UsageError(t.invalidWebRoot(options.webRoot));
  const hostingLocation = options.hostingLocation?.trim();
  // It is printed into documents: one line of ordinary text, no control characters (Cc).
  if (hostingLocation !== undefined && !/^[^\p{Cc}]{1,200}$/u.test(hostingLocation))
    throw new UsageError(t.invalidHostingLocation);
  const metrics = parseMetricsFlags(options, port);
  const dataDir = resolve(options.data);
  return {
    dataDir,
    port,
    host: options.host,
    publicUrl,
    publicUrlGiven: options.publicUrl !== undefined || domain !== undefined,
    database: options.database,
    nats: options.nats,
    natsPrefix: options.natsPrefix,
    blobs: options.blobs,
    secretsFile: resolve(options.secrets ?? join(dataDir, "server-secrets.json")),
    orgName: options.orgName,
    hostingLocation,
    sqliteSync: options.sqliteSync,
    logLevel: options.logLevel,
    publicRateLimit: Number(options.publicRateLimit),
    maxSocketsPerAddress,
    maxSocketsAwaitingHello,
    keyPackageFetchLimit,
    oneTimeKeyPackageLimit,
    inquiryRateLimit,
    contactPointRateLimit,
    proofOfWorkBits,
    proofOfWorkAlways: options.proofOfWorkAlways === true,
    retentionDays,
    blobMaxMb,
    trustProxy: options.trustProxy === true,
    recoveryInvite: options.recoveryInvite === true,
    webRoot,
    domain,
    metrics,
  };
}

/** A public /metrics tells anyone the load: on the main port only when asked, on its own port on loopback by default. */
function parseMetricsFlags(options: ServeOptions, mainPort: number): ParsedServeOptions["metrics"] {
  const t = messages();
  let port: number | undefined;
  if (options.metricsPort !== undefined) {
    const text = options.metricsPort;
    if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535)
      throw new UsageError(t.invalidMetricsPort(text));
    port = Number(text);
    if (port === mainPort) throw new UsageError(t.metricsPortIsMainPort(port));
  }
  if (options.metricsHost !== undefined && port === undefined) throw new UsageError(t.metricsHostNeedsPort);
  const host = options.metricsHost ?? "127.0.0.1";
  // An IPv4 or IPv6 address or a host name; nothing a listen() would read as something else.
  if (!/^[A-Za-z0-9.:-]{1,253}$/.test(host)) throw new UsageError(t.invalidMetricsHost(host));
  return { onMainPort: options.metrics === true, port, host };
}

/**
 * Where the web package puts its build, found through its exports map (no
 * web code is loaded). The directory need not exist yet: files are read at
 * request time, so a later build is served without a restart.
 */
function defaultWebRoot(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.resolve("@bote/web/app/index.html")));
  } catch {
    return undefined;
  }
}

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function socketCount(text: string, flag: string): number {
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) throw new UsageError(messages().invalidSocketCap(flag, text));
  return Number(text);
}

function wholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

export async function serve(raw: ServeOptions): Promise<void> {
  const options = parseServeOptions(raw);
  const t = messages();
  // V8 moves the objects of an allocation site straight to the old generation once
  // most of them outlive a young collection. Under a burst, a send's objects wait for
  // a commit and do; afterwards every send's garbage went to the old generation, which
  // grew 7.5 MB/s at 5,000 msg/s until a full collection stalled the relay (p99 at 5k/s
  // 18–49 ms, 7.2–7.4 without; docs/BENCHMARKS.md). The flag is read at each such
  // decision, so setting it before the first connection is enough.
  setFlagsFromString("--no-allocation-site-pretenuring");
  // First: a read-only or full data directory is named now, not at the first message someone sends.
  await checkWritableDirectory(options.dataDir);
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // Every start, so a directory made by an older version or restored from a backup is closed too.
  await restrictFileModes(options.dataDir);
  await restrictFileModes(options.secretsFile);
  const blobDir = options.blobs === undefined ? join(options.dataDir, "blobs") : resolve(options.blobs);
  if (options.blobs !== undefined) await checkWritableDirectory(blobDir);
  if (options.blobs !== undefined || options.database === undefined) await restrictFileModes(blobDir);
  // Before the store: without its certificate the server does not start at all.
  const domainTls =
    options.domain === undefined
      ? undefined
      : await openDomainTls(options.domain, {
          dataDir: options.dataDir,
          host: options.host,
          publicUrl: options.publicUrl,
        });
  const logger = pino({ level: options.logLevel, serializers: logSerializers });
  let store: ServerStore;
  let blobs: BlobStore;
  if (options.database === undefined) {
    const file = join(options.dataDir, "bote.sqlite");
    // Created owner-only before SQLite opens it: SQLite gives its -wal and -shm files the database file's mode.
    await writeFile(file, "", { flag: "a", mode: 0o600 });
    const { openSqliteStore } = await import("@bote/server/sqlite");
    store = await openSqliteStore(file, { synchronous: options.sqliteSync });
    for (const companion of [`${file}-wal`, `${file}-shm`]) await restrictFileModes(companion);
  } else {
    const { openPostgresStore } = await import("@bote/server/postgres");
    store = await openPostgresStore(options.database);
  }
  let secrets: ServerSecrets;
  let vapid: VapidKeys;
  try {
    secrets = await openServerSecrets(store, options.secretsFile);
    // Beside the secrets file: nodes of a cluster that share it share the key their pushes are signed with.
    const vapidFile = join(dirname(options.secretsFile), VAPID_KEYS_FILE);
    vapid = await openVapidKeys(store, vapidFile);
    await restrictFileModes(vapidFile);
  } catch (error) {
    await store.close();
    throw error;
  }
  if (options.blobs === undefined && options.database !== undefined) {
    const { PostgresBlobStore } = await import("@bote/server/postgres");
    blobs = await PostgresBlobStore.open(options.database);
  } else {
    blobs = new FileBlobStore(blobDir);
  }
  const config = defaultConfig(options.publicUrl);
  config.rateLimits.publicPerMinute = options.publicRateLimit;
  config.rateLimits.publicGlobalPerMinute = 10 * options.publicRateLimit;
  config.maxSocketsPerAddress = options.maxSocketsPerAddress;
  config.maxSocketsAwaitingHello = options.maxSocketsAwaitingHello;
  config.rateLimits.keyPackageFetchesPerMinute = options.keyPackageFetchLimit;
  config.rateLimits.oneTimeKeyPackagesPerDevicePerHour = options.oneTimeKeyPackageLimit;
  config.rateLimits.guestsPerAddressPerHour = options.inquiryRateLimit;
  config.rateLimits.guestsPerContactPointPerHour = options.contactPointRateLimit;
  config.proofOfWork.bits = options.proofOfWorkBits;
  config.proofOfWork.always = options.proofOfWorkAlways;
  config.envelopeTtlMs = options.retentionDays * 24 * 3_600_000;
  config.blobTtlMs = config.envelopeTtlMs;
  config.blobMaxBytes = options.blobMaxMb * 1024 * 1024;
  config.trustProxy = options.trustProxy;
  config.deployment = {
    hostingLocation: options.hostingLocation,
    dataDirectory: options.dataDir,
    tls: domainTls !== undefined ? "acme" : options.publicUrl.startsWith("https:") ? "proxy" : "none",
    blobs: options.blobs === undefined && options.database !== undefined ? "postgres" : "files",
    bus: options.nats === undefined ? "local" : "nats",
  };
  if (options.webRoot !== undefined) config.webRoot = options.webRoot;
  config.metrics.onMainPort = options.metrics.onMainPort;
  config.metrics.processMetrics = options.metrics.onMainPort || options.metrics.port !== undefined;
  const index = options.webRoot === undefined ? undefined : join(options.webRoot, "index.html");
  // One warning, and the server starts anyway: the API works without the web app.
  if (index === undefined || !(await fileExists(index))) console.error(t.webAppMissing(index ?? "@bote/web"));
  // Bound late: the invitation link needs the port, which is known only after listening (--port 0).
  let onInvitationRedeemed: (tokenHash: Uint8Array) => void = () => undefined;
  let bus: Bus | undefined;
  if (options.nats !== undefined) {
    const { NatsBus } = await import("@bote/server/nats");
    bus = await NatsBus.connect(options.nats, options.natsPrefix, secrets);
  }
  const server = await buildServer(config, {
    store,
    blobs,
    secrets,
    vapid,
    logger,
    ...(bus === undefined ? {} : { bus }),
    ...(domainTls === undefined ? {} : { tls: domainTls.certificate }),
    onInvitationRedeemed: (hash) => onInvitationRedeemed(hash),
  });
  server.app.addHook("onClose", async () => {
    await domainTls?.close();
    await store.close();
    await blobs.close();
  });
  try {
    await server.app.listen({ port: options.port, host: options.host });
    if (options.metrics.port !== undefined) {
      await server.metrics.listen({ port: options.metrics.port, host: options.metrics.host });
    }
  } catch (error) {
    await server.app.close();
    throw error;
  }
  domainTls?.startRenewing(server.app.server, logger);
  const address = server.app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  if (options.publicUrlGiven === false) {
    config.publicUrl = `http://localhost:${port}`;
    config.allowedOrigins = [config.publicUrl];
  }
  const boot = await bootstrapOrganisation({
    store,
    dataDir: options.dataDir,
    publicUrl: config.publicUrl,
    organisationName: options.orgName,
    recoveryInvite: options.recoveryInvite,
  });
  onInvitationRedeemed = boot.onInvitationRedeemed;
  // Before the start is announced: whoever stops Bote right after it said so gets a clean stop.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error(t.stopping);
    server.app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // The one address for people: invitations and the WebSocket belong to it (the listening address does not).
  console.error(t.listening(config.publicUrl));
  if (options.metrics.port !== undefined) {
    const host = options.metrics.host.includes(":") ? `[${options.metrics.host}]` : options.metrics.host;
    console.error(t.metricsListening(`http://${host}:${options.metrics.port}/metrics`));
  }
  if (boot.adminInvitationUrl !== undefined) {
    const file = join(options.dataDir, INITIAL_INVITE_FILE);
    console.error(`\n${t.firstInvite}\n\n  ${boot.adminInvitationUrl}\n\n${t.firstInviteSaved(file)}\n`);
  }
  if (options.recoveryInvite) {
    const url = boot.recoveryInvitationUrl;
    if (url === undefined) console.error(`\n${t.recoveryInviteNoKey}\n`);
    else {
      const file = join(options.dataDir, RECOVERY_INVITE_FILE);
      console.error(`\n${t.recoveryInvite}\n\n  ${url}\n\n${t.recoveryInviteSaved(file)}\n`);
    }
  }
}
