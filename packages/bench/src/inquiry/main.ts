/**
 * `npm run bench:inquiry`: does a flood of inquiries slow the team's own chat?
 *
 * One `bote serve` (SQLite, a fresh directory, `--trust-proxy` so that a
 * forwarded address stands for a customer's). Anna and Bernd are SDK clients
 * in this process; Anna sends probe messages to Bernd one at a time, and a
 * probe's time runs from her send to his client's message event: encrypt,
 * relay, store, deliver, decrypt. A separate flood process meanwhile asks
 * for new guest accounts at a fixed rate (open loop, at most 64 in flight),
 * in one of three shapes:
 * - "bare http": the same requests to a bare `node:http` server in a process
 *   of its own that answers every one with a 429 — the baseline. On one
 *   machine the flood's own work takes CPU from everyone; this shape shows
 *   how much of the slowdown that alone is, with no Bote code involved;
 * - "one address": to Bote, every request from one address, which has spent
 *   its budget (`429 rate_limited` before the body is read);
 * - "many addresses": to Bote, a new forwarded address per request, so each
 *   passes the address budget and meets the limit across all addresses or
 *   is refused at its certificate: the most a flood of garbage can make the
 *   server do without the puzzle.
 * Rounds interleave "none" and the three shapes, so a change of machine load
 * hits each. Reported: p50/p95 of the probes per shape, each median's ratio
 * to "none" and to "bare http", the flood's achieved rate, the flooded
 * server's CPU time per request (Bote against the bare server: the real
 * floor for answering an HTTP request in Node), and the load average.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { joinWithInvitation, type BoteClient } from "@bote/client";
import { MemoryClientStore } from "@bote/core";
import { nodeTransport } from "@bote/cli/node-transport";
import { freePort, startBote } from "../boteServe.js";
import { killAll, stop, track } from "../relay/processes.js";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    probes: { type: "string", default: "40" },
    rate: { type: "string", default: "500" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench:inquiry -- [--rounds 3] [--probes 40] [--rate 500]
  The team's chat latency with and without a flood of inquiries (--rate requests a second), interleaved.`);
  process.exit(0);
}
const ROUNDS = Number(flags.rounds);
const PROBES = Number(flags.probes);
const RATE = Number(flags.rate);

type Shape = "none" | "bare http" | "one address" | "many addresses";
const SHAPES: readonly Shape[] = ["none", "bare http", "one address", "many addresses"];

/** The flood, as a process of its own so that its work is not this process's. */
const FLOOD = `
const [url, mode, rate] = process.argv.slice(1);
const b64 = (n) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("base64url");
let sent = 0, answered = 0, inFlight = 0, skipped = 0;
let stopping = false;
const one = () => {
  const address = mode === "many" ? \`10.\${(sent >> 16) & 255}.\${(sent >> 8) & 255}.\${sent & 255}\` : "10.99.99.99";
  sent++;
  inFlight++;
  fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": address },
    body: JSON.stringify({ accountId: b64(16), publicKey: b64(32), accountCertificate: b64(200), deviceCertificate: b64(150) }),
  }).then((r) => r.arrayBuffer()).then(() => answered++, () => undefined).finally(() => inFlight--);
};
const started = performance.now();
// Open loop: every 10 ms, the requests the rate owes so far, unless 64 are already waiting.
const tick = setInterval(() => {
  const owed = Math.floor(((performance.now() - started) / 1000) * Number(rate)) - sent - skipped;
  for (let i = 0; i < owed; i++) inFlight < 64 ? one() : skipped++;
}, 10);
process.on("message", (what) => {
  if (what === "stop") clearInterval(tick);
  process.send({ answered, seconds: (performance.now() - started) / 1000 }, () => what === "stop" && process.exit(0));
});
`;

/** A server that refuses everything as cheaply as Node can: the floor of answering an HTTP request. */
const BARE = `
import { createServer } from "node:http";
createServer((req, res) => {
  req.resume();
  res.writeHead(429, { "content-type": "application/json", "retry-after": "60" });
  res.end('{"error":"rate_limited"}');
}).listen(Number(process.argv[1]), "127.0.0.1", () => process.send("ready"));
`;

