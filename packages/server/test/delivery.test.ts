/**
 * Delivery on a cluster does not hang on NATS: two nodes on one PostgreSQL
 * database and a private nats-server. Entries reach their open sockets in
 * per-mailbox (seq) order, and they keep reaching them while NATS is down,
 * after it is back, and when wakes are lost while it looks healthy, without
 * the sockets reconnecting.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { decodeServerFrame, unpadPayload } from "@bote/protocol";
import {
  createTestDatabase,
  natsServerSkipReason,
  startNatsServer,
  type NatsServer,
  type TestDatabase,
} from "@bote/testing";
import { CATCH_UP_WHILE_DOWN_MS, ServerSecrets } from "../src/index.js";
import { NatsBus } from "../src/nats.js";
import { postgresSkip, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";

const skip = postgresSkip ?? natsServerSkipReason() ?? false;
const text = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one receiving socket got: the payload text and entry id of each entry, in arrival order, with the time. */
interface Received {
  socket: TestSocket;
  words: string[];
  entryIds: bigint[];
  at: Map<string, number>;
}

/** Two nodes, four receiving devices (two sockets on each node) and two send-only sockets per node. */
class Cluster {
  nats!: NatsServer;
  database!: TestDatabase;
  nodes: TestServer[] = [];
  receivers: { device: TestDevice; received: Received }[] = [];
  senders: TestSocket[] = [];
  private readonly sockets: TestSocket[] = [];

  /** apart: each node on its own subject prefix, so no wake crosses while NATS is healthy. */
  constructor(private readonly options: { apart?: boolean; catchUpSweepMs?: number } = {}) {}

  async start(): Promise<void> {
    this.nats = await startNatsServer();
    this.database = await createTestDatabase();
    const secrets = ServerSecrets.generate();
    const prefix = `bote-test-${randomBytes(6).toString("hex")}`;
    for (let i = 0; i < 2; i++) {
      this.nodes.push(
        await startTestServer(
          "postgres",
          (config) => {
            // Nothing is acked: every entry stays in the store, where the test reads its seq afterwards.
            config.pushWindow = 100_000;
            config.sendsPerSecondPerSocket = 100_000;
          },
          {
            database: this.database,
            secrets,
            bus: await NatsBus.connect(this.nats.url, this.options.apart === true ? `${prefix}-${i}` : prefix, secrets),
            ...(this.options.catchUpSweepMs === undefined ? {} : { catchUpSweepMs: this.options.catchUpSweepMs }),
          },
        ),
      );
    }
    const [one, two] = this.nodes as [TestServer, TestServer];
    const admin = await TestDevice.join(one, one.adminInvitationToken, "Anna");
    await admin.login();
    for (let i = 0; i < 4; i++) {
      const device = await TestDevice.join(one, await admin.invite(`Empfänger ${i}`));
      await device.login();
      const socket = await device.connect(false, i % 2 === 0 ? one : two);
      this.sockets.push(socket);
      this.receivers.push({ device, received: listen(socket) });
    }
    for (const node of [one, one, two, two]) {
      const socket = await admin.connect(true, node);
      this.sockets.push(socket);
      this.senders.push(socket);
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) await s.close();
    for (const node of this.nodes) await node.close();
    await this.database?.drop();
    await this.nats?.stop();
  }

  /**
   * Each sender sends count messages over `lanes` sends in flight, round
   * robin over the receivers; resolves with the time each send was durable,
   * by its text.
   */
  async send(
    count: number,
    options: { lanes?: number; pauseMs?: number; until?: () => boolean } = {},
  ): Promise<Map<string, number>> {
    const { lanes = 1, pauseMs = 0, until = () => false } = options;
    const durable = new Map<string, number>();
    const streams = this.senders.flatMap((sender, s) => Array.from({ length: lanes }, (_, l) => ({ sender, s, l })));
    await Promise.all(
      streams.map(async ({ sender, s, l }) => {
        for (let i = l; i < count && !until(); i += lanes) {
          const receiver = this.receivers[(i + s) % this.receivers.length]!;
          const word = `${s}.${i}`;
          const result = await sender.send([receiver.device.address], text(word));
          assert.equal(result.errorCode, "", `send ${word}`);
          durable.set(word, Date.now());
          if (pauseMs > 0) await sleep(pauseMs);
        }
      }),
    );
    return durable;
  }

