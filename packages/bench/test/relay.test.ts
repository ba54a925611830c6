// The relay benchmark end to end with tiny numbers, so that it cannot rot:
// the raw-frame ceiling, the minimal durable relay and the real server start,
// accounts are made, load flows both ways in the closed loop and at fixed
// rates, idle connections are counted, the table and both ratio lines come out.
import { it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { selfCheck } from "../src/relay/wire.js";
import { XmppWire } from "../src/relay/xmppwire.js";
import type { WireHandler } from "../src/relay/client.js";

const main = fileURLToPath(new URL("../src/relay/main.js", import.meta.url));

interface Load {
  delivered: number;
  sendFailed: number;
  undelivered: number;
  misrouted: number;
  badPayload: number;
  latencyMs: { p50: number };
  cpu: { target: number };
}

interface RunResult {
  runs: { system: string; round: number; throughput: Load; latency: Load[] }[];
  bote: { idle: { connections: number } | undefined };
  ratios: { ceiling: { median: number }; durable: { median: number } };
}

it("the fast frame codec agrees with @bote/protocol's", () => {
  selfCheck();
});

it("bench:relay runs the whole pipeline and ends with the ratio lines", { timeout: 90_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), "bote-bench-test-"));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [
          main,
          ...["--clients", "20", "--in-flight", "40", "--latency-rates", "200,400", "--seconds", "0.4"],
          ...["--warmup", "0.2", "--rounds", "2", "--idle", "30", "--settle", "0.2", "--drain", "5"],
          ...["--sqlite-sync", "normal", "--out-dir", out],
        ],
        // It takes 20-50 s (the latter on a machine shared with other work); the margin is for the latter.
        { timeout: 85_000 },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`${error.message}\n${stdout}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
    const lines = stdout.trimEnd().split("\n");
    assert.match(lines.at(-2)!, /^relay\/ceiling throughput ratio: \d+\.\d\d$/);
    assert.match(lines.at(-1)!, /^relay\/minimal-durable ratio: \d+\.\d\d$/);
    assert.match(stdout, /delivered\+acked msg\/s/);
    assert.match(stdout, /server CPU µs\/msg/);

    const files = readdirSync(out).filter((f) => /^relay-.*\.json$/.test(f));
    assert.equal(files.length, 1);
    const result = JSON.parse(readFileSync(join(out, files[0]!), "utf8")) as RunResult;
    assert.deepEqual(
      result.runs.map((r) => `${r.round} ${r.system}`),
      ["1 ceiling", "1 durable", "1 bote", "2 durable", "2 bote", "2 ceiling"],
    );
    for (const run of result.runs) {
      assert.equal(run.latency.length, 2);
      for (const r of [run.throughput, ...run.latency]) {
        assert.ok(r.delivered > 0, `${run.system} delivered nothing`);
        // Whole clock ticks (10 ms) of a short window may be 0, but the server's CPU must have been read.
        assert.ok(r.cpu.target >= 0, `${run.system}: no server CPU`);
        assert.equal(r.misrouted, 0);
        assert.equal(r.badPayload, 0);
        assert.equal(r.undelivered, 0);
        assert.equal(r.sendFailed, 0);
      }
    }
    assert.ok(result.ratios.ceiling.median > 0);
    assert.ok(result.ratios.durable.median > 0);
    assert.equal(result.bote.idle?.connections, 30);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

it("the XMPP wire settles a bounced send once, as failed, when the server's count covers it", () => {
  const wire = new XmppWire(0);
  const settled: boolean[] = [];
  const faults: string[] = [];
  const handler = {
    sendFrame: () => undefined,
    onReady: () => undefined,
    fault: (text: string) => faults.push(text),
    onSendResult: (_id: number, ok: boolean) => settled.push(ok),
    onEntry: () => undefined,
  } as unknown as WireHandler;
  const frame = (text: string) => wire.decode(Buffer.from(text, "latin1"), handler);
  // The login, as ejabberd answers it.
  frame(`<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/></stream:features>`);
  frame(`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
  frame(`<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`);
  frame(`<iq type='result' id='bind'/>`);
  frame(`<enabled xmlns='urn:xmpp:sm:3'/>`);
  // Three sends; the second bounces; then the server says it handled all three.
  frame(`<message type='error' to='u0@bench.localhost/b'><error type='cancel'/></message>`);
  frame(`<a xmlns='urn:xmpp:sm:3' h='3'/>`);
  assert.deepEqual(faults, []);
  assert.deepEqual(settled.sort(), [false, true, true], "three sends settled, each once");
});
