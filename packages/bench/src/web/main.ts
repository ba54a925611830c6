/**
 * `npm run bench:web`: how long an incoming message takes from its arrival
 * in the browser to its line on screen, in a long chat against a short one.
 *
 * One `bote serve` (SQLite, a fresh directory) serves the built web app;
 * Bernd uses it in Debian's Chromium at 360×740. Anna is an SDK client in
 * this process (memory store). She fills two groups with Bernd, "Lang"
 * (2,000 messages) and "Kurz" (20), then, with Bernd's app showing one of
 * them, sends probe messages one at a time. In the page, the time runs from
 * the first WebSocket frame after the probe was armed to the first animation
 * frame after the probe's line is in the DOM: decrypting, storing, the
 * app's state and rendering, the whole way to the screen. Rounds alternate
 * the chats, so a change of machine load hits both. Reported: the median
 * and spread per chat, and the long/short ratio of the medians, which must
 * stay near 1: the time must not grow with the chat.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { chromium, type Page } from "playwright-core";
import { joinWithInvitation, type BoteClient } from "@bote/client";
import { MemoryClientStore } from "@bote/core";
import { nodeTransport } from "@bote/cli/node-transport";
import { repoRoot } from "../relay/paths.js";
import { startBote } from "../boteServe.js";
import { killAll, stop } from "../relay/processes.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"];
const WEB_ROOT = join(repoRoot, "packages/web/dist/www");

const { values: flags } = parseArgs({
  options: {
    long: { type: "string", default: "2000" },
    short: { type: "string", default: "20" },
    rounds: { type: "string", default: "4" },
    probes: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench:web -- [--long 2000] [--short 20] [--rounds 4] [--probes 10] [--warmup 2]
  Time from an incoming message to its line on screen in the web app, long chat against short chat.`);
  process.exit(0);
}
const LONG = Number(flags.long);
const SHORT = Number(flags.short);
const ROUNDS = Number(flags.rounds);
const PROBES = Number(flags.probes);
const WARMUP = Number(flags.warmup);

/**
 * Runs in the page before the app (as source: this package is compiled
 * without the DOM's types): notes the time of the first WebSocket frame
 * after `__probeArm(text)`, and resolves `__probeDone` with the time from it
 * to the first frame painted after a line with `text` is in the DOM.
 */
const INSTRUMENT = `(() => {
  let firstFrameAt;
  let armed = false;
  const Original = WebSocket;
  globalThis.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", () => {
        if (armed && firstFrameAt === undefined) firstFrameAt = performance.now();
      });
    }
  };
  globalThis.__probeArm = (text) => {
    firstFrameAt = undefined;
    armed = true;
    globalThis.__probeDone = new Promise((resolve) => {
      const shown = () =>
        [...document.querySelectorAll(".messages .line .text")].some((el) => el.textContent.includes(text));
      const observer = new MutationObserver(() => {
        if (!shown()) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          const painted = performance.now();
          armed = false;
          resolve(painted - (firstFrameAt ?? painted));
        });
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  };
})();`;

async function fill(anna: BoteClient, page: Page, chat: { id: string; name: string }, count: number) {
  const started = performance.now();
  for (let i = 1; i <= count; i++) {
    await anna.sendText(chat.id, `Füllzeile ${i} von ${count} in ${chat.name}: Ziegel, Gerüst und Dachrinne`);
  }
  await page
    .locator(".chat-item", { has: page.locator(".chat-item-name", { hasText: chat.name }) })
    .locator(".chat-item-preview", { hasText: `Füllzeile ${count} von ${count}` })
    .waitFor({ timeout: 600_000 });
  return performance.now() - started;
}

