/**
 * Crash tests: 20 devices send 5,000 messages in total while `bote serve`
 * is killed with SIGKILL every few seconds and started again on the same
 * data and port — a single SQLite node, then two nodes on PostgreSQL and
 * NATS, killed one at a time while the other keeps serving. Every message
 * the server acknowledged (SendResult ok) must arrive, be shown once, and
 * each mailbox must show its messages in the order the server stored them:
 * a message sent after another one to the same mailbox was acknowledged
 * (whoever sent them, through whichever node) is shown after it.
 *
 * The devices speak the wire protocol directly (test/support/crashTraffic.ts)
 * rather than through the SDK's BoteClient: on this 2-core machine 5,000
 * MLS encryptions and decryptions plus the SDK's store writes would take
 * most of the time budget of the whole file, leaving too few kills per run,
 * and the SDK's outbox retries on its own, which hides the one fact this
 * test is about: which sends the server acknowledged before it died. The
 * devices do what the SDK does where it matters here — retry an unanswered
 * send with the same message id, store before acknowledging an entry,
 * dedupe by message id. The SDK across nodes is tested in the CLI's
 * cluster test (packages/cli/test/cluster.test.ts).
 *
 * Randomness (recipients, kill intervals) is seeded; a failing run prints
 * its seed, and BOTE_CRASH_SEED repeats it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, freePort, natsSkipReason, natsUrl, postgresSkipReason } from "@bote/testing";
import { createIdentities } from "../src/relay/accounts.js";
import { BoteNode, type Backing } from "../src/cluster/nodes.js";
import { killAll } from "../src/relay/processes.js";
import { CrashDevice, allArrived, check, seeded, type Acknowledged } from "./support/crashTraffic.js";

const DEVICES = 20;
const MESSAGES = 5000;
/** Each device sends one message per interval (if the last one was acknowledged by then): 200 sends/s in all. */
const SEND_INTERVAL_MS = 100;
// The pause starts once the last victim is back, which takes a second or more: a kill every 2.5–5 s in all.
const KILL_EVERY_MS: readonly [number, number] = [1500, 3000];
const ARRIVAL_TIMEOUT_MS = 20_000;
/** A guard against a hang, not a speed limit: a run takes well under a minute on an idle 2-core machine. */
const TEST_TIMEOUT_MS = 300_000;
const SEED = Number(process.env.BOTE_CRASH_SEED ?? 20261204);

const clusterSkip = (await postgresSkipReason()) ?? (await natsSkipReason()) ?? false;

process.on("exit", killAll);

interface Run {
  acknowledged: Acknowledged[];
  kills: number;
  seconds: number;
}

/** Sends MESSAGES while killing the nodes in turn; resolves once every device has sent its share. */
async function sendUnderCrashes(nodes: readonly BoteNode[], devices: readonly CrashDevice[]): Promise<Run> {
  const acknowledged: Acknowledged[] = [];
  const started = performance.now();
  const stopKilling = new AbortController();
  const random = seeded(SEED);
  const killer = (async () => {
    for (let turn = 0; ; turn++) {
      const pause = KILL_EVERY_MS[0] + random() * (KILL_EVERY_MS[1] - KILL_EVERY_MS[0]);
      try {
        await sleep(pause, undefined, { signal: stopKilling.signal });
      } catch {
        return;
      }
      // One node at a time: it is back before the next one dies.
      const node = nodes[turn % nodes.length]!;
      await node.kill();
      await node.start();
    }
  })();
  const perDevice = MESSAGES / DEVICES;
  try {
    await Promise.all(
      devices.map(async (device) => {
        const pick = seeded(SEED + 1 + device.index);
        for (let seq = 0; seq < perDevice; seq++) {
          const wait = started + seq * SEND_INTERVAL_MS - performance.now();
          if (wait > 0) await sleep(wait);
          let to = Math.floor(pick() * (devices.length - 1));
          if (to >= device.index) to++;
          acknowledged.push(await device.send(devices[to]!, seq));
        }
      }),
    );
  } finally {
    stopKilling.abort();
    await killer;
  }
  const kills = nodes.reduce((sum, n) => sum + n.kills, 0);
  return { acknowledged, kills, seconds: (performance.now() - started) / 1000 };
}

async function assertDelivered(devices: readonly CrashDevice[], run: Run): Promise<void> {
  const waitStarted = performance.now();
  while (!allArrived(devices, run.acknowledged) && performance.now() - waitStarted < ARRIVAL_TIMEOUT_MS)
    await sleep(100);
  const findings = check(devices, run.acknowledged);
  const sum = (f: (d: CrashDevice) => number) => devices.reduce((s, d) => s + f(d), 0);
  console.log(
    `# seed ${SEED}: ${run.acknowledged.length} acknowledged in ${run.seconds.toFixed(1)} s, ${run.kills} kills, ` +
      `${sum((d) => d.retries)} sends retried, ${sum((d) => d.reconnects - 1)} reconnects, ` +
      `${sum((d) => d.inbox.redelivered)} entries delivered again (deduped); ` +
      `the last arrived ${((performance.now() - waitStarted) / 1000).toFixed(1)} s after the last send`,
  );
  const show = (list: string[]) => `${list.length}: ${list.slice(0, 5).join("; ")} (seed ${SEED})`;
  assert.equal(run.acknowledged.length, MESSAGES);
  assert.ok(run.kills >= 3, `only ${run.kills} kills: the run was too short to prove anything`);
  assert.equal(findings.lost.length, 0, `acknowledged but never delivered ${show(findings.lost)}`);
  assert.equal(findings.storedTwice.length, 0, `stored twice ${show(findings.storedTwice)}`);
  assert.equal(findings.reordered.length, 0, `shown out of order ${show(findings.reordered)}`);
  assert.equal(findings.mailboxOrder.length, 0, `a mailbox shown out of order ${show(findings.mailboxOrder)}`);
}

