/**
 * A socket lives no longer than the session that opened it: logout closes it
 * at once (on every node, through the bus), expiry within a second (the
 * node's deadline tick), and no socket outlives the hard lifetime cap. Each closes
 * with a fatal unauthenticated frame and 4401, so the SDK renews and reconnects.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createTestDatabase, natsSkipReason, natsUrl, type TestDatabase } from "@bote/testing";
import { ServerSecrets } from "../src/index.js";
import { NatsBus } from "../src/nats.js";
import { describeEachBackend, postgresSkip, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type TestSocket } from "./support/device.js";

/** Waits until the socket is closed, at most timeoutMs; returns how long that took. */
async function closedWithin(socket: TestSocket, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (socket.closed === undefined && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 10));
  return Date.now() - started;
}

function assertUnauthenticatedClose(socket: TestSocket): void {
  const error = socket.frames.find((f) => f.case === "error");
  assert.ok(error?.case === "error", "an error frame before the close");
  assert.equal(error.value.code, "unauthenticated");
  assert.equal(error.value.fatal, true);
  assert.equal(socket.closed?.code, 4401);
}

describeEachBackend("sockets end with their session", (backend) => {
  let s: TestServer;
  let expiring: TestServer;
  let capped: TestServer;
  let short: TestServer;
  /** Added to the wall clock of the `expiring` server. */
  let offset = 0;
  const sockets: TestSocket[] = [];

  before(async () => {
    // The periodic session check stays at its default (a minute): a close within a second is the bus's doing.
    s = await startTestServer(backend);
    expiring = await startTestServer(backend, (c) => (c.sessionCheckIntervalMs = 100), {
      now: () => Date.now() + offset,
    });
    capped = await startTestServer(backend, (c) => (c.socketMaxLifetimeMs = 1500));
    // Short sessions, two per device, and the periodic check at its default: only the exact timer or the bus closes.
    short = await startTestServer(backend, (c) => {
      c.sessionTtlMs = 1500;
      c.maxSessionsPerDevice = 2;
    });
  });
  after(async () => {
    await Promise.all(sockets.map((x) => x.close()));
    await s?.close();
    await expiring?.close();
    await capped?.close();
    await short?.close();
  });

  async function connect(device: TestDevice, anonymous = false): Promise<TestSocket> {
    const socket = await device.connect(anonymous);
    sockets.push(socket);
    return socket;
  }

  it("closes the sockets of a session within a second of its logout, and only those", async () => {
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    const first = await admin.login();
    const ofFirst = await connect(admin);
    await admin.login();
    const ofSecond = await connect(admin);
    const out = await http(s, "POST", "/v1/logout", { token: first });
    assert.equal(out.status, 204);
    assert.ok((await closedWithin(ofFirst, 1000)) < 1000, "the logged-out session's socket is still open");
    assertUnauthenticatedClose(ofFirst);
    // The other session's socket still answers.
    ofSecond.sendFrame({ case: "ping", value: { $typeName: "bote.v1.Ping", nonce: 7n } });
    const pong = await ofSecond.next((f) => f.case === "pong", 1000);
    assert.equal(pong.case === "pong" && pong.value.nonce, 7n);
    assert.equal(ofSecond.closed, undefined);
  });

  it("closes a socket when its session expires", async () => {
    const admin = await TestDevice.join(expiring, expiring.adminInvitationToken, "Anna");
    await admin.login();
    const socket = await connect(admin);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(socket.closed, undefined, "closed before the session expired");
    offset += 60 * 60_000 + 1;
    assert.ok((await closedWithin(socket, 1000)) < 1000, "the expired session's socket is still open");
    assertUnauthenticatedClose(socket);
  });

  let shortAdmin: TestDevice;

  it("closes a socket at the moment its session expires, not at the next check", async () => {
    const admin = await TestDevice.join(short, short.adminInvitationToken, "Anna");
    shortAdmin = admin;
    await admin.login();
    const started = Date.now();
    const socket = await connect(admin);
    await closedWithin(socket, 4000);
    const lived = Date.now() - started;
    // SocketDeadlines ticks once a second: up to a second late, never the next session check (60 s).
    assert.ok(lived >= 1000 && lived < 3500, `the socket lived ${lived} ms on a 1,500 ms session`);
    assertUnauthenticatedClose(socket);
  });

  it("closes the sockets of a session that a newer login pushed beyond the cap of sessions", async () => {
    const admin = shortAdmin;
    await admin.login();
    const oldest = await connect(admin);
    await admin.login();
    const second = await connect(admin);
    await admin.login();
    assert.ok((await closedWithin(oldest, 1000)) < 1000, "the dropped session's socket is still open");
    assertUnauthenticatedClose(oldest);
    assert.equal(second.closed, undefined, "a session within the cap lost its socket");
  });

  it("closes any socket at the lifetime cap with 4401, so the client renews and reconnects", async () => {
    const admin = await TestDevice.join(capped, capped.adminInvitationToken, "Anna");
    await admin.login();
    const receiving = await connect(admin);
    const sending = await connect(admin, true);
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(receiving.closed, undefined, "closed long before the cap");
    // Closed by the node's deadline tick, once a second.
    assert.ok((await closedWithin(receiving, 3000)) < 3000, "the socket outlived the cap");
    await closedWithin(sending, 500);
    assertUnauthenticatedClose(receiving);
    assertUnauthenticatedClose(sending);
  });
});

const natsSkip = await natsSkipReason();

describe(
  "a logout on one node closes the session's socket on the other",
  { skip: postgresSkip ?? natsSkip ?? false },
  () => {
    let database: TestDatabase;
    let one: TestServer;
    let two: TestServer;

    before(async () => {
      database = await createTestDatabase();
      const secrets = ServerSecrets.generate();
      const prefix = `bote-test-${randomBytes(6).toString("hex")}`;
      one = await startTestServer("postgres", undefined, {
        database,
        secrets,
        bus: await NatsBus.connect(natsUrl, prefix, secrets),
      });
      two = await startTestServer("postgres", undefined, {
        database,
        secrets,
        bus: await NatsBus.connect(natsUrl, prefix, secrets),
      });
    });
    after(async () => {
      await one?.close();
      await two?.close();
      await database?.drop();
    });

    it("closes it within a second", async () => {
      const admin = await TestDevice.join(one, one.adminInvitationToken, "Anna");
      await admin.login();
      const onTwo = await admin.connect(false, two);
      try {
        const out = await admin.call("POST", "/v1/logout");
        assert.equal(out.status, 204);
        assert.ok((await closedWithin(onTwo, 1000)) < 1000, "the socket on the other node is still open");
        assertUnauthenticatedClose(onTwo);
      } finally {
        await onTwo.close();
      }
    });
  },
);

describe("the deadlines of many sockets", () => {
  let s: TestServer;
  const sockets: TestSocket[] = [];
  before(async () => (s = await startTestServer("sqlite")));
  after(async () => {
    await Promise.all(sockets.map((x) => x.close()));
    await s?.close();
  });

  // Idle memory (docs/BENCHMARKS.md): a timer per socket and deadline held ~1 KB each.
  it("hold no timer per authenticated socket", async () => {
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    for (let i = 0; i < 20; i++) sockets.push(await admin.connect(i % 2 === 0));
    // The client's own sockets hold no timers; a few may belong to the store or the test's waits.
    const held = timers() - before;
    assert.ok(held < 5, `20 open sockets hold ${held} more timers`);
  });
});
