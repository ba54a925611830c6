/**
 * The PostgreSQL backup of docs/OPERATIONS.md (Backups): `pg_dump -Fc` of a
 * running server's database, `pg_restore` into a new database, and a server
 * started on that one (same secrets file and VAPID keys) delivers the
 * messages and the file (blobs live in PostgreSQL) stored before the dump.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, postgresSkipReason, type TestDatabase } from "@bote/testing";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import {
  berndReceives,
  downloaded,
  joinPair,
  line,
  sendRandomFile,
  sendText,
  type Pair,
} from "./support/operations.js";

const run = promisify(execFile);

/** pg_dump and pg_restore of the same installation: Debian's wrappers, or a versioned directory. */
function postgresTools(): { dump: string; restore: string } | undefined {
  const dirs = ["/usr/local/bin", "/usr/bin"];
  try {
    dirs.push(...readdirSync("/usr/lib/postgresql").map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // No versioned installation.
  }
  for (const dir of dirs) {
    const dump = joinPath(dir, "pg_dump");
    const restore = joinPath(dir, "pg_restore");
    if (existsSync(dump) && existsSync(restore)) return { dump, restore };
  }
  return undefined;
}

const tools = postgresTools();
const skip =
  (await postgresSkipReason()) ??
  (tools === undefined
    ? process.env.CI === "true"
      ? assert.fail("pg_dump is missing (CI=true: the PostgreSQL backup must be tested)")
      : "pg_dump and pg_restore are not installed"
    : undefined);
if (skip !== undefined) console.log(`# skipping the pg_dump test: ${skip}`);

describe("pg_dump and pg_restore", { skip, timeout: 90_000 }, () => {
  let root: string;
  let dataDir: string;
  let port: number;
  let server: RunningServer | undefined;
  let pair: Pair;
  const databases: TestDatabase[] = [];

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-pgdump-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
  });

  after(async () => {
    await pair?.anna.close().catch(() => undefined);
    await pair?.bernd.close().catch(() => undefined);
    if (server !== undefined) await stopServer(server);
    for (const db of databases) await db.drop().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  });

  it("a dump restored into a new database serves the data", async () => {
    const original = await createTestDatabase();
    databases.push(original);
    server = await startServer(dataDir, port, ["--database", original.url]);
    pair = await joinPair(root, dataDir);
    await sendText(pair, "Vor der Sicherung");
    const file = await sendRandomFile(pair, 600_000, "Lageplan");

    // While the server runs: pg_dump reads one snapshot.
    const dump = joinPath(root, "bote.dump");
    await run(tools!.dump, ["-Fc", "-f", dump, original.url]);
    await stopServer(server);
    server = undefined;

    const restored = await createTestDatabase();
    databases.push(restored);
    await run(tools!.restore, ["--no-owner", "--exit-on-error", "-d", restored.url, dump]);
    server = await startServer(dataDir, port, ["--database", restored.url]);

    const received = await berndReceives(pair, ["Vor der Sicherung", "Lageplan"]);
    const attachment = received.find((m) => line(m) === "Lageplan")!;
    assert.ok((await downloaded(pair, attachment)).equals(file), "the file came back from the restored blob_chunks");
  });
});
