/**
 * `npm run bench:load`: how long a phone on a slow network waits from
 * opening a link until it can act: the join screen of an invitation link
 * (the app) and the inquiry form of a contact point (the customer page).
 *
 * One `bote serve` per web root (SQLite, a fresh directory) serves the
 * built app; with `--compare DIR`, a second one serves another build (the
 * branch point's, say) and the two are measured in turns, so a change of
 * machine load hits both. Every sample is a cold start in a new browser
 * context of Debian's Chromium: no HTTP cache, no service worker, 360×740,
 * the network and the CPU throttled through the DevTools protocol. The time
 * is the page's own clock (from navigation start) at the first animation
 * frame in which the screen's submit button is there and enabled. Reported:
 * median and spread per page and build, and the bytes that crossed the
 * network (what a server without compression sends).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { chromium, type Browser } from "playwright-core";
import { joinWithInvitation, type BoteClient } from "@bote/client";
import { MemoryClientStore } from "@bote/core";
import { nodeTransport } from "@bote/cli/node-transport";
import { repoRoot } from "../relay/paths.js";
import { startBote, type BenchServer } from "../boteServe.js";
import { killAll, stop } from "../relay/processes.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];

/** DevTools' presets: round trip in ms, throughput in bytes per second. */
const NETWORKS = {
  "slow-4g": { latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 },
  "fast-3g": { latency: 562.5, downloadThroughput: (1.44 * 1024 * 1024) / 8, uploadThroughput: (675 * 1024) / 8 },
  none: { latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
} as const;

const { values: flags } = parseArgs({
  options: {
    "web-root": { type: "string", default: join(repoRoot, "packages/web/dist/www") },
    compare: { type: "string" },
    network: { type: "string", default: "slow-4g" },
    cpu: { type: "string", default: "4" },
    samples: { type: "string", default: "5" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help || !(flags.network in NETWORKS)) {
  console.log(`npm run bench:load -- [--web-root DIR] [--compare DIR] [--network slow-4g|fast-3g|none] [--cpu 4] [--samples 5]
  Cold start until the join screen (app) and the inquiry form (customer page) can be used, on a throttled phone.`);
  process.exit(flags.help ? 0 : 2);
}
const NETWORK = NETWORKS[flags.network as keyof typeof NETWORKS];
const CPU_RATE = Number(flags.cpu);
const SAMPLES = Number(flags.samples);

/** What "usable" means on each page: its submit button, enabled (the join screen enables it once the server has the invitation). */
const PAGES = {
  join: 'form button[type="submit"].primary:not([disabled])',
  customer: 'form button[type="submit"].k-primary:not([disabled])',
} as const;
type PageName = keyof typeof PAGES;

interface Build {
  readonly label: string;
  readonly server: BenchServer;
  readonly dataDir: string;
  readonly urls: Record<PageName, string>;
}

interface Sample {
  readonly ms: number;
  readonly bytes: number;
}

/** A server for one web root, with an invitation link and a contact point to open. */
async function startBuild(label: string, webRoot: string): Promise<{ build: Build; anna: BoteClient }> {
  const dataDir = mkdtempSync(join(tmpdir(), "bote-bench-load-"));
  const server = await startBote(
    dataDir,
    ["--web-root", webRoot, "--public-rate-limit", "1000000"],
    [join(webRoot, "index.html")],
  );
  const anna = await joinWithInvitation({
    store: new MemoryClientStore(),
    transport: nodeTransport,
    invitationLink: server.adminInvitation,
    displayName: "Anna",
  });
  await anna.createContactPoint({ name: "Bench", slug: "bench", staff: [anna.profile.accountId] });
  const invitation = (await anna.createInvitation("member", "Bernd")).url;
  return { build: { label, server, dataDir, urls: { join: invitation, customer: `${server.url}/k/bench` } }, anna };
}

async function loadOnce(browser: Browser, url: string, usable: string): Promise<Sample> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    locale: "de-DE",
    timezoneId: "Europe/Berlin",
    serviceWorkers: "block",
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    const cdp = await context.newCDPSession(page);
    let bytes = 0;
    cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await cdp.send("Network.emulateNetworkConditions", { offline: false, ...NETWORK });
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_RATE });
    await page.goto(url, { waitUntil: "commit" });
    // A function, not a string: the app's content security policy forbids eval.
    const at = await page.waitForFunction(
      (selector) => {
        const { document } = globalThis as unknown as { document: { querySelector(s: string): unknown } };
        return document.querySelector(selector) !== null && performance.now();
      },
      usable,
      { polling: "raf" },
    );
    return { ms: Number(await at.jsonValue()), bytes };
  } finally {
    await context.close();
  }
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

async function main(): Promise<void> {
  const roots = [{ label: "this build", dir: resolve(flags["web-root"]) }];
  if (flags.compare !== undefined) roots.push({ label: "compared", dir: resolve(flags.compare) });
  const started: { build: Build; anna: BoteClient }[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    for (const root of roots) started.push(await startBuild(root.label, root.dir));
    console.log(
      `network ${flags.network}, CPU ${CPU_RATE}× slower, ${SAMPLES} cold starts per page and build; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${cpus().length} cores`,
    );
    const samples = new Map<string, Sample[]>();
    for (let round = 1; round <= SAMPLES; round++) {
      // Alternating order: neither build always goes first.
      const order = round % 2 === 1 ? started : [...started].reverse();
      for (const { build } of order) {
        for (const page of Object.keys(PAGES) as PageName[]) {
          const sample = await loadOnce(browser, build.urls[page], PAGES[page]);
          const key = `${build.label} · ${page}`;
          samples.set(key, [...(samples.get(key) ?? []), sample]);
          console.log(`round ${round}: ${key} ${sample.ms.toFixed(0)} ms, ${(sample.bytes / 1000).toFixed(0)} kB`);
        }
      }
    }
    console.log("");
    console.log("until usable, ms                 median     min     max   kB transferred");
    for (const [key, taken] of samples) {
      const ms = taken.map((s) => s.ms).sort((a, b) => a - b);
      const kB = quantile(
        taken.map((s) => s.bytes / 1000).sort((a, b) => a - b),
        0.5,
      );
      console.log(
        `${key.padEnd(30)} ${quantile(ms, 0.5).toFixed(0).padStart(7)} ${ms[0]!.toFixed(0).padStart(7)} ${ms.at(-1)!.toFixed(0).padStart(7)} ${kB.toFixed(0).padStart(8)}`,
      );
    }
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
    const resultsDir = join(repoRoot, "bench-results");
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `load-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    const webRoots = Object.fromEntries(roots.map((r) => [r.label, r.dir]));
    writeFileSync(
      file,
      JSON.stringify(
        { network: flags.network, cpu: CPU_RATE, webRoots, samples: Object.fromEntries(samples) },
        null,
        2,
      ),
    );
    console.log(`written: ${file}`);
  } finally {
    await browser.close();
    for (const { build, anna } of started) {
      await anna.close().catch(() => undefined);
      await stop(build.server.child);
      rmSync(build.dataDir, { recursive: true, force: true });
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
