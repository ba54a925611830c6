/**
 * `bote serve --metrics-port`, `--metrics-host` and `--metrics`: /metrics on
 * a loopback port of its own, on the main port only when asked for, and bad
 * values refused with a sentence in German or English (exit code 2).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bote, freePort, spawnServer, stopServer, type RunningServer } from "./support/processes.js";
import { UsageError } from "../src/messages.js";
import { parseServeOptions, type ServeOptions } from "../src/serve.js";

/** The defaults commander gives `bote serve`. */
const serveDefaults: ServeOptions = {
  data: "./data",
  host: "0.0.0.0",
  natsPrefix: "bote",
  orgName: "Bote",
  sqliteSync: "full",
  logLevel: "info",
  publicRateLimit: "30",
  maxSocketsPerAddress: "50",
  maxSocketsAwaitingHello: "200",
  keyPackageFetchLimit: "60",
  oneTimeKeyPackageLimit: "30",
  inquiryRateLimit: "10",
  contactPointRateLimit: "200",
  proofOfWorkBits: "18",
  retentionDays: "30",
  blobMaxMb: "100",
};

function inLanguage<T>(lang: string, work: () => T): T {
  const before = process.env.LC_ALL;
  process.env.LC_ALL = lang;
  try {
    return work();
  } finally {
    if (before === undefined) delete process.env.LC_ALL;
    else process.env.LC_ALL = before;
  }
}

describe("bote serve metrics flags", () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  after(async () => {
    for (const server of servers) await stopServer(server);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const dataDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), "bote-metrics-"));
    dirs.push(dir);
    return dir;
  };

  it("parses the flags: off by default, its own port on 127.0.0.1 unless told", () => {
    assert.deepEqual(parseServeOptions(serveDefaults).metrics, {
      onMainPort: false,
      port: undefined,
      host: "127.0.0.1",
    });
    assert.deepEqual(parseServeOptions({ ...serveDefaults, metricsPort: "9464" }).metrics, {
      onMainPort: false,
      port: 9464,
      host: "127.0.0.1",
    });
    assert.deepEqual(
      parseServeOptions({ ...serveDefaults, metrics: true, metricsPort: "9464", metricsHost: "::1" }).metrics,
      { onMainPort: true, port: 9464, host: "::1" },
    );
  });

  it("refuses bad values with a clear sentence in German and in English", () => {
    const cases: [Partial<ServeOptions>, RegExp, RegExp][] = [
      [{ metricsPort: "0" }, /Ungültiger Port „0“ für --metrics-port/, /Invalid port "0" for --metrics-port/],
      [{ metricsPort: "65536" }, /von 1 bis 65535/, /from 1 to 65535/],
      [{ metricsPort: "neun" }, /„neun“ für --metrics-port/, /"neun" for --metrics-port/],
      [{ metricsPort: "8080", port: "8080" }, /ist schon der Hauptport/, /is the main port already/],
      [{ metricsHost: "0.0.0.0" }, /--metrics-host gilt nur zusammen mit --metrics-port/, /only goes with/],
      [
        { metricsPort: "9464", metricsHost: "127.0.0.1 --evil" },
        /Ungültige Adresse „127\.0\.0\.1 --evil“ für --metrics-host/,
        /Invalid address "127\.0\.0\.1 --evil" for --metrics-host/,
      ],
    ];
    for (const [flags, german, english] of cases) {
      for (const [lang, message] of [
        ["de_DE.UTF-8", german],
        ["en_US.UTF-8", english],
      ] as const) {
        inLanguage(lang, () =>
          assert.throws(
            () => parseServeOptions({ ...serveDefaults, ...flags }),
            (error: unknown) => {
              assert.ok(error instanceof UsageError, JSON.stringify(flags));
              assert.match(error.message, message);
              return true;
            },
          ),
        );
      }
    }
  });

  it("a bad --metrics-port stops bote serve with exit code 2 and the sentence", async () => {
    const result = await bote(["serve", "--data", await dataDir(), "--metrics-port", "0"], { lang: "de_DE.UTF-8" });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Ungültiger Port „0“ für --metrics-port: erwartet wird eine Zahl von 1 bis 65535\./);
  });

  it("serves /metrics on its own loopback port, and on the main port only with --metrics", async () => {
    const metricsPort = await freePort();
    // Two processes at once: each start takes a while on a busy machine.
    const [own, main] = await Promise.all([
      spawnServer(["--data", await dataDir(), "--port", "0", "--metrics-port", String(metricsPort)]),
      spawnServer(["--data", await dataDir(), "--port", "0", "--metrics"]),
    ]);
    servers.push(own, main);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitFor(() => own.stderr().includes(`Metriken für Prometheus unter ${metricsUrl}`));
    const scrape = await fetch(metricsUrl);
    assert.equal(scrape.status, 200);
    const body = await scrape.text();
    assert.match(body, /^bote_sends_total\{result="ok"\} 0$/m);
    assert.match(body, /^bote_queue_depth 0$/m);
    assert.match(body, /^nodejs_heap_size_total_bytes \d+/m, "the process metrics too");
    const notHere = await fetch(`${own.url}/metrics`);
    assert.equal(notHere.status, 404, "not on the main port unless asked for");
    assert.equal(((await notHere.json()) as { error: { code: string } }).error.code, "not_found");

    const onMain = await fetch(`${main.url}/metrics`);
    assert.equal(onMain.status, 200);
    assert.match(await onMain.text(), /^bote_sockets\{state="receiving"\} 0$/m);
  });
});

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(check(), "the line was printed");
}
