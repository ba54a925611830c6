/** `bote serve` at rest: owner-only file modes, secrets that must match the database, the invitation kept out of the log. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ServerSecrets } from "@bote/server";
import { createTestDatabase, postgresSkipReason } from "@bote/testing";
import { spawnServer, stopServer, type RunningServer } from "./support/processes.js";

/** Resolves once the first-start invitation is printed, after which SIGTERM is handled (all starts here have no account yet). */
async function start(args: string[], lang?: string): Promise<RunningServer> {
  const server = await spawnServer(["--port", "0", ...args], lang);
  for (let i = 0; i < 250 && !/initial-admin-invite/.test(server.stderr()); i++)
    await new Promise((r) => setTimeout(r, 20));
  return server;
}

/** Every path below `dir` (itself included) with its permission bits. */
async function modes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>([[dir, (await stat(dir)).mode & 0o777]]);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const [p, m] of await modes(path)) out.set(p, m);
    else out.set(path, (await stat(path)).mode & 0o777);
  }
  return out;
}

async function assertOwnerOnly(dir: string): Promise<void> {
  for (const [path, mode] of await modes(dir)) {
    const isDir = (await stat(path)).isDirectory();
    assert.equal(mode.toString(8), isDir ? "700" : "600", path);
  }
}

/** The start failure's stderr: spawnServer rejects with it. */
async function startFailure(args: string[], lang = "de_DE.UTF-8"): Promise<string> {
  try {
    const server = await start(args, lang);
    await stopServer(server);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("the server started");
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "bote-rest-"));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("bote serve at rest", () => {
  it("makes the data directory 0700 and every file 0600, on a fresh and on an existing open directory", async () => {
    const data = await tempDir();
    await chmod(data, 0o755);
    const first = await start(["--data", data]);
    // While running: the database, its WAL and SHM, the secrets and the invitation.
    const names = await readdir(data);
    for (const name of [
      "bote.sqlite",
      "bote.sqlite-wal",
      "bote.sqlite-shm",
      "server-secrets.json",
      "vapid-keys.json",
      "initial-admin-invite",
    ])
      assert.ok(names.includes(name), `${name} exists`);
    await assertOwnerOnly(data);
    await stopServer(first);

    // An existing directory left open by an older version or a restore, with blobs.
    await mkdir(join(data, "blobs"), { recursive: true });
    await writeFile(join(data, "blobs", "00ff"), "blob");
    for (const [path] of await modes(data)) {
      const isDir = (await stat(path)).isDirectory();
      await chmod(path, isDir ? 0o755 : 0o644);
    }
    const second = await start(["--data", data]);
    await assertOwnerOnly(data);
    await stopServer(second);
  });

  // Stopping the servers here asserts no exit code: a clean SIGTERM exit is serve.test.ts's to check, and
  // under a loaded CI run one of these stops once ended by signal (exit code null), not yet explained.
  it("refuses to start when the secrets file is missing, damaged or another installation's", async () => {
    const data = await tempDir();
    const file = join(data, "server-secrets.json");
    const first = await start(["--data", data]);
    await stopServer(first);
    const original = await readFile(file, "utf8");

    await unlink(file);
    const missing = await startFailure(["--data", data]);
    assert.ok(missing.includes(file), "names the file");
    assert.match(missing, /fehlen/);
    assert.match(missing, /are missing/);
    assert.match(missing, /Sicherung/);
    await assert.rejects(stat(file), "no fresh secrets were made");

    await writeFile(file, original.slice(0, 20));
    const truncated = await startFailure(["--data", data], "en_US.UTF-8");
    assert.ok(truncated.includes(file), "names the file");
    assert.match(truncated, /damaged or incomplete/);

    await writeFile(file, ServerSecrets.generate().serialize());
    const other = await startFailure(["--data", data]);
    assert.ok(other.includes(file), "names the file");
    assert.match(other, /gehören nicht zu dieser Datenbank/);
    assert.match(other, /do not belong to this database/);

    await writeFile(file, original);
    const restored = await start(["--data", data]);
    await stopServer(restored);
  });

  it("refuses a second PostgreSQL node with other secrets", async (t) => {
    const skip = await postgresSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const db = await createTestDatabase();
    after(() => db.drop());
    const one = await tempDir();
    const two = await tempDir();
    const first = await start(["--data", one, "--database", db.url]);
    after(() => stopServer(first));
    await writeFile(join(two, "server-secrets.json"), ServerSecrets.generate().serialize());
    const refused = await startFailure(["--data", two, "--database", db.url]);
    assert.ok(refused.includes(join(two, "server-secrets.json")), "names the second node's file");
    assert.match(refused, /do not belong to this database/);
    // With the shared file the second node starts.
    const shared = await start(["--data", two, "--database", db.url, "--secrets", join(one, "server-secrets.json")]);
    await stopServer(shared);
    await stopServer(first);
  });

  it("prints the first admin invitation on the terminal and never into the JSON log", async () => {
    const data = await tempDir();
    const server = await start(["--data", data, "--log-level", "trace"]);
    await fetch(`${server.url}/healthz`);
    const invitation = (await readFile(join(data, "initial-admin-invite"), "utf8")).trim();
    const token = new URL(invitation).hash.replace(/^#t=/, "");
    await stopServer(server);
    assert.ok(server.stderr().includes(invitation), "on the terminal");
    assert.ok(server.stdout().includes('"msg"'), "the log stream was captured");
    assert.equal(server.stdout().includes(token), false, "not in the log stream");
  });
});