async function probeOnce(anna: BoteClient, page: Page, chatId: string, text: string): Promise<number> {
  await page.evaluate((t) => (globalThis as unknown as { __probeArm: (t: string) => void }).__probeArm(t), text);
  await anna.sendText(chatId, text);
  const ms = await page.evaluate(() => (globalThis as unknown as { __probeDone: Promise<number> }).__probeDone);
  // The app marks the chat read and sends the receipt; the next probe starts on a quiet page.
  await sleep(300);
  return ms;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

function summary(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0] ?? NaN,
    max: sorted.at(-1) ?? NaN,
  };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "bote-bench-web-"));
  const bote = await startBote(
    dataDir,
    ["--web-root", WEB_ROOT, "--public-rate-limit", "1000000"],
    [join(WEB_ROOT, "index.html")],
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  let anna: BoteClient | undefined;
  try {
    anna = await joinWithInvitation({
      store: new MemoryClientStore(),
      transport: nodeTransport,
      invitationLink: bote.adminInvitation,
      displayName: "Anna",
    });
    const link = (await anna.createInvitation("member", "Bernd")).url;
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: "de-DE",
      timezoneId: "Europe/Berlin",
    });
    await context.addInitScript({ content: INSTRUMENT });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(link);
    await page.getByRole("button", { name: "Beitreten" }).click();
    await page.getByRole("link", { name: "Neuer Chat" }).waitFor();
    const bernd = (await anna.directory()).find((e) => e.displayName === "Bernd");
    if (bernd === undefined) throw new Error("Bernd is not in the directory");

    const chats = {
      short: { id: (await anna.createGroup("Kurz", [bernd.member.accountId])).conversationId, name: "Kurz" },
      long: { id: (await anna.createGroup("Lang", [bernd.member.accountId])).conversationId, name: "Lang" },
    };
    const fillMs = {
      short: await fill(anna, page, chats.short, SHORT),
      long: await fill(anna, page, chats.long, LONG),
    };
    console.log(
      `filled: ${SHORT} messages in ${(fillMs.short / 1000).toFixed(1)} s, ${LONG} in ${(fillMs.long / 1000).toFixed(1)} s`,
    );

    const samples = { short: [] as number[], long: [] as number[] };
    const perRound: { short: number; long: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const medians = { short: NaN, long: NaN };
      const order = round % 2 === 1 ? (["short", "long"] as const) : (["long", "short"] as const);
      for (const which of order) {
        const chat = chats[which];
        await page.goto(new URL(`/#/chat/${chat.id}`, bote.url).toString());
        await page.locator(".messages .line .text").last().waitFor();
        // Opening marks the chat read (the first time: all of it) and sends the receipts: not measured.
        await sleep(2_000);
        const taken: number[] = [];
        for (let p = 1; p <= WARMUP + PROBES; p++) {
          const ms = await probeOnce(anna, page, chat.id, `Probe ${round}.${p} in ${chat.name}`);
          if (p > WARMUP) taken.push(ms);
        }
        samples[which].push(...taken);
        medians[which] = summary(taken).median;
      }
      perRound.push(medians);
      console.log(
        `round ${round}: median ${medians.short.toFixed(1)} ms (${SHORT}) · ${medians.long.toFixed(1)} ms (${LONG}) · ratio ${(medians.long / medians.short).toFixed(2)}`,
      );
    }
    const short = summary(samples.short);
    const long = summary(samples.long);
    const ratios = perRound.map((r) => r.long / r.short);
    const row = (label: string, s: ReturnType<typeof summary>) =>
      `${label.padEnd(22)} ${s.median.toFixed(1).padStart(7)} ${s.p10.toFixed(1).padStart(7)} ${s.p90.toFixed(1).padStart(7)} ${s.min.toFixed(1).padStart(7)} ${s.max.toFixed(1).padStart(7)} ${String(s.n).padStart(4)}`;
    console.log("");
    console.log(`incoming message → line on screen, ms      median     p10     p90     min     max    n`);
    console.log(row(`chat of ${SHORT} (baseline)`, short));
    console.log(row(`chat of ${LONG}`, long));
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${cpus().length} cores`,
    );
    console.log(`per-round ratios: ${ratios.map((r) => r.toFixed(2)).join(" ")}`);
    console.log(`long/short median ratio: ${(long.median / short.median).toFixed(2)}`);
    const resultsDir = join(repoRoot, "bench-results");
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `web-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ long: LONG, short: SHORT, fillMs, samples, perRound }, null, 2));
    console.log(`written: ${file}`);
  } finally {
    await anna?.close().catch(() => undefined);
    await browser.close();
    await stop(bote.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  killAll();
  process.exit(1);
});
