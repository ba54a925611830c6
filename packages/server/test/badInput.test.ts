/** Bad input gets a coded error, the server keeps serving others, and nothing stored changes. */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  MAX_FRAME_BYTES,
  MAX_PAYLOAD_BYTES,
  MAX_RECIPIENTS,
  PROTOCOL_VERSION,
  encodeBase64url,
  type ErrorBody,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, TestSocket, http, redeemBody } from "./support/device.js";
import { deviceCertificate, newKeyPair, provisionalAccountCertificate } from "./support/orgKeys.js";
import { countRows } from "./support/db.js";
import { sha256 } from "../src/crypto.js";

const text = (s: string) => new TextEncoder().encode(s);

describeEachBackend("bad input", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let bob: TestDevice;
  const sockets: TestSocket[] = [];

  before(async () => {
    s = await startTestServer(backend, (c) => {
      c.blobMaxBytes = 64 * 1024;
      c.rateLimits.publicPerMinute = 1000;
    });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    bob = await TestDevice.join(s, await admin.invite("Bob"));
    await bob.login();
  });
  after(async () => {
    await Promise.all(sockets.map((x) => x.close()));
    await s.close();
  });

  async function socket(): Promise<TestSocket> {
    const x = await TestSocket.open(s.wsUrl);
    sockets.push(x);
    return x;
  }

  function assertError(res: { status: number; body: unknown }, status: number, code: string, path?: string): void {
    assert.equal(res.status, status, JSON.stringify(res.body));
    const body = res.body as ErrorBody;
    assert.equal(body.error.code, code);
    assert.ok(body.error.message.length > 0);
    if (path !== undefined) assert.equal(body.error.path, path);
  }

  it("answers malformed JSON, unknown fields and wrong types with bad_request and the path", async () => {
    const raw = await http(s, "POST", "/v1/invitations/redeem", {
      raw: "{not json",
      headers: { "content-type": "application/json" },
    });
    assertError(raw, 400, "bad_request");
    assert.match((raw.body as ErrorBody).error.message, /ungültig/, "German by default");
    const english = await http(s, "POST", "/v1/invitations/redeem", {
      raw: "{not json",
      headers: { "content-type": "application/json", "accept-language": "en-GB,en;q=0.9" },
    });
    assert.equal((english.body as ErrorBody).error.message, "The request is malformed.");
    const unknown = await http(s, "POST", "/v1/login/challenge", {
      body: { deviceId: encodeBase64url(bob.deviceId), extra: 1 },
    });
    assertError(unknown, 400, "bad_request");
    const valid = {
      token: "x".repeat(43),
      accountId: encodeBase64url(new Uint8Array(16)),
      publicKey: encodeBase64url(new Uint8Array(32)),
      accountCertificate: "AAAA",
      deviceCertificate: "AAAA",
    };
    const wrongType = await http(s, "POST", "/v1/invitations/redeem", { body: { ...valid, publicKey: 42 } });
    assertError(wrongType, 400, "bad_request", "publicKey");
    const shortKey = await http(s, "POST", "/v1/invitations/redeem", {
      body: { ...valid, publicKey: encodeBase64url(new Uint8Array(31)) },
    });
    assertError(shortKey, 400, "bad_request", "publicKey");
    // The name comes from the certificate now: a name field is an unknown field.
    const named = await http(s, "POST", "/v1/invitations/redeem", { body: { ...valid, displayName: "Eve" } });
    assertError(named, 400, "bad_request");
    const shortId = await http(s, "POST", "/v1/invitations/redeem", {
      body: { ...valid, accountId: encodeBase64url(new Uint8Array(8)) },
    });
    assertError(shortId, 400, "bad_request", "accountId");
  });

  it("answers oversized bodies, wrong media types and unknown routes with their codes", async () => {
    const big = await http(s, "POST", "/v1/key-packages", {
      raw: JSON.stringify({ oneTime: ["A".repeat(5 * 1024 * 1024)] }),
      headers: { "content-type": "application/json" },
      token: bob.token,
    });
    assertError(big, 413, "body_too_large");
    const media = await http(s, "POST", "/v1/login/challenge", {
      raw: "hello",
      headers: { "content-type": "text/plain" },
    });
    assertError(media, 415, "unsupported_media_type");
    assertError(await http(s, "GET", "/v1/nothing-here"), 404, "not_found");
  });

  it("refuses reused, unknown and expired invitations and keys taken twice", async () => {
    const invite = await admin.invite("Carla");
    await TestDevice.join(s, invite);
    await assert.rejects(TestDevice.join(s, invite), /409.*invitation_used/);
    await assert.rejects(TestDevice.join(s, encodeBase64url(randomBytes(32)), "Nobody"), /404.*invitation_invalid/);
    const expired = encodeBase64url(randomBytes(32));
    const org = (await s.store.listOrganisations())[0]!;
    await s.store.createInvitation({
      id: new Uint8Array(randomBytes(16)),
      orgId: org.id,
      tokenHash: sha256(expired),
      role: "member",
      expiresAt: Date.now() - 1000,
      createdAt: Date.now() - 10_000,
    });
    await assert.rejects(TestDevice.join(s, expired, "Late"), /404.*invitation_invalid/);
    // Bob's device key, certified by a fresh account key for a fresh invitation: still one key, one device.
    const copy = await admin.invite("Copy");
    const accountKey = newKeyPair();
    const again = await http(s, "POST", "/v1/invitations/redeem", {
      body: redeemBody({
        token: copy.token,
        accountId: copy.certificate.accountId,
        deviceKey: bob.publicKey,
        accountCertificate: provisionalAccountCertificate(copy.certificate, copy.invitationKey, accountKey.publicKey),
        deviceCertificate: deviceCertificate(copy.certificate.accountId, accountKey, bob.publicKey),
      }),
    });
    assertError(again, 409, "device_key_taken");
  });

  it("refuses expired sessions, missing tokens and bad login signatures", async () => {
    const token = encodeBase64url(randomBytes(32));
    await s.store.createSession(sha256(token), bob.deviceId, Date.now() - 1);
    assertError(await http(s, "GET", "/v1/me", { token }), 401, "unauthenticated");
    assertError(await http(s, "GET", "/v1/me"), 401, "unauthenticated");
    assertError(await http(s, "GET", "/v1/me", { headers: { authorization: "Basic abc" } }), 401, "unauthenticated");
    const deviceId = encodeBase64url(bob.deviceId);
    const c = await http<{ challenge: string }>(s, "POST", "/v1/login/challenge", { body: { deviceId } });
    const wrong = await http(s, "POST", "/v1/login", {
      body: { deviceId, challenge: c.body.challenge, signature: encodeBase64url(randomBytes(64)) },
    });
    assertError(wrong, 401, "challenge_invalid");
    // The challenge was spent by the failed try; the device's real login needs a new one.
    await bob.login();
  });

  it("keeps blobs within the size limit and stores nothing of a refused one", async () => {
    const ok = await http<{ blobId: string }>(s, "POST", "/v1/blobs", {
      raw: new Uint8Array(randomBytes(1000)),
      headers: { "content-type": "application/octet-stream" },
      token: bob.token,
    });
    assert.equal(ok.status, 201);
    const before = await readdir(join(s.dataDir, "blobs"));
    const tooBig = await http(s, "POST", "/v1/blobs", {
      raw: new Uint8Array(64 * 1024 + 1),
      headers: { "content-type": "application/octet-stream" },
      token: bob.token,
    });
    assertError(tooBig, 413, "blob_too_large");
    const json = await http(s, "POST", "/v1/blobs", { body: { not: "a file" }, token: bob.token });
    assertError(json, 415, "unsupported_media_type");
    assert.deepEqual(await readdir(join(s.dataDir, "blobs")), before);
    assertError(
      await http(s, "GET", `/v1/blobs/${encodeBase64url(randomBytes(32))}`, { token: bob.token }),
      404,
      "blob_not_found",
    );
    assertError(await http(s, "GET", "/v1/blobs/not-an-id", { token: bob.token }), 400, "bad_request", "blobId");
    const anonymous = await http(s, "GET", `/v1/blobs/${ok.body.blobId}`);
    assertError(anonymous, 401, "unauthenticated");
  });

  it("closes sockets that break the handshake, with a coded reason", async () => {
    const textFrame = await socket();
    textFrame.sendRaw("hallo");
    let err = await textFrame.next((f) => f.case === "error");
    assert.equal(err.case === "error" && err.value.code, "frame_malformed");
    const garbage = await socket();
    garbage.sendRaw(new Uint8Array([0xff, 0xff, 0xff, 0x01]));
    err = await garbage.next((f) => f.case === "error");
    assert.equal(err.case === "error" && err.value.fatal, true);
    const noHello = await socket();
    noHello.sendFrame({ case: "ping", value: { $typeName: "bote.v1.Ping", nonce: 1n } });
    err = await noHello.next((f) => f.case === "error");
    assert.equal(err.case === "error" && err.value.code, "hello_required");
    const oldVersion = await socket();
    const answer = await oldVersion.hello("", PROTOCOL_VERSION + 7);
    assert.equal(answer.case === "error" && answer.value.code, "protocol_version_unsupported");
    await waitClosed(oldVersion);
    assert.equal(oldVersion.closed?.code, 4426);
    const badToken = await socket();
    const denied = await badToken.hello(encodeBase64url(randomBytes(32)));
    assert.equal(denied.case === "error" && denied.value.code, "unauthenticated");
    await waitClosed(badToken);
    assert.equal(badToken.closed?.code, 4401);
  });

  it("answers bad sends with their codes and keeps the socket and the queue as they were", async () => {
    const before = await countRows(s, "entries");
    const x = await socket();
    await x.hello("");
    const tooMany = Array.from({ length: MAX_RECIPIENTS + 1 }, () => bob.address);
    assert.equal((await x.send(tooMany, text("a"))).errorCode, "too_many_recipients");
    assert.equal((await x.send([bob.address], new Uint8Array(MAX_PAYLOAD_BYTES + 1))).errorCode, "payload_too_large");
    assert.equal(
      (await x.send([bob.address], text("a"), { messageId: new Uint8Array(3) })).errorCode,
      "frame_malformed",
    );
    assert.equal(
      (await x.send([{ mailboxId: bob.address.mailboxId, capability: new Uint8Array(5) }], text("a"))).errorCode,
      "frame_malformed",
    );
    assert.equal((await x.send([bob.address], new Uint8Array(0))).errorCode, "frame_malformed");
    // An unknown frame type (field 15) is answered, not fatal.
    x.sendRaw(new Uint8Array([0x7a, 0x00]));
    const unknown = await x.next((f) => f.case === "error");
    assert.equal(unknown.case === "error" && unknown.value.code, "frame_unknown");
    // Acknowledging needs a receiving socket.
    x.ack([1n]);
    const ack = await x.next((f) => f.case === "error");
    assert.equal(ack.case === "error" && ack.value.code, "unauthenticated");
    assert.equal(await countRows(s, "entries"), before);
    // The same socket still sends, and other sockets are unaffected.
    assert.equal((await x.send([bob.address], text("noch da"))).errorCode, "");
    const huge = await socket();
    await huge.hello("");
    huge.sendRaw(new Uint8Array(MAX_FRAME_BYTES + 10));
    await waitClosed(huge);
    assert.equal(huge.closed?.code, 1009);
    const res = await http<{ status: string }>(s, "GET", "/healthz");
    assert.equal(res.body.status, "ok");
  });
});

