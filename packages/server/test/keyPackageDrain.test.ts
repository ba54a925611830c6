/**
 * Adversary 5 of docs/THREAT-MODEL.md: an insider drains a colleague's
 * one-time key packages. Fetches are limited per requesting account (a new
 * login buys nothing) and one-time packages per target device (many
 * requesters together cannot drain one colleague); sessions per device are capped.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  encodeBase64url,
  MAX_KEY_PACKAGES_PER_DEVICE,
  type FetchKeyPackagesResponse,
  type KeyPackageStock,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice } from "./support/device.js";

describeEachBackend("key package drain", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let bob: TestDevice;
  const lastResort = encodeBase64url(randomBytes(200));
  // The server's clock moves only when a test moves it, so no bucket refills meanwhile: the counts are exact.
  let now = Date.now();

  before(async () => {
    // The defaults: 60 fetches per minute and requester, 30 one-time packages per hour and target device.
    s = await startTestServer(backend, undefined, { now: () => now });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    bob = await TestDevice.join(s, await admin.invite("Bob"));
    await bob.login();
    const oneTime = Array.from({ length: MAX_KEY_PACKAGES_PER_DEVICE }, () => encodeBase64url(randomBytes(200)));
    for (let i = 0; i < oneTime.length; i += 100) {
      const up = await bob.call("POST", "/v1/key-packages", {
        oneTime: oneTime.slice(i, i + 100),
        ...(i === 0 ? { lastResort } : {}),
      });
      assert.equal(up.status, 200);
    }
  });
  after(() => s.close());

  const bobsPackages = () => `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`;
  const stockOf = async (device: TestDevice) =>
    (await device.call<{ keyPackages: KeyPackageStock }>("GET", "/v1/me")).body.keyPackages;

  it("throttles 400 fetches over several sessions of one requester, and a new login does not reset the limit", async () => {
    let ok = 0;
    let limited = 0;
    let oneTime = 0;
    for (let session = 0; session < 8; session++) {
      await admin.login();
      for (let i = 0; i < 50; i++) {
        const res = await admin.call<FetchKeyPackagesResponse>("GET", bobsPackages());
        if (res.status === 429) {
          limited++;
          continue;
        }
        assert.equal(res.status, 200);
        ok++;
        if (res.body.devices[0]?.lastResort === false) oneTime++;
      }
    }
    assert.equal(ok, 60, "60 fetches per minute pass");
    assert.equal(limited, 340, "the rest are rate_limited");
    assert.equal(oneTime, 30, "30 one-time packages per hour and device");
    const stock = await stockOf(bob);
    assert.equal(stock.oneTime, MAX_KEY_PACKAGES_PER_DEVICE - 30, "Bob keeps the rest of his stock");
    assert.equal(stock.lastResort, true);
    await admin.login();
    const again = await admin.call<{ error: { code: string } }>("GET", bobsPackages());
    assert.equal(again.status, 429, "a new session is still limited");
    assert.equal(again.body.error.code, "rate_limited");
  });

  it("limits one-time packages per target device however many colleagues ask, then hands out the last-resort one", async () => {
    const colleagues: TestDevice[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await TestDevice.join(s, await admin.invite(`Kollege ${i}`));
      await c.login();
      colleagues.push(c);
    }
    const bobSocket = await bob.connect();
    const before = (await stockOf(bob)).oneTime;
    let oneTime = 0;
    let lastResortCount = 0;
    for (const c of colleagues) {
      for (let i = 0; i < 20; i++) {
        const res = await c.call<FetchKeyPackagesResponse>("GET", bobsPackages());
        assert.equal(res.status, 200, "each colleague stays within the per-requester limit");
        const device = res.body.devices[0]!;
        if (device.lastResort) {
          assert.equal(device.keyPackage, lastResort);
          lastResortCount++;
        } else oneTime++;
      }
    }
    assert.equal(oneTime, 0, "Bob's hourly budget was spent by the first test");
    assert.equal(lastResortCount, 80);
    assert.equal((await stockOf(bob)).oneTime, before);
    // Bob is told at once, and /v1/me says so until he uploads a new last-resort package.
    const told = await bobSocket.next((f) => f.case === "keyPackagesLow" && f.value.lastResortHandedOut);
    assert.ok(told.case === "keyPackagesLow");
    assert.ok((await stockOf(bob)).lastResortHandedOutAt !== undefined);
    await bob.call("POST", "/v1/key-packages", { lastResort: encodeBase64url(randomBytes(200)) });
    assert.equal((await stockOf(bob)).lastResortHandedOutAt, undefined);
    await bobSocket.close();
  });

  it("keeps at most 10 live sessions per device: the oldest is dropped on a new login", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 11; i++) {
      now += 1; // Sessions are ordered by age.
      tokens.push(await bob.login());
    }
    bob.token = tokens[0]!;
    assert.equal((await bob.call("GET", "/v1/me")).status, 401, "the oldest session is gone");
    for (const token of tokens.slice(1)) {
      bob.token = token;
      assert.equal((await bob.call("GET", "/v1/me")).status, 200);
    }
  });
});
