/**
 * What a `bote` process loads. A client command must not pay for the relay (fastify, pg, NATS, Web Push,
 * ACME), and a server on SQLite must not load the PostgreSQL and NATS clients: `@bote/server` keeps its
 * heavy backends behind subpath exports (`/sqlite`, `/postgres`, `/nats`, `/tls`).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bin } from "./support/processes.js";

const recordLoads = fileURLToPath(new URL("./support/recordLoads.js", import.meta.url));
const cliDir = fileURLToPath(new URL("../..", import.meta.url));

const scratch = await mkdtemp(join(tmpdir(), "bote-loads-"));
after(() => rm(scratch, { recursive: true, force: true }));
let runs = 0;

/** The packages (by name) and files of @bote/server a process resolved. */
interface Loads {
  packages: Set<string>;
  serverFiles: string[];
}

function loadsOf(urls: string): Loads {
  const packages = new Set<string>();
  const serverFiles: string[] = [];
  for (const url of urls.split("\n")) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (m !== null) packages.add(m[1]!);
    if (url.includes("/packages/server/")) serverFiles.push(url);
  }
  return { packages, serverFiles };
}

/**
 * Runs node with the resolve hook; `until` ends the process with SIGTERM once stderr matches it (a
 * server), otherwise it runs to its end.
 */
async function run(args: string[], until?: RegExp): Promise<Loads & { parts: Loads[]; stderr: string }> {
  const log = join(scratch, `loads-${++runs}.txt`);
  const child = spawn(process.execPath, ["--import", recordLoads, ...args], {
    cwd: cliDir,
    env: { ...process.env, BOTE_LOAD_LOG: log, LANG: "en_US.UTF-8", LC_ALL: "", BOTE_PROFILE: "" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    if (until?.test(stderr) === true) child.kill("SIGTERM");
  });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  assert.ok(until === undefined || until.test(stderr), `no ${String(until)} (exit ${code}): ${stderr}`);
  const urls = await readFile(log, "utf8").catch(() => "");
  return { ...loadsOf(urls), parts: urls.split("--\n").map(loadsOf), stderr };
}

const relayPackages = ["fastify", "@fastify/rate-limit", "pg", "nats", "web-push", "acme-client", "pino"];
const isNatsClient = (name: string) => name === "nats" || name.startsWith("@nats-io/");

function assertNone(loads: Loads, names: readonly string[], what: string): void {
  const loaded = [...loads.packages].filter((p) => names.includes(p) || (names.includes("nats") && isNatsClient(p)));
  assert.deepEqual(loaded, [], `${what} loaded ${loaded.join(", ")}`);
}

describe("what a bote process loads", () => {
  it("client commands load nothing of the relay", async () => {
    const profile = await mkdtemp(join(scratch, "profile-"));
    for (const args of [["--help"], ["send", "--profile", profile, "--to", "anna", "hallo"]]) {
      const loads = await run([bin, ...args]);
      assert.ok(loads.packages.has("commander"), `the hook saw bote ${args.join(" ")} start`);
      assertNone(loads, relayPackages, `bote ${args.join(" ")}`);
      assert.deepEqual(loads.serverFiles, [], `bote ${args.join(" ")} loaded @bote/server`);
    }
  });

  it("@bote/server loads no backend; each comes with its own subpath", async () => {
    const subpaths: [string, (name: string) => boolean][] = [
      ["@bote/server/sqlite", (p) => p === "better-sqlite3"],
      ["@bote/server/postgres", (p) => p === "pg"],
      ["@bote/server/nats", isNatsClient],
      ["@bote/server/tls", (p) => p === "acme-client"],
    ];
    // One process: a line "--" in the log after each import, so each part shows what that import added.
    const script = ["@bote/server", ...subpaths.map(([subpath]) => subpath)]
      .map((s) => `await import(${JSON.stringify(s)}); appendFileSync(process.env.BOTE_LOAD_LOG, "--\\n");`)
      .join("\n");
    const { parts } = await run(["--input-type=module", "-e", `import { appendFileSync } from "node:fs";\n${script}`]);
    const [root, ...rest] = parts;
    assert.ok(root!.packages.has("fastify"), "the relay itself is loaded");
    assertNone(root!, ["pg", "nats", "better-sqlite3", "acme-client"], "@bote/server");
    subpaths.forEach(([subpath, client], i) => {
      const added = [...rest[i]!.packages];
      assert.ok(added.some(client), `${subpath} loads its client: ${added.join(", ")}`);
    });
  });

  it("bote serve on SQLite loads neither pg nor NATS nor ACME", async () => {
    const data = await mkdtemp(join(scratch, "data-"));
    const loads = await run(
      [bin, "serve", "--host", "127.0.0.1", "--port", "0", "--data", data, "--log-level", "warn"],
      /running at http/,
    );
    assert.ok(loads.packages.has("fastify") && loads.packages.has("better-sqlite3"), "the server did start");
    assertNone(loads, ["pg", "nats", "acme-client"], "bote serve (SQLite)");
  });
});