  /** Waits until every receiver holds what was sent to it, or the time is up; returns how many are missing. */
  async waitForAll(durable: Map<string, number>, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = [...durable.keys()].filter((word) => !this.receivers.some((r) => r.received.at.has(word)));
      if (missing.length === 0 || Date.now() > deadline) return missing.length;
      await sleep(50);
    }
  }

  /** Entries a socket got out of seq order, over all receivers (the seqs are read from the store). */
  async inversions(): Promise<number> {
    const client = new pg.Client({ connectionString: this.database.url });
    await client.connect();
    try {
      const rows = await client.query<{ id: string; seq: string }>("SELECT id, seq FROM entries");
      const seqOf = new Map(rows.rows.map((row) => [BigInt(row.id), Number(row.seq)]));
      let inversions = 0;
      for (const { received } of this.receivers) {
        let highest = 0;
        for (const id of received.entryIds) {
          const seq = seqOf.get(id);
          assert.notEqual(seq, undefined, "a delivered entry is in the store");
          if (seq! < highest) inversions++;
          highest = Math.max(highest, seq!);
        }
      }
      return inversions;
    } finally {
      await client.end();
    }
  }
}

function listen(socket: TestSocket): Received {
  const received: Received = { socket, words: [], entryIds: [], at: new Map() };
  socket.ws.on("message", (data: Buffer) => {
    const frame = decodeServerFrame(new Uint8Array(data));
    if (frame.case !== "deliver") return;
    for (const entry of frame.value.entries) {
      const word = new TextDecoder().decode(unpadPayload(entry.payload));
      received.words.push(word);
      received.entryIds.push(entry.entryId);
      if (!received.at.has(word)) received.at.set(word, Date.now());
    }
  });
  return received;
}

describe("per-mailbox order on two nodes", { skip }, () => {
  const cluster = new Cluster();
  before(() => cluster.start());
  after(() => cluster.stop());

  it("delivers 2,400 entries sent through both nodes in seq order, each once", async () => {
    const durable = await cluster.send(600, { lanes: 4 });
    assert.equal(durable.size, 2400);
    assert.equal(await cluster.waitForAll(durable, 10_000), 0, "every entry arrives");
    for (const { received } of cluster.receivers) {
      assert.equal(new Set(received.words).size, received.words.length, "no entry twice");
    }
    assert.equal(await cluster.inversions(), 0, "inversions");
  });
});

describe("a NATS outage on two nodes", { skip }, () => {
  const cluster = new Cluster();
  before(() => cluster.start());
  after(() => cluster.stop());

  it("keeps delivering while NATS is down and after it is back, in order, on the same sockets", async () => {
    let stopped = false;
    const sending = cluster.send(100_000, { pauseMs: 10, until: () => stopped });
    await sleep(1000);
    await cluster.nats.kill();
    await sleep(4000);
    await cluster.nats.start();
    // The clients reconnect after their wait (2 s); until then the nodes still count NATS as down.
    await sleep(3000);
    stopped = true;
    const durable = await sending;
    // The catch-up interval while NATS is down, and time for a read and a push on a busy machine.
    const bound = CATCH_UP_WHILE_DOWN_MS + 2000;
    const stranded = await cluster.waitForAll(durable, bound);
    assert.equal(stranded, 0, `stranded ${stranded} of ${durable.size}`);
    let late = 0;
    for (const { received } of cluster.receivers)
      for (const [word, at] of received.at) if (at - durable.get(word)! > bound) late++;
    assert.equal(late, 0, `entries later than ${bound} ms`);
    for (const { received } of cluster.receivers) {
      assert.equal(received.socket.closed, undefined, "the socket stayed open");
      assert.equal(new Set(received.words).size, received.words.length, "no entry twice");
    }
    assert.equal(await cluster.inversions(), 0, "inversions");
    for (const node of cluster.nodes) {
      assert.ok(
        node.logs.some((l) => l.includes("NATS connection lost")),
        "the node logs the drop",
      );
      assert.ok(
        node.logs.some((l) => l.includes("NATS connection back")),
        "and the return",
      );
    }
  });
});

describe("wakes lost while NATS looks healthy", { skip }, () => {
  const sweepMs = 1000;
  const cluster = new Cluster({ apart: true, catchUpSweepMs: sweepMs });
  before(() => cluster.start());
  after(() => cluster.stop());

  it("reach their sockets by the slow catch-up", async () => {
    const durable = await cluster.send(10);
    // A socket is read once its jittered period (at most 1.25 × sweepMs) is over, on the next tick of the node's timer.
    const bound = 1.25 * sweepMs + CATCH_UP_WHILE_DOWN_MS + 2000;
    const stranded = await cluster.waitForAll(durable, bound);
    assert.equal(stranded, 0, `stranded ${stranded} of ${durable.size}`);
    for (const { received } of cluster.receivers) assert.equal(received.socket.closed, undefined);
    assert.equal(await cluster.inversions(), 0, "inversions");
  });
});
