/**
 * Public routes are limited per address bucket (IPv4 exact, IPv6 per /64,
 * IPv4-mapped IPv6 as its IPv4) and, across all addresses, per route; and a
 * state-changing request from a foreign browser Origin is refused.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ID_BYTES, encodeBase64url, type ErrorBody } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { http } from "./support/device.js";
import { addressBucket } from "../src/http/clientAddress.js";

const challengeBody = () => ({ deviceId: encodeBase64url(randomBytes(ID_BYTES)) });

function challenge(s: TestServer, headers: Record<string, string>) {
  return http(s, "POST", "/v1/login/challenge", { body: challengeBody(), headers });
}

const from = (address: string) => ({ "x-forwarded-for": address });

function assertRefused(res: { status: number; body: unknown }, status: number, code: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
}

describe("address buckets", () => {
  it("keeps IPv4 exact, takes IPv6 by its /64 and a mapped IPv4 as itself", () => {
    assert.equal(addressBucket("198.51.100.7"), "198.51.100.7");
    assert.equal(addressBucket("2001:db8:1:2::a"), addressBucket("2001:DB8:1:2:ffff:ffff:ffff:ffff"));
    assert.equal(addressBucket("2001:db8:1:2::a"), "2001:db8:1:2::/64");
    assert.notEqual(addressBucket("2001:db8:1:2::a"), addressBucket("2001:db8:1:3::a"));
    assert.equal(addressBucket("::ffff:198.51.100.7"), "198.51.100.7");
    assert.equal(addressBucket("::ffff:c633:6407"), "198.51.100.7");
    assert.equal(addressBucket("::1"), "0:0:0:0::/64");
    assert.equal(addressBucket("fe80::1%eth0"), "fe80:0:0:0::/64");
  });
});

describeEachBackend("edge limits", (backend) => {
  let s: TestServer;
  let crowded: TestServer;

  before(async () => {
    s = await startTestServer(backend, (c) => {
      c.trustProxy = true;
      c.rateLimits.publicPerMinute = 3;
    });
    crowded = await startTestServer(backend, (c) => {
      c.trustProxy = true;
      c.rateLimits.publicPerMinute = 3;
      c.rateLimits.publicGlobalPerMinute = 10;
    });
  });
  after(async () => {
    await s?.close();
    await crowded?.close();
  });

  it("shares one bucket within an IPv6 /64 and keeps /64s apart", async () => {
    for (let i = 1; i <= 3; i++) assert.equal((await challenge(s, from(`2001:db8:aa:1::${i}`))).status, 200);
    assertRefused(await challenge(s, from("2001:db8:aa:1:ffff::9")), 429, "rate_limited");
    assert.equal((await challenge(s, from("2001:db8:aa:2::1"))).status, 200);
  });

  it("counts an IPv4-mapped IPv6 address as its IPv4 address", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await challenge(s, from("203.0.113.5"))).status, 200);
    assertRefused(await challenge(s, from("::ffff:203.0.113.5")), 429, "rate_limited");
    assert.equal((await challenge(s, from("203.0.113.6"))).status, 200);
  });

  it("refuses a public route once all addresses together exceed its global cap, other routes unaffected", async () => {
    const answers = [];
    for (let i = 1; i <= 12; i++) answers.push(await challenge(crowded, from(`192.0.2.${i}`)));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 429, 429],
    );
    assertRefused(answers[11]!, 429, "rate_limited");
    // Another public route keeps its own global count.
    const redeem = await http(crowded, "POST", "/v1/invitations/redeem", { body: {}, headers: from("192.0.2.99") });
    assertRefused(redeem, 400, "bad_request");
    assert.equal((await http(crowded, "GET", "/healthz")).status, 200);
  });

  it("refuses a state-changing request from a foreign Origin with 403 and lets same-origin and Origin-less ones pass", async () => {
    const foreign = await challenge(s, { ...from("198.18.0.1"), origin: "https://evil.example" });
    assertRefused(foreign, 403, "origin_forbidden");
    const logout = await http(s, "POST", "/v1/logout", { headers: { origin: "https://evil.example" } });
    assertRefused(logout, 403, "origin_forbidden");
    // The test servers' public URL is http://127.0.0.1:8080.
    const same = await challenge(s, { ...from("198.18.0.2"), origin: "http://127.0.0.1:8080" });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.equal((await challenge(s, from("198.18.0.3"))).status, 200);
    // Reading is not refused: a foreign page cannot read the answer anyway.
    const health = await http(s, "GET", "/healthz", { headers: { origin: "https://evil.example" } });
    assert.equal(health.status, 200);
  });
});