describeEachBackend("rate limits", (backend) => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer(backend, (c) => {
      c.rateLimits.publicPerMinute = 3;
      c.sendsPerSecondPerSocket = 5;
    });
  });
  after(() => s.close());

  it("limits unauthenticated endpoints per client with rate_limited", async () => {
    const body = { deviceId: encodeBase64url(randomBytes(16)) };
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await http(s, "POST", "/v1/login/challenge", { body })).status);
    assert.deepEqual(codes, [200, 200, 200, 429, 429]);
    const limited = await http<ErrorBody>(s, "POST", "/v1/login/challenge", { body });
    assert.equal(limited.body.error.code, "rate_limited");
    assert.equal((await http(s, "GET", "/healthz")).status, 200, "other endpoints keep serving");
  });

  it("limits sends per socket with rate_limited, and other sockets keep sending", async () => {
    const flood = await TestSocket.open(s.wsUrl);
    await flood.hello("");
    const target = { mailboxId: new Uint8Array(randomBytes(16)), capability: new Uint8Array(randomBytes(33)) };
    const results = await Promise.all(Array.from({ length: 30 }, () => flood.send([target], text("x"))));
    const limited = results.filter((r) => r.errorCode === "rate_limited").length;
    assert.ok(limited >= 15, `${limited} of 30 sends limited`);
    const other = await TestSocket.open(s.wsUrl);
    await other.hello("");
    assert.equal((await other.send([target], text("x"))).errorCode, "capability_invalid", "judged, not limited");
    await flood.close();
    await other.close();
  });
});

async function waitClosed(x: TestSocket): Promise<void> {
  const deadline = Date.now() + 3000;
  while (x.closed === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}
