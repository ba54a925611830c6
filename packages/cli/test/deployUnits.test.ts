/**
 * The systemd units in deploy/: `systemd-analyze verify` accepts them without
 * a single warning (it warns, but exits 0, on unknown keys: so any output
 * fails), and the command line of bote.service, run as systemd would run it
 * from a checkout at /opt/bote, starts a server and stops cleanly on SIGTERM.
 * systemd itself cannot run in this container, so the hardening is verified,
 * not exercised.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@bote/testing";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
const deploy = joinPath(repo, "deploy");
const analyze = "/usr/bin/systemd-analyze";
const skip = existsSync(analyze)
  ? undefined
  : process.env.CI === "true"
    ? assert.fail("systemd-analyze is missing (CI=true: the units must be verified)")
    : "systemd-analyze is not installed (apt-get install systemd)";
if (skip !== undefined) console.log(`# skipping the unit checks: ${skip}`);

function verify(unit: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(analyze, ["verify", unit], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** The value of `key=` in a unit, with continuation lines joined. */
function setting(unit: string, key: string): string {
  const line = unit.split("\n").find((l) => l.startsWith(`${key}=`));
  assert.ok(line !== undefined, `${key}= is set`);
  return line.slice(key.length + 1);
}

describe("systemd units", { skip }, () => {
  let dir: string;
  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("bote.service and an instance of bote@.service verify without any warning", async () => {
    dir = await mkdtemp(joinPath(tmpdir(), "bote-units-"));
    await copyFile(joinPath(deploy, "bote.service"), joinPath(dir, "bote.service"));
    // A template verifies as one of its instances.
    await copyFile(joinPath(deploy, "bote@.service"), joinPath(dir, "bote@node1.service"));
    for (const unit of ["bote.service", "bote@node1.service"]) {
      const result = await verify(joinPath(dir, unit));
      assert.deepEqual(result, { code: 0, output: "" }, unit);
    }
    // The check is live: a wrong key is reported.
    const broken = joinPath(dir, "broken.service");
    await writeFile(broken, (await readFile(joinPath(deploy, "bote.service"), "utf8")) + "Restrat=always\n");
    assert.match((await verify(broken)).output, /Unknown key 'Restrat'/);
  });

  it("both units run the built bote with the hardening of the brief", async () => {
    for (const name of ["bote.service", "bote@.service"]) {
      const unit = await readFile(joinPath(deploy, name), "utf8");
      const exec = setting(unit, "ExecStart").split(" ");
      assert.equal(exec[0], "/usr/bin/node");
      assert.ok(existsSync(exec[1]!.replace("/opt/bote/", repo)), `${exec[1]} is where the build puts bin.js`);
      for (const [key, value] of [
        ["User", "bote"],
        ["NoNewPrivileges", "yes"],
        ["ProtectSystem", "strict"],
        ["PrivateTmp", "yes"],
        ["RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"],
        ["KillSignal", "SIGTERM"],
        ["Restart", "on-failure"],
      ])
        assert.equal(setting(unit, key!), value, `${name}: ${key}`);
    }
  });

  it("the command line of bote.service starts a server that stops cleanly on SIGTERM", async () => {
    const unit = await readFile(joinPath(deploy, "bote.service"), "utf8");
    const data = joinPath(dir, "var-lib-bote");
    const port = await freePort();
    const command = setting(unit, "ExecStart")
      .replaceAll("/opt/bote/", repo)
      .replaceAll("/var/lib/bote", data)
      .replace("--port 8080", `--port ${port}`)
      // An empty EnvironmentFile: systemd drops an unquoted empty variable.
      .replace(" $BOTE_ARGS", "")
      .split(" ");
    const child = spawn(command[0]!, [...command.slice(1), "--log-level", "warn"], {
      env: { ...process.env, LANG: "de_DE.UTF-8", LC_ALL: "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr.on("data", (c: Buffer) => {
        err += c.toString();
        if (err.includes(`läuft auf http://localhost:${port}`)) resolve();
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
    const code = await new Promise<number | null>((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
    assert.equal(code, 0, err);
    assert.ok(existsSync(joinPath(data, "bote.sqlite")), "the state directory holds the database");
  });
});
