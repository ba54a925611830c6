/**
 * The outbox through drops (docs/PROTOCOL.md §4): a send whose SendResult
 * was lost goes out again under its message id and the relay stores it once;
 * queued sends reach the relay in the order they were written, wherever the
 * socket drops. In process, against MemoryRelay: the drop is forced after
 * every client frame of the scenario in turn.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { MemoryClientStore, type OutboxRecord } from "@bote/core";
import { encodeBase64url, RecipientSchema, unpadPayload } from "@bote/protocol";
import { Emitter, encodeSend, flushOutbox, Serial, sendInTurn, type ClientContext } from "@bote/client/connectionLayer";
import { MAILBOX, relayHarness, settle, withSeed, type Harness } from "./relayHarness.js";
import type { TestContext } from "node:test";

const PEER = new Uint8Array(16).fill(9);
const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b);

interface Scenario extends Harness {
  readonly ctx: ClientContext;
  readonly store: MemoryClientStore;
  /** Queues a send in the outbox, as sendContent does before it sends. */
  queue(payload: string): Promise<OutboxRecord>;
  /** The payloads the peer's mailbox holds, in the relay's order. */
  received(): string[];
  /** The entries the connection handed to processing, each time it did. */
  readonly processed: bigint[];
  /** What BoteClient does in the background: flush the outbox whenever the socket opens. */
  background: Promise<unknown>;
}

function scenario(t: TestContext, seed?: number): Scenario {
  const store = new MemoryClientStore();
  const processed: bigint[] = [];
  const h = relayHarness(t, {
    ...(seed === undefined ? {} : { seed }),
    onEntries: (entries) => {
      processed.push(...entries.map((e) => e.entryId));
      return Promise.resolve();
    },
    onState: (state) => {
      if (state === "open") s.background = s.background.then(() => flushOutbox(s.ctx)).catch(() => 0);
    },
  });
  const unused = () => {
    throw new Error("not part of the outbox layer");
  };
  const ctx = {
    store,
    connection: h.connection,
    serial: new Serial(),
    events: new Emitter(),
    now: h.clock.now,
    get session() {
      return unused();
    },
    get trust() {
      return unused();
    },
    queueLimitBytes: 0,
    onProposal: unused,
    onDelivered: unused,
    profile: unused,
    device: unused,
    organisation: unused,
    updateOrganisation: unused,
    keepOrganisationKey: unused,
  } as ClientContext;
  let created = 0;
  const s: Scenario = Object.assign(h, {
    ctx,
    processed,
    store,
    background: Promise.resolve<unknown>(undefined),
    async queue(payload: string) {
      const outbox: OutboxRecord = {
        outboxId: encodeBase64url(new Uint8Array(randomBytes(16))),
        conversationId: "c",
        messageId: undefined,
        send: encodeSend({
          recipients: [create(RecipientSchema, { mailboxId: PEER, capability: new Uint8Array(33).fill(1) })],
          payload: text(payload),
        }),
        createdAt: h.clock.now() + created++,
        attempts: 0,
      };
      await store.apply({ outboxPut: [outbox] });
      return outbox;
    },
    received: () => h.relay.mailbox(PEER).map((e) => untext(unpadPayload(e.payload)!)),
  });
  return s;
}

/** Lets reconnects happen until the outbox is empty (or gives up: the test then fails on what is left). */
async function untilSent(s: Scenario): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await s.background;
    await settle();
    await s.background;
    if ((await s.store.listOutbox()).length === 0 && s.connection.connectionState === "open") return;
    await s.clock.runNext();
  }
}

/**
 * Connects and sends "hello" while the relay stores it but keeps its
 * SendResult back (later ones it answers); `ended` says how the send ended.
 */
async function sendUnanswered(s: Scenario): Promise<{ ended: Promise<string | undefined> }> {
  await s.connection.start();
  await s.background;
  const outbox = await s.queue("hello");
  s.relay.holdSendResults = true;
  const ended = sendInTurn(s.ctx, outbox).then(
    () => "answered",
    (err: Error & { code?: string }) => err.code,
  );
  await settle();
  assert.equal(s.relay.stored.length, 1, "the relay stored it");
  s.relay.holdSendResults = false;
  return { ended };
}

/** Once a new socket took the outbox: the relay stored it once, sent once on each socket under one message id. */
async function assertSentAgainOnce(s: Scenario): Promise<void> {
  await untilSent(s);
  assert.deepEqual(await s.store.listOutbox(), []);
  assert.deepEqual(s.received(), ["hello"]);
  assert.deepEqual(
    s.relay.frames.filter((f) => f.body.case === "send").map((f) => f.socket),
    [1, 2],
  );
}

it("a send whose SendResult was lost is sent again after the reconnect and stored once", async (t) => {
  const s = scenario(t);
  await withSeed(s.seed, async () => {
    const { ended } = await sendUnanswered(s);
    s.relay.dropAll();
    assert.equal(await ended, "offline");
    assert.equal((await s.store.listOutbox()).length, 1, "still queued");
    await assertSentAgainOnce(s);
  });
});