/** User + system CPU of a child process in µs, from /proc (Linux); undefined elsewhere. */
function cpuMicros(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

function join_(link: string, name: string): Promise<BoteClient> {
  return joinWithInvitation({
    store: new MemoryClientStore(),
    transport: nodeTransport,
    invitationLink: link,
    displayName: name,
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function startBare(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = track(
    spawn(process.execPath, ["--input-type=module", "-e", BARE, String(port)], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    }),
  );
  await new Promise((resolve) => child.once("message", resolve));
  return { child, url: `http://127.0.0.1:${port}` };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bote-bench-inquiry-"));
  const bote = await startBote(join(dir, "server"), ["--trust-proxy"]);
  const bare = await startBare();
  const anna = await join_(bote.adminInvitation, "Anna");
  const bernd = await join_((await anna.createInvitation("member", "Bernd")).url, "Bernd");
  await anna.createContactPoint({ name: "Bench", slug: "bench", staff: [bernd.profile.accountId] });
  await Promise.all([anna.connect(), bernd.connect()]);
  const chat = await anna.directChat(bernd.profile.accountId);
  const arrived = new Map<string, number>();
  bernd.on("message", (m) => arrived.set(m.messageId, performance.now()));
  const probe = async (): Promise<number> => {
    const started = performance.now();
    const sent = await anna.sendText(chat.conversationId, "Gerüst steht, Material kommt um 7 Uhr");
    if (sent === undefined) throw new Error("the probe was not sent");
    while (!arrived.has(sent.messageId)) await sleep(1);
    return arrived.get(sent.messageId)! - started;
  };
  for (let i = 0; i < 10; i++) await probe(); // warm-up

  const path = "/v1/contact-points/bench/guests";
  const target: Record<Exclude<Shape, "none">, { url: string; mode: string; pid: number | undefined }> = {
    "bare http": { url: bare.url + path, mode: "one", pid: bare.child.pid },
    "one address": { url: bote.url + path, mode: "one", pid: bote.child.pid },
    "many addresses": { url: bote.url + path, mode: "many", pid: bote.child.pid },
  };
  const samples = new Map<Shape, number[]>(SHAPES.map((s) => [s, []]));
  const floodRates = new Map<Shape, number[]>(SHAPES.map((s) => [s, []]));
  const serverCpu = new Map<Shape, number[]>(SHAPES.map((s) => [s, []]));
  const loadBefore = loadavg()[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    for (const shape of SHAPES) {
      const to = shape === "none" ? undefined : target[shape];
      const flood =
        to === undefined
          ? undefined
          : track(
              spawn(process.execPath, ["--input-type=module", "-e", FLOOD, to.url, to.mode, String(RATE)], {
                stdio: ["ignore", "ignore", "inherit", "ipc"],
              }),
            );
      if (flood !== undefined) await sleep(500); // the flood at full speed before the first probe
      for (let i = 0; i < PROBES; i++) samples.get(shape)!.push(await probe());
      if (flood !== undefined && to !== undefined) {
        const ask = (what: "count" | "stop") =>
          new Promise<{ answered: number; seconds: number }>((resolve) => {
            flood.once("message", resolve);
            flood.send(what);
          });
        // The server's CPU per request in a window of its own, so that the probes' work is not in it.
        const [before, cpuBefore] = [await ask("count"), cpuMicros(to.pid)];
        await sleep(2000);
        const cpuAfter = cpuMicros(to.pid);
        const after = await ask("stop");
        floodRates.get(shape)!.push(after.answered / after.seconds);
        if (cpuBefore !== undefined && cpuAfter !== undefined) {
          serverCpu.get(shape)!.push((cpuAfter - cpuBefore) / (after.answered - before.answered));
        }
        await stop(flood);
      }
    }
  }
  const loadAfter = loadavg()[0]!;

  const median = (shape: Shape) =>
    percentile(
      samples
        .get(shape)!
        .slice()
        .sort((a, b) => a - b),
      0.5,
    );
  const range = (values: readonly number[], digits: number) =>
    values.length === 0 ? "n/a" : `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
  console.log(
    `bench:inquiry — ${cpus().length} cores, load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}, ${ROUNDS} rounds × ${PROBES} probes, flood at ${RATE} req/s`,
  );
  for (const shape of SHAPES) {
    const sorted = samples
      .get(shape)!
      .slice()
      .sort((a, b) => a - b);
    const parts = [`p50 ${percentile(sorted, 0.5).toFixed(1)} ms`, `p95 ${percentile(sorted, 0.95).toFixed(1)} ms`];
    if (shape !== "none") {
      parts.push(`ratio to none ${(median(shape) / median("none")).toFixed(2)}`);
      if (shape !== "bare http") parts.push(`ratio to bare http ${(median(shape) / median("bare http")).toFixed(2)}`);
      parts.push(`flood ${range(floodRates.get(shape)!, 0)} req/s`);
      parts.push(`server ${range(serverCpu.get(shape)!, 0)} µs CPU/request`);
    }
    console.log(`  ${shape.padEnd(15)} ${parts.join(", ")}`);
  }
  await anna.close();
  await bernd.close();
  await stop(bote.child);
  await stop(bare.child);
  rmSync(dir, { recursive: true, force: true });
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    killAll();
  });