async function enrol(first: BoteNode, nodes: readonly BoteNode[]): Promise<CrashDevice[]> {
  const identities = await createIdentities(first.url, await first.adminInvitationToken(), DEVICES, 5);
  // Each device has a home node and moves to the next one while its own is down, as behind a load balancer.
  return identities.map((identity, i) => {
    const urls = nodes.map((_, k) => nodes[(i + k) % nodes.length]!.wsUrl);
    return new CrashDevice(i, identity, urls);
  });
}

describe("crashes under load", () => {
  it("the check sees a lost, a doubled and a reordered message", () => {
    const identity = { token: "", mailboxId: new Uint8Array(16), capability: new Uint8Array(32) };
    const devices = [0, 1, 2].map((i) => new CrashDevice(i, identity, []));
    const entry = (entryId: bigint, a: Acknowledged) => {
      const payload = new Uint8Array(16 + 6 + 1);
      payload.set(Buffer.from(a.id, "hex"));
      new DataView(payload.buffer).setUint16(16, a.from);
      new DataView(payload.buffer).setUint32(18, a.seq);
      payload[22] = 0x80; // the padding's end mark
      return { $typeName: "bote.v1.Entry" as const, entryId, mailboxId: new Uint8Array(16), payload };
    };
    const ack = (id: number, from: number, seq: number, sentAt: number): Acknowledged => ({
      id: id.toString(16).padStart(32, "0"),
      from,
      to: 2,
      seq,
      sentAt,
      ackedAt: sentAt + 5,
    });
    // 1 (acknowledged at 15) is shown after 2, which was sent only at 20: the mailbox is out of order.
    const older = ack(1, 0, 0, 10);
    const newer = ack(2, 1, 0, 20);
    const doubled = ack(3, 0, 1, 30);
    const lost = ack(4, 1, 1, 40);
    devices[2]!.inbox.take([entry(7n, newer), entry(5n, older), entry(8n, doubled), entry(9n, doubled)]);
    const findings = check(devices, [older, newer, doubled, lost]);
    assert.deepEqual(findings.lost, ["1→2 #1"]);
    assert.equal(findings.storedTwice.length, 1);
    assert.equal(findings.mailboxOrder.length, 1);
    assert.match(findings.mailboxOrder[0]!, /^device 2: 0#0 /);
  });

  it(
    "loses and duplicates nothing when a SQLite node is killed every few seconds",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const root = mkdtempSync(join(tmpdir(), "bote-crash-"));
      const node = new BoteNode("sqlite", join(root, "data"), await freePort(), { kind: "sqlite", sqliteSync: "full" });
      let devices: CrashDevice[] = [];
      try {
        await node.start();
        devices = await enrol(node, [node]);
        await Promise.all(devices.map((d) => d.open()));
        const run = await sendUnderCrashes([node], devices);
        await assertDelivered(devices, run);
      } finally {
        for (const d of devices) d.close();
        await node.stop();
        rmSync(root, { recursive: true, force: true });
      }
    },
  );

  it(
    "loses and duplicates nothing when two PostgreSQL nodes with NATS are killed in turn",
    { skip: clusterSkip, timeout: TEST_TIMEOUT_MS },
    async () => {
      const root = mkdtempSync(join(tmpdir(), "bote-crash-"));
      const database = await createTestDatabase();
      mkdirSync(join(root, "shared"));
      const backing: Backing = {
        kind: "postgres",
        databaseUrl: database.url,
        // A fresh subject prefix, so that parallel runs on one NATS server stay apart.
        nats: { url: natsUrl, prefix: `bote-crash-${randomBytes(6).toString("hex")}` },
        secretsFile: join(root, "shared", "server-secrets.json"),
      };
      const nodes = [
        new BoteNode("one", join(root, "one"), await freePort(), backing),
        new BoteNode("two", join(root, "two"), await freePort(), backing),
      ];
      let devices: CrashDevice[] = [];
      try {
        // The first node makes the organisation; the second starts once it exists (docs/OPERATIONS.md).
        await nodes[0]!.start();
        devices = await enrol(nodes[0]!, nodes);
        await nodes[1]!.start();
        await Promise.all(devices.map((d) => d.open()));
        const run = await sendUnderCrashes(nodes, devices);
        await assertDelivered(devices, run);
      } finally {
        for (const d of devices) d.close();
        for (const n of nodes) await n.stop();
        await database.drop();
        rmSync(root, { recursive: true, force: true });
      }
    },
  );
});
