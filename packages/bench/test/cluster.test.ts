// The cluster benchmark end to end with tiny numbers, so that it cannot rot:
// the three setups start, devices are made, load flows through each, the
// table and the ratio line come out, and nothing is lost on the way.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { natsSkipReason, postgresSkipReason } from "@bote/testing";

const main = fileURLToPath(new URL("../src/cluster/main.js", import.meta.url));
/** This checkout, built: as --baseline it runs the same build as a fourth setup. */
const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const skip = (await postgresSkipReason()) ?? (await natsSkipReason()) ?? false;

interface RunResult {
  setups: { name: string; throughput: { median: number }; p99: { median: number }; faults: number }[];
  ratio: number;
}

it(
  "bench:cluster runs SQLite, PostgreSQL, two nodes and a baseline's two nodes and ends with the ratio line",
  { skip, timeout: 180_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), "bote-bench-test-"));
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [
            main,
            ...["--clients", "10", "--rate", "500", "--latency-rate", "50", "--seconds", "0.5", "--warmup", "0.2"],
            ...["--rounds", "1", "--drain", "5", "--sqlite-sync", "normal", "--out-dir", out, "--baseline", repoRoot],
          ],
          { timeout: 170_000 },
          (error, stdout, stderr) => {
            if (error) reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
            else resolve(stdout);
          },
        );
      });
      const lines = stdout.trimEnd().split("\n");
      assert.match(lines.at(-1)!, /^cluster\/sqlite throughput ratio: \d+\.\d\d$/);
      assert.match(stdout, /load average \(1 min\) before the start \d+\.\d\d/);
      assert.match(stdout, /2 nodes, PostgreSQL \+ NATS/);
      assert.match(stdout, /2 nodes, baseline build/);

      const files = readdirSync(out).filter((f) => /^cluster-.*\.json$/.test(f));
      assert.equal(files.length, 1);
      const result = JSON.parse(readFileSync(join(out, files[0]!), "utf8")) as RunResult;
      assert.deepEqual(
        result.setups.map((s) => s.name),
        ["sqlite", "postgres", "cluster", "baseline"],
      );
      for (const s of result.setups) {
        assert.ok(s.throughput.median > 0, `${s.name} delivered nothing`);
        assert.ok(s.p99.median > 0);
        assert.equal(s.faults, 0, `${s.name} lost or misrouted messages`);
      }
      assert.ok(result.ratio > 0);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
