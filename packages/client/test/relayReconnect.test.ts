/**
 * How the SDK's relay connection comes back after a drop (docs/PROTOCOL.md
 * §3): exponential backoff with full jitter, reset by a HelloOk; 4401 renews
 * the session, 4403 ends it for good; `retryNow` skips a wait. In process,
 * against MemoryRelay on a fake clock with a seeded random source.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { ClientError } from "@bote/client";
import { seededRandom } from "@bote/testing";
import { MAILBOX, relayHarness, settle, withSeed, type Harness } from "./relayHarness.js";

const BASE_MS = 250;
const MAX_MS = 2_000;

/** The delays the connection must pick, drawn from the same seed. */
/** The backoff the same seed draws; a store fault (1013) waits from 1 s up to 30 s instead. */
function expectedDelays(seed: number, base = BASE_MS, max = MAX_MS) {
  const random = seededRandom(seed);
  let attempt = 0;
  return {
    next: () => Math.floor(random() * Math.min(max, base * 2 ** attempt++)),
    reset: () => (attempt = 0),
  };
}

async function failedStart(h: Harness): Promise<void> {
  await assert.rejects(h.connection.start(), (err) => err instanceof ClientError && err.code === "offline");
  await settle();
}

it("waits with full jitter under a ceiling that doubles up to 2 s, and starts over after a HelloOk", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    const delays = expectedDelays(h.seed);
    h.relay.down = true;
    await failedStart(h);
    while (h.relay.sockets.length < 10) await h.clock.runNext();
    const expected = h.clock.delays.map(() => delays.next());
    assert.deepEqual(h.clock.delays, expected);
    h.clock.delays.forEach((delay, attempt) => assert.ok(delay < Math.min(MAX_MS, BASE_MS * 2 ** attempt)));
    assert.equal(h.relay.sockets.length, h.clock.delays.length, "one socket per attempt, none in between");
    // The server is back: the next attempt gets through and the ceiling starts again at 250 ms.
    h.relay.down = false;
    await h.clock.runNext();
    assert.equal(h.connection.connectionState, "open");
    h.relay.dropAll();
    await settle();
    delays.reset();
    assert.equal(h.clock.delays.at(-1), delays.next());
    assert.ok(h.clock.delays.at(-1)! < BASE_MS);
  });
});

it("renews the session after 4401 and connects with the new token, without failing the caller", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    h.relay.refuseHello(4401);
    const started = h.connection.start();
    await settle();
    assert.equal(h.connection.connectionState, "waiting");
    await h.clock.runNext();
    await started;
    assert.deepEqual(h.tokenRequests, [false, true]);
    assert.equal(h.connection.connectionState, "open");
    // A session that ends while the socket is open: the server closes with 4401, the client logs in again.
    h.relay.endSession("token-1");
    h.relay.refuseHello(4401);
    h.relay.dropAll(4401);
    await settle();
    await h.clock.runNext();
    await h.clock.runNext();
    assert.equal(h.connection.connectionState, "open");
    assert.deepEqual(h.tokenRequests, [false, true, true, true]);
  });
});

it("stops for good after 4403: no timer, no further socket, the revocation is told once", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    h.relay.refuseHello(4403);
    await failedStart(h);
    assert.equal(h.connection.connectionState, "closed");
    assert.equal(h.revoked, 1);
    assert.deepEqual(h.clock.pending(), []);
    await h.clock.advance(60_000);
    assert.equal(h.relay.sockets.length, 1);
    // Revoked while connected: the same.
    const again = relayHarness(t);
    await again.connection.start();
    again.relay.dropAll(4403);
    await settle();
    assert.equal(again.connection.connectionState, "closed");
    assert.equal(again.revoked, 1);
    assert.deepEqual(again.clock.pending(), []);
  });
});

it("tells the caller about 1013 (try again later), backs off longer, and gets through on a later attempt", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    h.relay.refuseHello(1013, 1013);
    await failedStart(h);
    assert.equal(h.connection.connectionState, "waiting");
    while (h.relay.sockets.length < 3) await h.clock.runNext();
    assert.equal(h.connection.connectionState, "open");
    const delays = expectedDelays(h.seed, 1_000, 30_000);
    assert.deepEqual(
      h.clock.delays,
      [delays.next(), delays.next()],
      "a store fault waits under the longer ceiling, doubled after the second refusal",
    );
    assert.deepEqual(h.tokenRequests, [false, false, false], "1013 is not a reason to log in again");
  });
});

