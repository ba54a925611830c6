/** Key packages, the directory, blobs, the Origin check and health, over real sockets. */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  decodeBase64url,
  encodeBase64url,
  KEY_PACKAGES_LOW_WATERMARK,
  type FetchKeyPackagesResponse,
  type KeyPackageStock,
  type MembersResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, TestSocket, http } from "./support/device.js";

describeEachBackend("endpoints", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let bob: TestDevice;

  before(async () => {
    s = await startTestServer(backend, (c) => (c.rateLimits.keyPackageFetchesPerMinute = 40));
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    bob = await TestDevice.join(s, await admin.invite("Bob"));
    await bob.login();
  });
  after(() => s.close());

  it("hands out each one-time key package once, with the device's delivery address, then the last-resort one", async () => {
    const packages = Array.from({ length: KEY_PACKAGES_LOW_WATERMARK + 1 }, () => encodeBase64url(randomBytes(200)));
    const lastResort = encodeBase64url(randomBytes(200));
    const up = await bob.call<KeyPackageStock>("POST", "/v1/key-packages", { oneTime: packages, lastResort });
    assert.deepEqual(up.body, { oneTime: packages.length, lastResort: true, low: false });
    const bobSocket = await bob.connect();
    const seen: string[] = [];
    for (let i = 0; i < packages.length; i++) {
      const res = await admin.call<FetchKeyPackagesResponse>(
        "GET",
        `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`,
      );
      assert.equal(res.status, 200);
      const [device] = res.body.devices;
      assert.equal(device!.lastResort, false);
      assert.equal(device!.deviceId, encodeBase64url(bob.deviceId));
      assert.deepEqual(decodeBase64url(device!.mailboxId), bob.address.mailboxId);
      assert.deepEqual(decodeBase64url(device!.capability), bob.address.capability);
      seen.push(device!.keyPackage);
    }
    assert.deepEqual([...seen].sort(), [...packages].sort(), "every one-time package exactly once");
    const last = await admin.call<FetchKeyPackagesResponse>(
      "GET",
      `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`,
    );
    assert.equal(last.body.devices[0]!.lastResort, true);
    assert.equal(last.body.devices[0]!.keyPackage, lastResort);
    // Bob's device is told that its stock ran low.
    const low = await bobSocket.next((f) => f.case === "keyPackagesLow");
    assert.ok(low.case === "keyPackagesLow" && low.value.remaining < KEY_PACKAGES_LOW_WATERMARK);
    const stock = await bob.call<{ keyPackages: KeyPackageStock }>("GET", "/v1/me");
    const { lastResortHandedOutAt, ...counts } = stock.body.keyPackages;
    assert.deepEqual(counts, { oneTime: 0, lastResort: true, low: true });
    assert.ok(lastResortHandedOutAt !== undefined, "Bob learns that his last-resort package was handed out");
    await bobSocket.close();
  });

  it("reports devices without any key package, unknown accounts, and too many packages", async () => {
    const res = await bob.call<FetchKeyPackagesResponse>(
      "GET",
      `/v1/accounts/${encodeBase64url(admin.accountId)}/key-packages`,
    );
    assert.deepEqual(res.body, { devices: [], unavailable: [encodeBase64url(admin.deviceId)] });
    const unknown = await bob.call("GET", `/v1/accounts/${encodeBase64url(randomBytes(16))}/key-packages`);
    assert.equal(unknown.status, 404);
    const tooMany = Array.from({ length: 100 }, () => encodeBase64url(randomBytes(10)));
    assert.equal((await admin.call("POST", "/v1/key-packages", { oneTime: tooMany })).status, 200);
    assert.equal((await admin.call("POST", "/v1/key-packages", { oneTime: tooMany })).status, 200);
    const over = await admin.call<{ error: { code: string } }>("POST", "/v1/key-packages", {
      oneTime: tooMany.slice(0, 1),
    });
    assert.equal(over.body.error.code, "too_many_key_packages");
  });

  it("rate-limits key package fetches per requesting account", async () => {
    const path = `/v1/accounts/${encodeBase64url(admin.accountId)}/key-packages`;
    let limited = 0;
    for (let i = 0; i < 45; i++) if ((await bob.call("GET", path)).status === 429) limited++;
    assert.ok(limited > 0, "some fetches were limited");
    // Another account is not affected by Bob's limit.
    assert.equal((await admin.call("GET", `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`)).status, 200);
  });

  it("lists the organisation's members and their device keys", async () => {
    const res = await bob.call<MembersResponse>("GET", "/v1/members");
    const names = res.body.members.map((m) => m.displayName).sort();
    assert.deepEqual(names, ["Anna", "Bob"]);
    const anna = res.body.members.find((m) => m.displayName === "Anna")!;
    assert.equal(anna.role, "admin");
    assert.deepEqual(decodeBase64url(anna.devices[0]!.publicKey), admin.publicKey);
  });

  it("stores a blob under an unguessable id and gives back exactly its bytes", async () => {
    const content = new Uint8Array(randomBytes(3 * 1024 * 1024 + 17));
    const up = await http<{ blobId: string; size: number }>(s, "POST", "/v1/blobs", {
      raw: content,
      headers: { "content-type": "application/octet-stream" },
      token: bob.token,
    });
    assert.equal(up.status, 201);
    assert.equal(up.body.size, content.length);
    assert.equal(decodeBase64url(up.body.blobId)!.length, 32);
    const down = await fetch(`${s.url}/v1/blobs/${up.body.blobId}`, {
      headers: { authorization: `Bearer ${admin.token}` },
    });
    assert.equal(down.status, 200);
    assert.deepEqual(new Uint8Array(await down.arrayBuffer()), content);
  });

  it("refuses WebSockets from foreign browser origins and answers health checks", async () => {
    await assert.rejects(TestSocket.open(s.wsUrl, { origin: "https://evil.example" }), /403/);
    const allowed = await TestSocket.open(s.wsUrl, { origin: "http://127.0.0.1:8080" });
    assert.equal((await allowed.hello("")).case, "helloOk");
    await allowed.close();
    const health = await http<{ status: string; publicUrl: string }>(s, "GET", "/healthz");
    assert.equal(health.body.status, "ok");
    assert.equal(health.body.publicUrl, "http://127.0.0.1:8080", "the web app's one origin");
  });
});
