/**
 * deploy/Caddyfile and deploy/Caddyfile.cluster with Debian's caddy in front
 * of real `bote serve` processes, adapted only as a test needs (localhost,
 * `tls internal`, free ports): HTTPS and the WebSocket upgrade reach Bote,
 * the browser's Origin arrives unchanged (the public URL's passes, another
 * gets origin_forbidden), a client's own X-Forwarded-For is replaced (so
 * --trust-proxy counts the real address), and with two nodes on PostgreSQL
 * and NATS, stopping one leaves the other serving through the same address.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import WebSocket from "ws";
import { createTestDatabase, natsSkipReason, natsUrl, postgresSkipReason, type TestDatabase } from "@bote/testing";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const run = promisify(execFile);
const deploy = fileURLToPath(new URL("../../../../deploy/", import.meta.url));
const caddyBin = "/usr/bin/caddy";
const skip = existsSync(caddyBin)
  ? undefined
  : process.env.CI === "true"
    ? assert.fail("caddy is missing (CI=true: the Caddy setup must be tested)")
    : "caddy is not installed (apt-get install caddy)";
if (skip !== undefined) console.log(`# skipping the Caddy tests: ${skip}`);

interface Caddy {
  child: ChildProcess;
  port: number;
  /** The root certificate of Caddy's internal CA, the one phones would install. */
  ca: Buffer;
}

/**
 * The file from deploy/ with its name and upstream ports swapped for local
 * ones, on `port` (chosen before the servers, whose public URL names it).
 */
async function startCaddy(dir: string, file: string, upstreams: Record<number, number>, port: number): Promise<Caddy> {
  const httpPort = await freePort();
  let config = await readFile(joinPath(deploy, file), "utf8");
  config = config.replace("bote.example.de {", `https://localhost:${port} {\n\ttls internal`);
  for (const [from, to] of Object.entries(upstreams))
    config = config.replaceAll(`127.0.0.1:${from}`, `127.0.0.1:${to}`);
  const globals = `{\n\tadmin off\n\thttp_port ${httpPort}\n\thttps_port ${port}\n\tauto_https disable_redirects\n\tskip_install_trust\n\tstorage file_system ${dir}/caddy\n}\n`;
  const caddyfile = joinPath(dir, file);
  await writeFile(caddyfile, globals + config);
  const child = spawn(caddyBin, ["run", "--adapter", "caddyfile", "--config", caddyfile], {
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr.on("data", (c: Buffer) => (log += c.toString()));
  const root = joinPath(dir, "caddy/pki/authorities/local/root.crt");
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`caddy exited ${child.exitCode}: ${log}`);
    if (existsSync(root)) {
      const ca = await readFile(root);
      const answer = await get({ port, ca }, "/healthz").catch(() => undefined);
      if (answer !== undefined) return { child, port, ca };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill();
  throw new Error(`caddy did not answer within 15 s: ${log}`);
}

function get(
  caddy: Pick<Caddy, "port" | "ca">,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "localhost", port: caddy.port, path, ca: caddy.ca, headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** The status of a WebSocket upgrade to /v1/ws through Caddy: 101, or the refusal's status and body. */
function upgrade(caddy: Caddy, origin: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`wss://localhost:${caddy.port}/v1/ws`, { ca: caddy.ca, origin });
    socket.once("open", () => {
      socket.close();
      resolve({ status: 101, body: "" });
    });
    socket.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    socket.once("error", reject);
  });
}

function stopCaddy(caddy: Caddy | undefined): Promise<void> {
  if (caddy === undefined || caddy.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    caddy.child.once("exit", () => resolve());
    caddy.child.kill("SIGTERM");
  });
}

describe("Caddy in front of Bote", { skip, timeout: 90_000 }, () => {
  let root: string;
  const servers: RunningServer[] = [];
  const caddies: Caddy[] = [];
  const databases: TestDatabase[] = [];

  after(async () => {
    for (const caddy of caddies) await stopCaddy(caddy);
    for (const server of servers) await stopServer(server);
    for (const db of databases) await db.drop().catch(() => undefined);
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it("both files let through a file of the default --blob-max-mb (100 MiB)", async () => {
    for (const file of ["Caddyfile", "Caddyfile.cluster"]) {
      const { stdout: json } = await run(caddyBin, [
        "adapt",
        "--adapter",
        "caddyfile",
        "--config",
        joinPath(deploy, file),
      ]);
      const limit = /"max_size":(\d+)/.exec(json.replaceAll(" ", ""));
      assert.ok(limit !== null, `${file} sets request_body max_size`);
      assert.ok(Number(limit[1]) >= 100 * 1024 * 1024, `${file}: ${limit[1]} bytes`);
    }
  });

  it("deploy/Caddyfile: HTTPS, the WebSocket with the public URL's Origin, the client's address", async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-caddy-"));
    const bote = await freePort();
    const caddyPort = await freePort();
    // The public URL is Caddy's address; a low rate limit makes the counted address visible.
    const publicUrl = `https://localhost:${caddyPort}`;
    servers.push(
      await startServer(joinPath(root, "one"), bote, [
        "--public-url",
        publicUrl,
        "--trust-proxy",
        "--public-rate-limit",
        "3",
      ]),
    );
    const caddy = await startCaddy(root, "Caddyfile", { 8080: bote }, caddyPort);
    caddies.push(caddy);

    const health = await get(caddy, "/healthz");
    assert.equal(health.status, 200);
    assert.equal((JSON.parse(health.body) as { status: string }).status, "ok");
    assert.equal((await upgrade(caddy, publicUrl)).status, 101);
    const foreign = await upgrade(caddy, "https://elsewhere.example");
    assert.equal(foreign.status, 403);
    assert.match(foreign.body, /origin_forbidden/);

    // Three lookups a minute per address: a client naming itself anew each time is still one address.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get(caddy, "/v1/contact-points/nirgends", { "x-forwarded-for": `198.51.100.${i}` })).status);
    assert.deepEqual(statuses, [404, 404, 404, 429]);
  });

  it("deploy/Caddyfile.cluster: two nodes behind one address, one of them stopped", async (t) => {
    const why = (await postgresSkipReason()) ?? (await natsSkipReason());
    if (why !== undefined) return t.skip(why);
    const db = await createTestDatabase();
    databases.push(db);
    const caddyPort = await freePort();
    const publicUrl = `https://localhost:${caddyPort}`;
    const ports = [await freePort(), await freePort()];
    const shared = ["--database", db.url, "--nats", natsUrl, "--public-url", publicUrl, "--trust-proxy"];
    // The first node makes the secrets; the second is given the same file, as the walk-through says.
    const a = await startServer(joinPath(root, "a"), ports[0]!, shared);
    servers.push(a);
    const secrets = ["--secrets", joinPath(root, "a", "server-secrets.json")];
    const b = await startServer(joinPath(root, "b"), ports[1]!, [...shared, ...secrets]);
    servers.push(b);
    const caddy = await startCaddy(root, "Caddyfile.cluster", { 8081: ports[0]!, 8082: ports[1]! }, caddyPort);
    caddies.push(caddy);

    for (let i = 0; i < 4; i++) assert.equal((await get(caddy, "/healthz")).status, 200);
    assert.equal((await upgrade(caddy, publicUrl)).status, 101);
    await stopServer(a);
    for (let i = 0; i < 4; i++) assert.equal((await get(caddy, "/healthz")).status, 200, "node b answers alone");
    assert.equal((await upgrade(caddy, publicUrl)).status, 101);
  });
});