it("a send left unanswered takes the socket for dead: a new one sends it again, and the relay stores it once", async (t) => {
  // A phone that changed networks: its socket looks open while no answer ever comes back.
  const s = scenario(t);
  await withSeed(s.seed, async () => {
    const { ended } = await sendUnanswered(s);
    await s.clock.advance(15_000);
    assert.equal(await ended, "timeout");
    await assertSentAgainOnce(s);
  });
});

/**
 * Two messages queued offline and one entry waiting for this device; after
 * the connect, a third message is written when the relay has taken client
 * frame `writeAt` (0: before the connect). The socket drops at frame
 * `dropAt`, before or after the relay handled it.
 */
async function dropScenario(t: TestContext, writeAt: number, drop?: { at: number; handled: boolean }) {
  const s = scenario(t);
  const incoming = s.relay.enqueue(MAILBOX, text("for me"));
  await s.queue("m1");
  await s.queue("m2");
  let written: Promise<unknown> | undefined;
  const write = () => {
    written ??= s.queue("m3").then((m3) => sendInTurn(s.ctx, m3).catch(() => undefined));
  };
  if (writeAt === 0) write();
  s.relay.afterFrame = (f) => {
    if (f.n === writeAt) write();
  };
  if (drop !== undefined) s.relay.dropAt(drop.at, drop.handled);
  await s.connection.start().catch(() => undefined);
  await untilSent(s);
  // Quiet before frame `writeAt` came (the drop cost none): the person writes now.
  write();
  await written;
  await untilSent(s);
  await s.connection.settled();
  await settle();
  return { s, incoming };
}

it("queued sends arrive once each and in order, wherever the socket drops and wherever a new one is written", async (t) => {
  const payloads = ["m1", "m2", "m3"];
  // A clean run counts the client frames the scenario takes: Hello, three Sends, one Ack.
  const clean = await dropScenario(t, 1);
  assert.deepEqual(clean.s.received(), payloads);
  const frames = clean.s.relay.frames.length;
  assert.equal(frames, 5, clean.s.relay.frames.map((f) => f.body.case).join());
  let runs = 0;
  for (let writeAt = 0; writeAt <= frames; writeAt++) {
    for (let at = 1; at <= frames; at++) {
      for (const handled of [false, true]) {
        const { s, incoming } = await dropScenario(t, writeAt, { at, handled });
        const where = `m3 written after frame ${writeAt}, drop at frame ${at} ${handled ? "after" : "before"} it was handled (TEST_SEED=${s.seed})`;
        assert.deepEqual(s.received(), payloads, where);
        assert.deepEqual(
          s.relay.stored.map((x) => untext(x.payload)),
          payloads,
          where,
        );
        assert.deepEqual(await s.store.listOutbox(), [], where);
        assert.equal(s.connection.connectionState, "open", where);
        assert.deepEqual(s.relay.mailbox(MAILBOX), [], `the entry for this device was acknowledged: ${where}`);
        assert.ok(s.processed.includes(incoming.entryId), where);
        s.connection.stop();
        runs++;
      }
    }
  }
  assert.equal(runs, (frames + 1) * frames * 2);
});

it("a message written while older ones are still being flushed after a reconnect goes out after them", async (t) => {
  const s = scenario(t);
  await withSeed(s.seed, async () => {
    await s.queue("m1");
    await s.queue("m2");
    // The flush after the reconnect sends m1 and waits for its result…
    s.relay.holdSendResults = true;
    await s.connection.start();
    await settle();
    assert.deepEqual(s.received(), ["m1"]);
    // …when the person writes m3 and the SDK sends it as sendContent does.
    const m3 = await s.queue("m3");
    const direct = sendInTurn(s.ctx, m3).catch(() => undefined);
    await settle();
    for (let i = 0; i < 5; i++) {
      s.relay.releaseSendResults();
      await settle();
    }
    s.relay.holdSendResults = false;
    await direct;
    await untilSent(s);
    assert.deepEqual(s.received(), ["m1", "m2", "m3"]);
  });
});

it("SendResults that come back out of order reach their own sends", async (t) => {
  const s = scenario(t);
  await withSeed(s.seed, async () => {
    await s.connection.start();
    await s.background;
    s.relay.holdSendResults = true;
    const sends = ["a", "b", "c"].map((p) =>
      s.connection.send({
        messageId: new Uint8Array(16).fill(p.charCodeAt(0)),
        recipients: [create(RecipientSchema, { mailboxId: PEER, capability: new Uint8Array(33).fill(1) })],
        payload: text(p),
      }),
    );
    await settle();
    s.relay.releaseSendResults([2, 0, 1]);
    const results = await Promise.all(sends);
    assert.deepEqual(
      results.map((r) => r.requestId),
      s.relay.frames
        .filter((f) => f.body.case === "send")
        .map((f) => (f.body.value as { requestId: number }).requestId),
    );
    // A second send of "b" under its id is a duplicate.
    s.relay.holdSendResults = false;
    const again = await s.connection.send({
      messageId: new Uint8Array(16).fill("b".charCodeAt(0)),
      recipients: [create(RecipientSchema, { mailboxId: PEER, capability: new Uint8Array(33).fill(1) })],
      payload: text("b"),
    });
    assert.equal(again.duplicate, true);
    assert.deepEqual(s.received(), ["a", "b", "c"]);
  });
});
