/**
 * A fresh PostgreSQL database per test run. Under CI=true a missing server
 * fails the run; elsewhere the tests skip and say why.
 */
import pg from "pg";
import { randomBytes } from "node:crypto";

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
