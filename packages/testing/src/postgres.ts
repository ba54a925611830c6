/**
 * A fresh PostgreSQL database per test run. Under CI=true a missing server
 * fails the run; elsewhere the tests skip and say why.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.js";

const adminUrl = process.env.BOTE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let reachable: Promise<string | undefined> | undefined;

/** undefined when PostgreSQL answers; otherwise the reason to skip. */
export function postgresSkipReason(): Promise<string | undefined> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query("select 1");
      return undefined;
    } catch (error) {
      const reason = `PostgreSQL not reachable at ${adminUrl}: ${(error as Error).message}`;
      if (process.env.CI === "true")
        throw new Error(`${reason} (CI=true: PostgreSQL tests must run)`, { cause: error });
      console.log(`# skipping PostgreSQL tests: ${reason}`);
      return reason;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `bote_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * A PostgreSQL cluster of the test's own, on a free port, that the test may
 * stop and start (the shared server on 5432 must keep running for the
 * others). The server refuses to run as root, so as root it runs as the
 * user `postgres`.
 */
export interface PrivateCluster {
  /** A database url on the cluster (database "postgres"). */
  readonly url: string;
  readonly port: number;
  /** `pg_ctl stop -m immediate`: like a crash, connections drop at once. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it if running and deletes its directory. */
  destroy(): Promise<void>;
}

const postgresBin = process.env.BOTE_TEST_POSTGRES_BIN ?? "/usr/local/bin";
const CLUSTER_USER = "postgres";

let clusterPossible: Promise<string | undefined> | undefined;

/** undefined when a private cluster can be made here; otherwise the reason to skip (printed). Under CI=true it must. */
export function privateClusterSkipReason(): Promise<string | undefined> {
  clusterPossible ??= (async () => {
    let reason: string | undefined;
    if (!existsSync(join(postgresBin, "initdb")) || !existsSync(join(postgresBin, "pg_ctl"))) {
      reason = `initdb and pg_ctl not found in ${postgresBin} (set BOTE_TEST_POSTGRES_BIN)`;
    } else if (process.getuid?.() === 0 && (await run("id", ["-u", CLUSTER_USER])).code !== 0) {
      reason = `running as root, and there is no user ${CLUSTER_USER} to run PostgreSQL as`;
    }
    if (reason === undefined) return undefined;
    if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the private-cluster tests must run)`);
    console.log(`# skipping private PostgreSQL cluster tests: ${reason}`);
    return reason;
  })();
  return clusterPossible;
}

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const dir = await mkdtemp(join(tmpdir(), "bote-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run("id", ["-u", CLUSTER_USER])).stdout.trim());
    const gid = Number((await run("id", ["-g", CLUSTER_USER])).stdout.trim());
    await chown(dir, uid, gid);
  }
  const tool = async (name: string, args: string[]) => {
    const command = join(postgresBin, name);
    const result = asRoot
      ? await run("runuser", ["-u", CLUSTER_USER, "--", command, ...args])
      : await run(command, args);
    if (result.code !== 0) throw new Error(`${name} ${args.join(" ")} failed (${result.code}): ${result.stderr}`);
  };
  // -N: the cluster lives for one test run; syncing its template files would only cost seconds.
  await tool("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-N", "-E", "UTF8", "--locale=C"]);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  let running = false;
  const cluster: PrivateCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await tool("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"]);
      running = true;
    },
    async stop() {
      await tool("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      running = false;
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return cluster;
}

function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 127;
      resolve({ code, stdout, stderr: stderr || (error?.message ?? "") });
    });
  });
}