it("retryNow ends a wait at once, cancels its timer and resets the backoff", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    h.relay.down = true;
    await failedStart(h);
    while (h.relay.sockets.length < 6) await h.clock.runNext();
    const sockets = h.relay.sockets.length;
    assert.equal(h.clock.pending().length, 1, "a reconnect waits");
    h.relay.down = false;
    h.connection.retryNow();
    await settle();
    assert.equal(h.connection.connectionState, "open");
    assert.deepEqual(h.clock.pending(), [], "the cancelled wait does not connect a second time");
    assert.equal(h.relay.sockets.length, sockets + 1);
    // Not waiting: retryNow does nothing.
    h.connection.retryNow();
    await settle();
    assert.equal(h.relay.sockets.length, sockets + 1);
    h.relay.dropAll();
    await settle();
    assert.ok(h.clock.delays.at(-1)! < BASE_MS, "the backoff starts over");
  });
});

it("a stop followed at once by a start keeps one socket: the old socket's late close event is not the new one's", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    await h.connection.start();
    h.connection.stop();
    await h.connection.start();
    await settle();
    for (let i = 0; i < 5 && (await h.clock.runNext()); i++) await settle();
    assert.equal(h.connection.connectionState, "open");
    assert.deepEqual(
      h.relay.sockets.map((s) => s.open),
      [false, true],
      "the first socket closed, one open",
    );
    assert.deepEqual(h.clock.pending(), [], "no reconnect waiting");
  });
});

it("a stop and a start while the session token is still on its way open one socket, not two", async (t) => {
  const h = relayHarness(t);
  await withSeed(h.seed, async () => {
    const first = assert.rejects(h.connection.start(), (err) => err instanceof ClientError && err.code === "offline");
    h.connection.stop();
    const second = h.connection.start();
    await first;
    await second;
    await settle();
    for (let i = 0; i < 5 && (await h.clock.runNext()); i++) await settle();
    assert.equal(h.connection.connectionState, "open");
    assert.equal(h.relay.sockets.length, 1);
  });
});

it("asks a quiet socket with a Ping, keeps it while it answers, and replaces it once it stays silent", async (t) => {
  const h = relayHarness(t, { quietMs: 25_000 });
  await withSeed(h.seed, async () => {
    await h.connection.start();
    await settle();
    const pings = () => h.relay.frames.filter((f) => f.body.case === "ping");
    // Ten quiet minutes on a live socket: a Ping now and then, each answered; the socket stays.
    await h.clock.advance(10 * 60_000);
    assert.equal(h.connection.connectionState, "open");
    assert.deepEqual(new Set(h.relay.frames.map((f) => f.socket)), new Set([1]));
    assert.ok(pings().length >= 15 && pings().length <= 24, `${pings().length} pings in ten minutes`);
    // The network changed under the phone: the socket looks open, and nothing comes back.
    h.relay.silent = true;
    await h.clock.advance(25_000 + 10_000);
    assert.notEqual(h.connection.connectionState, "open", "given up after a Ping went unanswered");
    // Still silent: a new socket whose Hello goes unanswered is given up too, and the next tried.
    const socketsBefore = h.relay.sockets.length;
    await h.clock.advance(20_000);
    assert.ok(h.relay.sockets.length > socketsBefore, "the silent Hello was given up");
    h.relay.silent = false;
    const waiting = h.relay.enqueue(MAILBOX, new TextEncoder().encode("in the meantime"));
    for (let i = 0; i < 10 && h.connection.connectionState !== "open"; i++) await h.clock.runNext();
    await h.connection.settled();
    assert.equal(h.connection.connectionState, "open");
    assert.ok(
      h.relay.frames.some((f) => f.socket > 2 && f.body.case === "hello"),
      "a new socket",
    );
    assert.ok(
      h.relay.frames.some(
        (f) => f.socket > 2 && f.body.case === "ack" && f.body.value.entryIds.includes(waiting.entryId),
      ),
      "it got what waited",
    );
  });
});
