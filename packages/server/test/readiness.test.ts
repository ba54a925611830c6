/**
 * GET /readyz (issue 14): 200 while the node can do its work, 503 naming
 * the check that failed otherwise. Each check is broken for real: the
 * disk under the SQLite file filled up or the PostgreSQL database made read-only, the
 * blob directory replaced by a file, the store holding another
 * installation's key check, the NATS server gone.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
import pg from "pg";
import type { ReadinessResponse } from "@bote/protocol";
import { freePort, mountTmpfs, tmpfsSkipReason, type Tmpfs } from "@bote/testing";
import { ServerSecrets } from "../src/index.js";
import { NatsBus } from "../src/nats.js";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";

async function readyz(s: TestServer): Promise<{ status: number; body: ReadinessResponse }> {
  const response = await fetch(`${s.url}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadinessResponse };
}

/** The verdict is kept for a second: a check broken now shows once that second is over. */
const pastVerdict = () => new Promise((resolve) => setTimeout(resolve, 1_100));

const tmpfsSkip = await tmpfsSkipReason();

describeEachBackend("GET /readyz", (backend) => {
  // One server per backend, its checks broken one after another and repaired (the secrets last: that stays broken).
  let s: TestServer;
  let disk: Tmpfs | undefined;
  before(async () => {
    // SQLite's database check needs a disk that can fill up: a tmpfs, where one can be mounted.
    if (backend === "sqlite" && tmpfsSkip === undefined) {
      disk = await mountTmpfs("16m");
      const dataDir = join(disk.dir, "data");
      await mkdir(dataDir);
      s = await startTestServer(backend, () => undefined, { dataDir });
    } else {
      s = await startTestServer(backend);
    }
  });
  after(async () => {
    await s.close().catch(() => undefined);
    await disk?.unmount();
  });

  it("is 200 with every check named while the node can store", async () => {
    const { status, body } = await readyz(s);
    assert.equal(status, 200);
    assert.deepEqual(body, {
      status: "ready",
      checks: { database: "ok", blobs: "ok", bus: "skipped", secrets: "ok" },
      failed: [],
    });
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  });

  it(
    "is 503 with database failed while the database takes no writes, and 200 again after",
    { skip: backend === "sqlite" ? (tmpfsSkip ?? false) : false },
    async () => {
      const repair = await breakDatabase(s, disk);
      await pastVerdict();
      const broken = await readyz(s);
      assert.equal(broken.status, 503);
      assert.equal(broken.body.status, "unready");
      assert.equal(broken.body.checks.database, "failed");
      assert.ok(broken.body.failed.includes("database"));
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200, "alive all the same");
      await repair();
      await pastVerdict();
      assert.equal((await readyz(s)).status, 200);
    },
  );

  it("is 503 with blobs failed when nothing can be written where the blobs go", async () => {
    await pastVerdict();
    const blobs = join(s.dataDir, "blobs");
    await rm(blobs, { recursive: true, force: true });
    await writeFile(blobs, "not a directory");
    const { status, body } = await readyz(s);
    assert.equal(status, 503);
    assert.deepEqual(body.failed, ["blobs"]);
    await rm(blobs);
    await pastVerdict();
    assert.equal((await readyz(s)).status, 200);
  });

  it("is 503 with secrets failed when the store holds another installation's key check", async () => {
    await pastVerdict();
    const version = s.secrets.versions()[0]!;
    await s.store.putServerMetaIfAbsent(`key-check:${version}`, randomBytes(32));
    const { status, body } = await readyz(s);
    assert.equal(status, 503);
    assert.deepEqual(body.failed, ["secrets"]);
  });
});

/** Makes the test server's database refuse writes the way a fault would; returns the repair. */
async function breakDatabase(s: TestServer, disk: Tmpfs | undefined): Promise<() => Promise<void>> {
  if (s.backend === "sqlite") {
    // A full disk: the next commit cannot grow the write-ahead log (SQLITE_FULL).
    await disk!.fill();
    return () => disk!.unfill();
  }
  const name = new URL(s.databaseUrl!).pathname.slice(1);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: s.databaseUrl!.replace(`/${name}`, "/postgres") });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  // Like a standby after a failover: connections made from now on are read-only (SQLSTATE 25006).
  const terminate = `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`;
  await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = on`);
  await admin(terminate);
  return async () => {
    await admin(`ALTER DATABASE ${name} SET default_transaction_read_only = off`);
    await admin(terminate);
  };
}

const natsServer = "/usr/sbin/nats-server";
const natsSkip = existsSync(natsServer) ? undefined : `${natsServer} not found`;
if (natsSkip !== undefined && process.env.CI === "true") throw new Error(`${natsSkip} (CI=true: this test must run)`);
if (natsSkip !== undefined) console.log(`# skipping the NATS readiness test: ${natsSkip}`);

it(
  "is 503 with bus failed while the NATS server is gone, and 200 once it is back",
  { skip: natsSkip ?? false },
  async () => {
    const port = await freePort();
    let nats = await startNats(port);
    let s: TestServer | undefined;
    try {
      const bus = await NatsBus.connect(
        `nats://127.0.0.1:${port}`,
        `readyz${randomBytes(4).toString("hex")}`,
        ServerSecrets.generate(),
      );
      s = await startTestServer("sqlite", () => undefined, { bus });
      const ready = await readyz(s);
      assert.equal(ready.status, 200);
      assert.equal(ready.body.checks.bus, "ok");
      await stopNats(nats);
      await pastVerdict();
      const { status, body } = await readyz(s);
      assert.equal(status, 503);
      assert.deepEqual(body.failed, ["bus"]);
      // Back on the same port: the bus reconnects by itself (and can drain when the server closes).
      nats = await startNats(port);
      await eventuallyReady(s);
    } finally {
      await s?.close().catch(() => undefined);
      await stopNats(nats);
    }
  },
);

async function startNats(port: number): Promise<ChildProcess> {
  const child = spawn(natsServer, ["-a", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  for (let i = 0; i < 50; i++) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: "127.0.0.1", port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (listening) return child;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`nats-server did not listen on ${port}`);
}

async function stopNats(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function eventuallyReady(s: TestServer): Promise<void> {
  for (let i = 0; i < 30; i++) {
    if ((await readyz(s)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  assert.fail("not ready again within 15 s");
}
