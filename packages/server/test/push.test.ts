/**
 * Web Push wakes a device that has no socket open: the push reaches a push
 * service of the test's own (support/pushService.ts), signed with the
 * server's VAPID key (RFC 8292) and encrypted for the subscription (RFC
 * 8291), and says nothing but "something arrived". Pushes are coalesced per
 * device, skipped while the device has a receiving socket on this node, and
 * a subscription goes when its push service says it is gone (410) or when
 * its device is revoked. The device then fetches its entries over HTTP.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { unpadPayload } from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";
import { countRows } from "./support/db.js";
import { revocation } from "./support/orgKeys.js";
import {
  browserSubscription,
  decryptPush,
  startPushService,
  verifyVapid,
  type BrowserSubscription,
  type PushService,
  type ReceivedPush,
} from "./support/pushService.js";

const COALESCE_MS = 300;
const text = (s: string) => new TextEncoder().encode(s);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeEachBackend("web push", (backend) => {
  let s: TestServer;
  let push: PushService;
  let admin: TestDevice;
  let sender: TestSocket;
  const open: TestSocket[] = [];

  async function member(name: string): Promise<TestDevice> {
    const d = await TestDevice.join(s, await admin.invite(name));
    await d.login();
    return d;
  }

  /** A member whose browser subscribed at the test's push service, under a path of its own. */
  async function subscribed(name: string): Promise<{ device: TestDevice; subscription: BrowserSubscription }> {
    const device = await member(name);
    const subscription = browserSubscription(`${push.origin}/push/${randomBytes(8).toString("hex")}`);
    const put = await device.call("POST", "/v1/push/subscription", subscription.json);
    assert.equal(put.status, 204, JSON.stringify(put.body));
    return { device, subscription };
  }

  const pushesTo = (subscription: BrowserSubscription) =>
    push.received.filter((p) => subscription.endpoint.endsWith(p.path));

  /** Waits until the subscription has had `count` pushes. */
  async function pushed(subscription: BrowserSubscription, count: number): Promise<ReceivedPush[]> {
    const deadline = Date.now() + 5000;
    while (pushesTo(subscription).length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} pushes, got ${pushesTo(subscription).length}`);
      await sleep(10);
    }
    return pushesTo(subscription);
  }

  before(async () => {
    push = await startPushService();
    s = await startTestServer(backend, (config) => {
      config.push.coalesceMs = COALESCE_MS;
      // The test's push service listens on plain HTTP on 127.0.0.1, which a real server refuses.
      config.push.allowInsecureEndpoints = true;
    });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna Admin");
    await admin.login();
    sender = await admin.connect(true);
    open.push(sender);
  });
  after(async () => {
    await Promise.all(open.map((o) => o.close()));
    await s.close();
    await push.close();
  });

  it("wakes a device without a socket: VAPID-signed, encrypted for the subscription, naming no sender, group or content", async () => {
    const { device, subscription } = await subscribed("Bernd Bau");
    const key = await device.call<{ publicKey: string }>("GET", "/v1/push/key");
    assert.equal(key.status, 200);
    const groupId = randomBytes(32);
    const sent = await sender.send([device.address], text("Fotos kommen gleich"), {
      commit: { groupId, epoch: 0n },
    });
    assert.equal(sent.errorCode, "");
    const [arrived] = await pushed(subscription, 1);
    assert.ok(arrived);

    const vapid = verifyVapid(arrived.headers.authorization);
    assert.equal(Buffer.from(vapid.publicKey).toString("base64url"), key.body.publicKey);
    assert.equal(vapid.claims.aud, push.origin);
    assert.ok(typeof vapid.claims.exp === "number" && vapid.claims.exp * 1000 <= Date.now() + 24 * 3_600_000);
    assert.match(String(vapid.claims.sub), /^(mailto:|https:)/);
    assert.equal(arrived.headers["content-encoding"], "aes128gcm");
    assert.ok(Number(arrived.headers.ttl) > 0);
    assert.equal(arrived.headers.urgency, "high");
    assert.equal(arrived.headers.topic, "bote");

    const plaintext = decryptPush(arrived.body, subscription);
    assert.deepEqual(JSON.parse(plaintext.toString("utf8")), { v: 1 });
    for (const secret of [admin.deviceId, admin.accountId, device.address.mailboxId, groupId]) {
      assert.equal(plaintext.includes(Buffer.from(secret)), false);
      assert.equal(plaintext.toString().includes(Buffer.from(secret).toString("base64url")), false);
    }
    assert.equal(plaintext.toString().includes("Fotos"), false);

    // Woken, the device fetches what waits over HTTP and acknowledges it.
    const pending = await device.call<{ entries: { entryId: number; mailboxId: string; payload: string }[] }>(
      "GET",
      "/v1/entries",
    );
    assert.equal(pending.status, 200);
    assert.equal(pending.body.entries.length, 1);
    const entry = pending.body.entries[0]!;
    const payload = unpadPayload(Buffer.from(entry.payload, "base64url"));
    assert.equal(new TextDecoder().decode(payload), "Fotos kommen gleich");
    const ack = await device.call("POST", "/v1/entries/ack", { entryIds: [entry.entryId] });
    assert.equal(ack.status, 204);
    const after = await device.call<{ entries: unknown[] }>("GET", "/v1/entries");
    assert.deepEqual(after.body.entries, []);
    assert.equal(
      s.logs.some((line) => line.includes(subscription.endpoint) || line.includes(subscription.json.keys.p256dh)),
      false,
      "no log line names the endpoint or the key",
    );
  });

  it("coalesces: a burst of entries is one push, and one more after the window for what came during it", async () => {
    const { device, subscription } = await subscribed("Carla Chef");
    const burst = await Promise.all([1, 2, 3, 4, 5].map((i) => sender.send([device.address], text(`n${i}`))));
    assert.deepEqual(
      burst.map((r) => r.errorCode),
      ["", "", "", "", ""],
    );
    const [first, second] = await pushed(subscription, 2);
    assert.ok(second!.at - first!.at >= COALESCE_MS - 20, "the second push waits for the window's end");
    await sleep(COALESCE_MS * 2);
    assert.equal(pushesTo(subscription).length, 2, "no further push without further entries");
  });

  it("sends no push while the device has a receiving socket open on this node", async () => {
    const { device, subscription } = await subscribed("Dora Dach");
    const socket = await device.connect();
    open.push(socket);
    await sender.send([device.address], text("live"));
    await socket.entries(1);
    await sleep(COALESCE_MS * 2);
    assert.equal(pushesTo(subscription).length, 0);
    const connections = s.server.connections.size;
    await socket.close();
    // The server learns of the close a moment after the client does.
    while (s.server.connections.size >= connections) await sleep(10);
    await sender.send([device.address], text("offline"));
    await pushed(subscription, 1);
  });

  it("deletes a subscription whose push service answers 410 Gone", async () => {
    const { device, subscription } = await subscribed("Emil Estrich");
    const before = await countRows(s, "push_subscriptions");
    push.status = 410;
    try {
      await sender.send([device.address], text("weg"));
      await pushed(subscription, 1);
      await sleep(100);
    } finally {
      push.status = 201;
    }
    assert.equal(pushesTo(subscription).length, 1);
    assert.equal(await countRows(s, "push_subscriptions"), before - 1);
    await sleep(COALESCE_MS * 2);
    await sender.send([device.address], text("noch einmal"));
    await sleep(COALESCE_MS);
    assert.equal(pushesTo(subscription).length, 1, "nothing goes to a deleted subscription");
  });

  it("deletes the subscription with its device when the device is revoked, and on request", async () => {
    const { device } = await subscribed("Fritz Fenster");
    const other = await subscribed("Gerda Gips");
    const before = await countRows(s, "push_subscriptions");
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(
          admin.organisation.key,
          { kind: "device", accountId: device.accountId, deviceKey: device.publicKey },
          admin.accountId,
        ),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assert.equal(await countRows(s, "push_subscriptions"), before - 1);
    const removed = await other.device.call("DELETE", "/v1/push/subscription");
    assert.equal(removed.status, 204);
    assert.equal(await countRows(s, "push_subscriptions"), before - 2);
  });

  it("refuses a malformed subscription and, on a real server, an endpoint that is not a public https URL", async () => {
    const device = await member("Hans Holz");
    const good = browserSubscription("https://push.example.net/x").json;
    const bad = [
      { ...good, endpoint: "not a url" },
      { ...good, keys: { ...good.keys, auth: "AAAA" } },
      { ...good, extra: 1 },
    ];
    for (const body of bad) {
      const answer = await device.call<{ error: { code: string } }>("POST", "/v1/push/subscription", body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.body.error.code, "bad_request");
    }
    const strict = await startTestServer(backend);
    try {
      const anna = await TestDevice.join(strict, strict.adminInvitationToken, "Anna");
      await anna.login();
      for (const endpoint of ["http://push.example.net/x", "https://127.0.0.1/x", "https://localhost/x"]) {
        const answer = await anna.call("POST", "/v1/push/subscription", { ...good, endpoint });
        assert.equal(answer.status, 400, endpoint);
      }
      assert.equal((await anna.call("POST", "/v1/push/subscription", good)).status, 204);
    } finally {
      await strict.close();
    }
  });
});
