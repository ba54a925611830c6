/**
 * A real Bote server on 127.0.0.1, port 0, over a real SQLite file or a fresh
 * PostgreSQL database, with its JSON log lines captured for assertions.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe } from "node:test";
import {
  FileBlobStore,
  ServerSecrets,
  bootstrapOrganisation,
  buildServer,
  defaultConfig,
  logSerializers,
  type BoteServer,
  type Bus,
  type ServerConfig,
  type ServerStore,
} from "../../src/index.js";
import { openPostgresStore } from "../../src/postgres.js";
import { openSqliteStore } from "../../src/sqlite.js";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "@bote/testing";

export type Backend = "sqlite" | "postgres";

export interface TestServer {
  backend: Backend;
  url: string;
  wsUrl: string;
  dataDir: string;
  sqliteFile: string;
  databaseUrl: string | undefined;
  server: BoteServer;
  store: ServerStore;
  secrets: ServerSecrets;
  /** Every log line written so far, raw. */
  logs: string[];
  adminInvitationToken: string;
  close(): Promise<void>;
}

/** What nodes of one cluster share: a PostgreSQL database (dropped by its owner), secrets, a bus. */
export interface Shared {
  database?: TestDatabase;
  secrets?: ServerSecrets;
  bus?: Bus;
  /** The server's clock; the wall clock if not given. */
  now?: () => number;
  /** See ServerDeps.catchUpSweepMs. */
  catchUpSweepMs?: number;
  /** Where the SQLite file and the blobs go (e.g. on a small tmpfs); a fresh temporary directory if not given. */
  dataDir?: string;
}

export async function startTestServer(
  backend: Backend,
  overrides: (config: ServerConfig) => void = () => undefined,
  shared: Shared = {},
): Promise<TestServer> {
  const dataDir = shared.dataDir ?? (await mkdtemp(join(tmpdir(), "bote-test-")));
  const sqliteFile = join(dataDir, "bote.sqlite");
  const database = shared.database ?? (backend === "postgres" ? await createTestDatabase() : undefined);
  const store = database === undefined ? await openSqliteStore(sqliteFile) : await openPostgresStore(database.url);
  const blobs = new FileBlobStore(join(dataDir, "blobs"));
  const secrets = shared.secrets ?? ServerSecrets.generate();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(
        ...chunk
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== ""),
      );
      done();
    },
  });
  const logger = pino({ level: "debug", serializers: logSerializers }, sink);
  const config = defaultConfig("http://127.0.0.1:8080");
  config.rateLimits.publicPerMinute = 10_000;
  config.rateLimits.publicGlobalPerMinute = 100_000;
  config.rateLimits.guestsPerAddressPerHour = 10_000;
  // Every test client comes from 127.0.0.1; the caps have tests of their own.
  config.maxSocketsPerAddress = 10_000;
  config.maxSocketsAwaitingHello = 10_000;
  overrides(config);
  const boot = await bootstrapOrganisation({
    store,
    dataDir,
    publicUrl: config.publicUrl,
    organisationName: "Testbau GmbH",
    ...(shared.now === undefined ? {} : { now: shared.now }),
  });
  const server = await buildServer(config, {
    store,
    blobs,
    secrets,
    logger,
    onInvitationRedeemed: boot.onInvitationRedeemed,
    ...(shared.bus === undefined ? {} : { bus: shared.bus }),
    ...(shared.now === undefined ? {} : { now: shared.now }),
    ...(shared.catchUpSweepMs === undefined ? {} : { catchUpSweepMs: shared.catchUpSweepMs }),
  });
  await server.app.listen({ port: 0, host: "127.0.0.1" });
  const address = server.app.server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  const url = `http://127.0.0.1:${address.port}`;
  return {
    backend,
    url,
    wsUrl: `ws://127.0.0.1:${address.port}/v1/ws`,
    dataDir,
    sqliteFile,
    databaseUrl: database?.url,
    server,
    store,
    secrets,
    logs,
    adminInvitationToken: new URL(boot.adminInvitationUrl!).hash.replace(/^#t=/, ""),
    async close() {
      await server.app.close();
      await store.close();
      await blobs.close();
      if (shared.database === undefined) await database?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Why the PostgreSQL suites skip here (printed), or undefined when PostgreSQL answers; under CI=true it must answer. */
export const postgresSkip = await postgresSkipReason();

/** Runs the suite once per backend; the PostgreSQL run skips where no server answers, except under CI=true. */
export function describeEachBackend(name: string, suite: (backend: Backend) => void): void {
  describe(`${name} [sqlite]`, () => suite("sqlite"));
  describe(`${name} [postgres]`, { skip: postgresSkip ?? false }, () => suite("postgres"));
}
