/**
 * `npm run bench:inquiry`: does a flood of inquiries slow the team's own chat?
 *
 * One `bote serve` (SQLite, a fresh directory, `--trust-proxy` so that a
 * forwarded address stands for a customer's). Anna and Bernd are SDK clients
 * in this process; Anna sends probe messages to Bernd one at a time, and a
 * probe's time runs from her send to his client's message event: encrypt,
 * relay, store, deliver, decrypt. A separate flood process meanwhile asks
 * the contact point for new guest accounts as fast as 32 requests in flight
 * allow, in one of two shapes:
 * - "one address": every request from the same address, which has spent its
 *   hour (`429 rate_limited` without reading the body further);
 * - "many addresses": a new forwarded address per request, so each passes
 *   the address budget and is refused at its certificate (`400`), the most
 *   a flood of garbage can make the server do without the puzzle.
 * Rounds interleave "none", "one address" and "many addresses", so a change
 * of machine load hits each. Reported: p50/p95 of the probes per shape, the
 * ratio of each flood's median to the median without a flood, the flood's
 * request rate, and the load average before and after.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { joinWithInvitation, type BoteClient } from "@bote/client";
import { MemoryClientStore } from "@bote/core";
import { nodeTransport } from "@bote/cli/node-transport";
import { startBote } from "../boteServe.js";
import { killAll, stop, track } from "../relay/processes.js";

const { values: flags } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    probes: { type: "string", default: "40" },
    help: { type: "boolean", default: false },
  },
});
if (flags.help) {
  console.log(`npm run bench:inquiry -- [--rounds 3] [--probes 40]
  The team's chat latency with and without a flood of inquiries, interleaved.`);
  process.exit(0);
}
const ROUNDS = Number(flags.rounds);
const PROBES = Number(flags.probes);

type Shape = "none" | "one address" | "many addresses";
const SHAPES: readonly Shape[] = ["none", "one address", "many addresses"];

/** The flood, as a process of its own so that its work is not this process's. */
const FLOOD = `
const [url, mode] = process.argv.slice(1);
const b64 = (n) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("base64url");
let sent = 0;
let stopping = false;
process.on("message", () => { stopping = true; });
const one = async (i) => {
  while (!stopping) {
    const address = mode === "many" ? \`10.\${(sent >> 16) & 255}.\${(sent >> 8) & 255}.\${sent & 255}\` : "10.99.99.99";
    sent++;
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": address },
      body: JSON.stringify({ accountId: b64(16), publicKey: b64(32), accountCertificate: b64(200), deviceCertificate: b64(150) }),
    }).then((r) => r.arrayBuffer()).catch(() => undefined);
  }
};
const started = performance.now();
Promise.all(Array.from({ length: 32 }, (_, i) => one(i))).then(() => {
  process.send({ sent, seconds: (performance.now() - started) / 1000 }, () => process.exit(0));
});
`;

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

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bote-bench-inquiry-"));
  const bote = await startBote(join(dir, "server"), ["--trust-proxy"]);
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

  const samples = new Map<Shape, number[]>(SHAPES.map((s) => [s, []]));
  const floodRates = new Map<Shape, number[]>(SHAPES.map((s) => [s, []]));
  const loadBefore = loadavg()[0]!;
  for (let round = 0; round < ROUNDS; round++) {
    for (const shape of SHAPES) {
      const flood =
        shape === "none"
          ? undefined
          : track(
              spawn(
                process.execPath,
                [
                  "--input-type=module",
                  "-e",
                  FLOOD,
                  `${bote.url}/v1/contact-points/bench/guests`,
                  shape === "many addresses" ? "many" : "one",
                ],
                { stdio: ["ignore", "ignore", "inherit", "ipc"] },
              ),
            );
      if (flood !== undefined) await sleep(500); // the flood at full speed before the first probe
      for (let i = 0; i < PROBES; i++) samples.get(shape)!.push(await probe());
      if (flood !== undefined) {
        const done = new Promise<{ sent: number; seconds: number }>((resolve) => flood.once("message", resolve));
        flood.send("stop");
        const { sent, seconds } = await done;
        floodRates.get(shape)!.push(sent / seconds);
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
  console.log(
    `bench:inquiry — ${cpus().length} cores, load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}, ${ROUNDS} rounds × ${PROBES} probes`,
  );
  for (const shape of SHAPES) {
    const sorted = samples
      .get(shape)!
      .slice()
      .sort((a, b) => a - b);
    const rates = floodRates.get(shape)!;
    const rate =
      rates.length === 0 ? "" : `, flood ${Math.min(...rates).toFixed(0)}–${Math.max(...rates).toFixed(0)} req/s`;
    const ratio = shape === "none" ? "" : `, ratio to none ${(median(shape) / median("none")).toFixed(2)}`;
    console.log(
      `  ${shape.padEnd(15)} p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms${ratio}${rate}`,
    );
  }
  await anna.close();
  await bernd.close();
  await stop(bote.child);
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
