/**
 * One address (IPv6: one /64) holds only so many sockets, sockets that have
 * not finished their Hello are capped across all addresses, and a Hello that
 * does not come within the timeout closes the socket — even when the peer
 * never answers the close. Refused upgrades get the registry's JSON error.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestSocket, UpgradeRefused, http } from "./support/device.js";

interface Opened {
  socket?: TestSocket;
  refused?: { status: number; code: string };
}

/** Opens one socket, or reports the refusal's status and error code. */
async function openRaw(url: string, headers: Record<string, string> = {}): Promise<Opened> {
  try {
    return { socket: await TestSocket.open(url, headers) };
  } catch (error) {
    if (!(error instanceof UpgradeRefused)) throw error;
    return { refused: { status: error.status, code: error.code } };
  }
}

describeEachBackend("connection caps", (backend) => {
  let s: TestServer;
  let proxied: TestServer;
  let idle: TestServer;
  const sockets: TestSocket[] = [];

  before(async () => {
    s = await startTestServer(backend, (c) => {
      c.maxSocketsPerAddress = 20;
      c.helloTimeoutMs = 800;
    });
    proxied = await startTestServer(backend, (c) => {
      c.trustProxy = true;
      c.maxSocketsPerAddress = 2;
    });
    idle = await startTestServer(backend, (c) => {
      c.maxSocketsAwaitingHello = 10;
    });
  });
  after(async () => {
    await Promise.all(sockets.map((x) => x.close()));
    await s?.close();
    await proxied?.close();
    await idle?.close();
  });

  async function openMany(url: string, count: number, headers: Record<string, string> = {}): Promise<Opened[]> {
    const results: Opened[] = [];
    // Sequential: which sockets win is then certain, and each one holds its place while the next asks.
    for (let i = 0; i < count; i++) {
      const r = await openRaw(url, headers);
      if (r.socket !== undefined) sockets.push(r.socket);
      results.push(r);
    }
    return results;
  }

  it("refuses every socket beyond the per-address cap with 429, and /healthz stays fast", async () => {
    const results = await openMany(s.wsUrl, 60);
    const opened = results.filter((r) => r.socket !== undefined);
    const refused = results.filter((r) => r.refused !== undefined);
    assert.equal(opened.length, 20);
    assert.equal(refused.length, 40);
    for (const r of refused) assert.deepEqual(r.refused, { status: 429, code: "rate_limited" });
    const started = Date.now();
    const health = await http(s, "GET", "/healthz");
    assert.equal(health.status, 200);
    assert.ok(Date.now() - started < 500, "healthz was slow");
    // None sent a Hello: all close with hello_required after the timeout, and give their places back.
    for (const r of opened) {
      const socket = r.socket!;
      const error = await socket.next((f) => f.case === "error", 3000);
      assert.equal(error.case === "error" && error.value.code, "hello_required");
    }
    const again = await openRaw(s.wsUrl);
    assert.ok(again.socket !== undefined, "the cap did not give places back");
    sockets.push(again.socket);
  });

  it("cuts a socket that never sends its Hello nor answers the close", async () => {
    const port = new URL(s.url).port;
    const raw = connect(Number(port), "127.0.0.1");
    await new Promise<void>((resolve) => raw.once("connect", resolve));
    raw.write(
      "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    // Reads nothing back and never answers a close frame: only the server can end this.
    const started = Date.now();
    let received = "";
    const ended = await new Promise<number>((resolve) => {
      raw.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
      raw.once("close", () => resolve(Date.now() - started));
      setTimeout(() => resolve(Infinity), 5000);
    });
    raw.destroy();
    assert.match(received, /^HTTP\/1\.1 101 /);
    assert.ok(ended >= 700, `closed before the Hello timeout (${ended} ms)`);
    assert.ok(ended < 800 + 2000, `the silent socket stayed ${ended} ms`);
  });

  it("counts IPv6 addresses per /64 and IPv4 exactly", async () => {
    const a = await openMany(proxied.wsUrl, 2, { "x-forwarded-for": "2001:db8:1:2::a" });
    assert.ok(a.every((r) => r.socket !== undefined));
    const sameNet = await openRaw(proxied.wsUrl, { "x-forwarded-for": "2001:db8:1:2:ffff::b" });
    assert.deepEqual(sameNet.refused, { status: 429, code: "rate_limited" });
    const otherNet = await openRaw(proxied.wsUrl, { "x-forwarded-for": "2001:db8:1:3::a" });
    assert.ok(otherNet.socket !== undefined, "another /64 was refused");
    sockets.push(otherNet.socket);
    await openMany(proxied.wsUrl, 2, { "x-forwarded-for": "198.51.100.7" });
    const mapped = await openRaw(proxied.wsUrl, { "x-forwarded-for": "::ffff:198.51.100.7" });
    assert.deepEqual(mapped.refused, { status: 429, code: "rate_limited" });
    const neighbour = await openRaw(proxied.wsUrl, { "x-forwarded-for": "198.51.100.8" });
    assert.ok(neighbour.socket !== undefined, "another IPv4 address was refused");
    sockets.push(neighbour.socket);
  });

  it("refuses sockets beyond the cap on unfinished Hellos with 503, and admits again after a Hello", async () => {
    const waiting = await openMany(idle.wsUrl, 10);
    assert.ok(waiting.every((r) => r.socket !== undefined));
    const refused = await openRaw(idle.wsUrl);
    assert.deepEqual(refused.refused, { status: 503, code: "unavailable" });
    const hello = await waiting[0]!.socket!.hello("");
    assert.equal(hello.case, "helloOk");
    const admitted = await openRaw(idle.wsUrl);
    assert.ok(admitted.socket !== undefined, "a finished Hello did not free a place");
    sockets.push(admitted.socket);
  });
});
