// The relay benchmark end to end with tiny numbers, so that it cannot rot:
// ceiling and real server start, accounts are made, load flows both ways,
// idle connections are counted, the table and the ratio line come out.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { selfCheck } from "../src/relay/wire.js";

const main = fileURLToPath(new URL("../src/relay/main.js", import.meta.url));

interface RunResult {
  ratio: number;
  ceiling: { throughput: { delivered: number; undelivered: number; misrouted: number; badPayload: number } };
  relay: {
    throughput: { delivered: number; sendFailed: number; undelivered: number; misrouted: number; badPayload: number };
    latency: { delivered: number; latencyMs: { p50: number } };
    idle: { connections: number } | undefined;
  };
}

it("the fast frame codec agrees with @bote/protocol's", () => {
  selfCheck();
});

it("bench:relay runs the whole pipeline and ends with the ratio line", { timeout: 60_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), "bote-bench-test-"));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          main,
          ...["--clients", "20", "--rate", "2000", "--latency-rate", "200", "--seconds", "1", "--warmup", "0.5"],
          ...["--idle", "50", "--settle", "0.2", "--drain", "5", "--sqlite-sync", "normal", "--out-dir", out],
        ],
        { timeout: 55_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
    const lines = stdout.trimEnd().split("\n");
    assert.match(lines.at(-1)!, /^relay\/ceiling throughput ratio: \d+\.\d\d$/);
    assert.match(stdout, /delivered\+acked msg\/s/);

    const files = readdirSync(out).filter((f) => /^relay-.*\.json$/.test(f));
    assert.equal(files.length, 1);
    const result = JSON.parse(readFileSync(join(out, files[0]!), "utf8")) as RunResult;
    assert.ok(result.ceiling.throughput.delivered > 0, "ceiling delivered nothing");
    assert.ok(result.relay.throughput.delivered > 0, "relay delivered nothing");
    assert.ok(result.relay.latency.delivered > 0);
    assert.ok(result.ratio > 0);
    for (const r of [result.ceiling.throughput, result.relay.throughput]) {
      assert.equal(r.misrouted, 0);
      assert.equal(r.badPayload, 0);
      assert.equal(r.undelivered, 0);
    }
    assert.equal(result.relay.throughput.sendFailed, 0);
    assert.equal(result.relay.idle?.connections, 50);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
