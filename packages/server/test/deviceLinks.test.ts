/**
 * Linking a second device, over a real server: the relay orders the steps
 * (claim once and answer it with the commitment, take B's ephemeral key only
 * after that, reveal only what was committed and only once B's key is in,
 * complete only after the reveal), checks the device certificate against the
 * account key, and hands the sealed package to the new device exactly once.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes, sign } from "node:crypto";
import {
  decodeBase64url,
  deviceLinkCommitmentInput,
  encodeBase64url,
  encodeDeviceCertificate,
  loginSignedBytes,
  type ClaimDeviceLinkResponse,
  type CompleteDeviceLinkResponse,
  type CreateDeviceLinkResponse,
  type DeviceLinkResponse,
  type DeviceLinkStatusResponse,
  type ErrorBody,
  type KeyDeviceLinkResponse,
  type MembersResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type HttpResult } from "./support/device.js";
import { deviceCertificate, newKeyPair, revocation, type KeyPair } from "./support/orgKeys.js";
import { countRows } from "./support/db.js";

function assertError(res: HttpResult, status: number, code: string, path?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
  if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
}

const b64 = encodeBase64url;
const commitmentOf = (ephemeralKey: Uint8Array): Uint8Array =>
  new Uint8Array(createHash("sha256").update(deviceLinkCommitmentInput(ephemeralKey)).digest());
const ephemeral = (): Uint8Array => new Uint8Array(randomBytes(32));

/** A link as device A opens it: the link, and the ephemeral key it committed to. */
interface Opened extends CreateDeviceLinkResponse {
  ephemeralKey: Uint8Array;
}

/** Device B before it has an account: its device key, its ephemeral key (sent after the claim), and the claim. */
interface Claimant extends ClaimDeviceLinkResponse {
  device: KeyPair;
  ephemeralKey: Uint8Array;
}

describeEachBackend("device links", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let clockOffset = 0;

  before(async () => {
    s = await startTestServer(backend, undefined, { now: () => Date.now() + clockOffset });
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
  });
  after(async () => {
    await s.close();
  });

  async function member(name: string): Promise<TestDevice> {
    const device = await TestDevice.join(s, await admin.invite(name), name);
    await device.login();
    return device;
  }

  async function open(a: TestDevice): Promise<Opened> {
    const ephemeralKey = ephemeral();
    const res = await a.call<CreateDeviceLinkResponse>("POST", "/v1/device-links", {
      commitment: b64(commitmentOf(ephemeralKey)),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { ...res.body, ephemeralKey };
  }

  async function claim(code: string): Promise<Claimant> {
    const device = newKeyPair();
    const ephemeralKey = ephemeral();
    const res = await http<ClaimDeviceLinkResponse>(s, "POST", "/v1/device-links/claim", {
      body: { code, publicKey: b64(device.publicKey) },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { ...res.body, device, ephemeralKey };
  }

  /** B sends its ephemeral key, as it may only once the claim gave it the commitment. */
  const key = (b: Claimant, claimToken = b.claimToken, ephemeralKey = b.ephemeralKey) =>
    http<KeyDeviceLinkResponse>(s, "POST", "/v1/device-links/key", {
      body: { linkId: b.linkId, claimToken, ephemeralKey: b64(ephemeralKey) },
    });

  /** Claimed and keyed, as the happy path goes up to the reveal. */
  async function keyed(code: string): Promise<Claimant> {
    const b = await claim(code);
    const res = await key(b);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return b;
  }

  const status = (b: { linkId: string; claimToken: string }) =>
    http<DeviceLinkStatusResponse>(s, "POST", "/v1/device-links/status", {
      body: { linkId: b.linkId, claimToken: b.claimToken },
    });

  const reveal = (a: TestDevice, link: Opened, ephemeralKey = link.ephemeralKey) =>
    a.call<DeviceLinkResponse>("POST", `/v1/device-links/${link.linkId}/reveal`, { ephemeralKey: b64(ephemeralKey) });

  function complete(a: TestDevice, link: Opened, certificate: Uint8Array, sealed = new Uint8Array(randomBytes(300))) {
    return a.call<CompleteDeviceLinkResponse>("POST", `/v1/device-links/${link.linkId}/complete`, {
      deviceCertificate: b64(certificate),
      sealed: b64(sealed),
    });
  }

  const certify = (a: TestDevice, b: Claimant) =>
    encodeDeviceCertificate(deviceCertificate(a.accountId, a.accountKey, b.device.publicKey));

  /** A link taken up to the reveal, as the happy path goes. */
  async function revealed(a: TestDevice): Promise<{ link: Opened; b: Claimant }> {
    const link = await open(a);
    const b = await keyed(link.code);
    assert.equal((await reveal(a, link)).status, 200);
    return { link, b };
  }

  async function loginAs(deviceId: Uint8Array, key: KeyPair): Promise<number> {
    const c = await http<{ challenge: string }>(s, "POST", "/v1/login/challenge", {
      body: { deviceId: b64(deviceId) },
    });
    const challenge = decodeBase64url(c.body.challenge)!;
    const signature = sign(null, loginSignedBytes(deviceId, challenge), key.privateKey);
    const res = await http(s, "POST", "/v1/login", {
      body: { deviceId: b64(deviceId), challenge: c.body.challenge, signature: b64(signature) },
    });
    return res.status;
  }

  async function devicesOf(a: TestDevice): Promise<{ deviceId: string; publicKey: string; certificate: string }[]> {
    const members = await admin.call<MembersResponse>("GET", "/v1/members");
    return members.body.members.find((m) => m.accountId === b64(a.accountId))?.devices ?? [];
  }

  it("links a device end to end: B logs in with its key and appears under A's account with its certificate", async () => {
    const a = await member("Bernd");
    const link = await open(a);
    assert.match(link.code, /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.equal(link.url, `http://127.0.0.1:8080/link#c=${link.code}`);
    assert.ok(Date.parse(link.expiresAt) - Date.now() <= 10 * 60_000);
    const waiting = await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`);
    assert.deepEqual(waiting.body, { state: "waiting" });

    // Typed in lower case, with a space and look-alikes: O for 0, I or L for 1.
    const typed = link.code.toLowerCase().replace("-", " ").replace(/0/g, "o").replace(/1/g, "l");
    const b = await claim(typed);
    assert.equal(b.linkId, link.linkId);
    // B holds A's commitment before it has sent any ephemeral key.
    assert.equal(b.commitment, b64(commitmentOf(link.ephemeralKey)));
    const claimed = await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`);
    assert.deepEqual(claimed.body, { state: "claimed", publicKey: b64(b.device.publicKey) });
    assert.deepEqual((await status(b)).body, { state: "claimed", commitment: b.commitment });

    const keyedRes = await key(b);
    assert.equal(keyedRes.status, 200, JSON.stringify(keyedRes.body));
    assert.deepEqual(keyedRes.body, { state: "keyed" });
    const withKey = await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`);
    assert.deepEqual(withKey.body, {
      state: "keyed",
      ephemeralKey: b64(b.ephemeralKey),
      publicKey: b64(b.device.publicKey),
    });
    assert.deepEqual((await status(b)).body, { state: "keyed", commitment: b.commitment });

    assert.deepEqual((await reveal(a, link)).body, { state: "revealed" });
    assert.deepEqual((await status(b)).body, {
      state: "revealed",
      commitment: b64(commitmentOf(link.ephemeralKey)),
      ephemeralKey: b64(link.ephemeralKey),
    });

    const certificate = certify(a, b);
    const sealed = new Uint8Array(randomBytes(256 * 1024));
    const done = await complete(a, link, certificate, sealed);
    assert.equal(done.status, 201, JSON.stringify(done.body));
    const deviceId = decodeBase64url(done.body.deviceId)!;

    const final = await status(b);
    assert.equal(final.status, 200);
    assert.equal(final.body.state, "completed");
    assert.equal(final.body.deviceId, done.body.deviceId);
    assert.equal(final.body.sealed, b64(sealed));
    assert.equal(final.body.ephemeralKey, b64(link.ephemeralKey));
    assert.ok(final.body.mailbox !== undefined);

    // B has everything: the row is gone, and asking again is asking about an unknown link.
    assert.equal(await countRows(s, `device_links where id = ${hexLiteral(decodeBase64url(link.linkId)!)}`), 0);
    assertError(await status(b), 404, "device_link_invalid");

    assert.equal(await loginAs(deviceId, b.device), 200);
    const devices = await devicesOf(a);
    assert.deepEqual(
      devices.map((d) => d.deviceId),
      [b64(a.deviceId), done.body.deviceId],
    );
    assert.equal(devices[1]?.publicKey, b64(b.device.publicKey));
    assert.equal(devices[1]?.certificate, b64(certificate));
  });

  it("refuses a reveal that does not match the commitment, and the state stays keyed", async () => {
    const a = await member("Carla");
    const link = await open(a);
    const b = await keyed(link.code);
    assertError(await reveal(a, link, ephemeral()), 400, "bad_request", "ephemeralKey");
    assert.equal((await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`)).body.state, "keyed");
    assert.equal((await status(b)).body.ephemeralKey, undefined);
    assert.equal((await reveal(a, link)).status, 200);
  });

  it("refuses steps out of order with device_link_state", async () => {
    const a = await member("Dora");
    const link = await open(a);
    const b = newKeyPair();
    const early = encodeDeviceCertificate(deviceCertificate(a.accountId, a.accountKey, b.publicKey));
    assertError(await reveal(a, link), 409, "device_link_state");
    assertError(await complete(a, link, early), 409, "device_link_state");
    const claimant = await claim(link.code);
    assertError(await complete(a, link, certify(a, claimant)), 409, "device_link_state");
    // Claimed but not keyed: A must not reveal before B's ephemeral key is fixed.
    assertError(await reveal(a, link), 409, "device_link_state");
    assert.equal((await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`)).body.state, "claimed");
    assert.equal((await status(claimant)).body.ephemeralKey, undefined);
    assert.equal((await key(claimant)).status, 200);
    assertError(await complete(a, link, certify(a, claimant)), 409, "device_link_state");
    assert.equal((await reveal(a, link)).status, 200);
    assertError(await key(claimant), 409, "device_link_state");
    assertError(await reveal(a, link), 409, "device_link_state");
    assert.equal((await complete(a, link, certify(a, claimant))).status, 201);
    assertError(await complete(a, link, certify(a, claimant)), 409, "device_link_state");
    assertError(await reveal(a, link), 409, "device_link_state");
  });

  it("takes one claim per link; a second is device_link_used, an unknown code device_link_invalid", async () => {
    const a = await member("Emil");
    const link = await open(a);
    await claim(link.code);
    const second = await http(s, "POST", "/v1/device-links/claim", {
      body: { code: link.code, publicKey: b64(newKeyPair().publicKey) },
    });
    assertError(second, 409, "device_link_used");
    const unknown = await http(s, "POST", "/v1/device-links/claim", {
      body: { code: "00000-00000", publicKey: b64(newKeyPair().publicKey) },
    });
    assertError(unknown, 404, "device_link_invalid");
  });

  it("refuses an ephemeral key in the claim: B sends it only after it holds the commitment", async () => {
    const a = await member("Elsa");
    const link = await open(a);
    const early = await http(s, "POST", "/v1/device-links/claim", {
      body: { code: link.code, ephemeralKey: b64(ephemeral()), publicKey: b64(newKeyPair().publicKey) },
    });
    assertError(early, 400, "bad_request");
    assert.deepEqual((await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`)).body, {
      state: "waiting",
    });
  });

  it("takes B's ephemeral key once, and only with the claim token", async () => {
    const a = await member("Enno");
    const link = await open(a);
    const b = await claim(link.code);
    assertError(await key(b, b64(randomBytes(32))), 404, "device_link_invalid");
    assertError(await key({ ...b, linkId: b64(randomBytes(16)) }), 404, "device_link_invalid");
    // Another link's token does not fit either.
    const other = await claim((await open(a)).code);
    assertError(await key(b, other.claimToken), 404, "device_link_invalid");
    assert.deepEqual((await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`)).body, {
      state: "claimed",
      publicKey: b64(b.device.publicKey),
    });

    assert.deepEqual((await key(b)).body, { state: "keyed" });
    // A second key, even B's own, changes nothing: the first stays.
    assertError(await key(b, b.claimToken, ephemeral()), 409, "device_link_state");
    assertError(await key(b), 409, "device_link_state");
    const seen = await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`);
    assert.equal(seen.body.ephemeralKey, b64(b.ephemeralKey));
  });

  it("refuses a device key that is registered already", async () => {
    const a = await member("Frida");
    const link = await open(a);
    const res = await http(s, "POST", "/v1/device-links/claim", {
      body: { code: link.code, publicKey: b64(a.publicKey) },
    });
    assertError(res, 409, "device_key_taken");
  });

  it("holds at most three open links per device", async () => {
    const a = await member("Gustav");
    for (let i = 0; i < 3; i++) await open(a);
    const fourth = await a.call("POST", "/v1/device-links", { commitment: b64(commitmentOf(ephemeral())) });
    assertError(fourth, 429, "rate_limited");
  });

  it("lets a link expire after ten minutes, and the sweep removes it", async () => {
    const a = await member("Hanna");
    const link = await open(a);
    const other = await open(a);
    const b = await claim(other.code);
    clockOffset = 10 * 60_000 + 1000;
    try {
      const late = await http(s, "POST", "/v1/device-links/claim", {
        body: { code: link.code, publicKey: b64(newKeyPair().publicKey) },
      });
      assertError(late, 404, "device_link_invalid");
      assertError(await key(b), 404, "device_link_invalid");
      assertError(await reveal(a, other), 404, "device_link_invalid");
      assertError(await status(b), 404, "device_link_invalid");
      assertError(await a.call("GET", `/v1/device-links/${link.linkId}`), 404, "device_link_invalid");
      await s.store.sweep(Date.now() + clockOffset);
    } finally {
      clockOffset = 0;
    }
    for (const l of [link, other]) {
      assert.equal(await countRows(s, `device_links where id = ${hexLiteral(decodeBase64url(l.linkId)!)}`), 0);
    }
    // An expired link no longer counts against the three.
    for (let i = 0; i < 3; i++) await open(a);
  });

  it("refuses a device certificate by another account's key or for another device key, creating no device", async () => {
    const a = await member("Ida");
    const stranger = await member("Jonas");
    const { link, b } = await revealed(a);
    const byStranger = encodeDeviceCertificate(deviceCertificate(a.accountId, stranger.accountKey, b.device.publicKey));
    const strangersOwn = encodeDeviceCertificate(
      deviceCertificate(stranger.accountId, stranger.accountKey, b.device.publicKey),
    );
    const otherDevice = encodeDeviceCertificate(deviceCertificate(a.accountId, a.accountKey, newKeyPair().publicKey));
    for (const certificate of [byStranger, strangersOwn, otherDevice, new Uint8Array([1, 2, 3])]) {
      assertError(await complete(a, link, certificate), 400, "certificate_invalid", "deviceCertificate");
    }
    assert.equal((await devicesOf(a)).length, 1);
    assert.equal((await status(b)).body.state, "revealed");
  });

  it("answers a wrong claim token as an unknown link", async () => {
    const a = await member("Karl");
    const link = await open(a);
    const b = await claim(link.code);
    assertError(await status({ linkId: b.linkId, claimToken: b64(randomBytes(32)) }), 404, "device_link_invalid");
    assertError(await status({ linkId: b64(randomBytes(16)), claimToken: b.claimToken }), 404, "device_link_invalid");
    assert.equal((await status(b)).status, 200);
  });

  it("lets only the initiating device read, reveal and complete", async () => {
    const a = await member("Lena");
    const mallory = await member("Mallory");
    const link = await open(a);
    const b = await keyed(link.code);
    assertError(await mallory.call("GET", `/v1/device-links/${link.linkId}`), 404, "device_link_invalid");
    assertError(await reveal(mallory, link), 404, "device_link_invalid");
    assertError(await http(s, "GET", `/v1/device-links/${link.linkId}`), 401, "unauthenticated");
    assert.equal((await reveal(a, link)).status, 200);
    const forged = encodeDeviceCertificate(
      deviceCertificate(mallory.accountId, mallory.accountKey, b.device.publicKey),
    );
    assertError(await complete(mallory, link, forged), 404, "device_link_invalid");
    assert.equal((await devicesOf(mallory)).length, 1);
    assert.equal((await a.call<DeviceLinkResponse>("GET", `/v1/device-links/${link.linkId}`)).body.state, "revealed");
  });

  it("ends a revoked account's links: they cannot complete, and B learns nothing more", async () => {
    const a = await member("Nora");
    const { link, b } = await revealed(a);
    const certificate = certify(a, b);
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(admin.organisation.key, { kind: "account", accountId: a.accountId }, admin.accountId),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    assertError(await complete(a, link, certificate), 401, "unauthenticated");
    assertError(await status(b), 404, "device_link_invalid");
    assert.equal(await countRows(s, `device_links where id = ${hexLiteral(decodeBase64url(link.linkId)!)}`), 0);
    assert.equal(await countRows(s, `devices where public_key = ${hexLiteral(b.device.publicKey)}`), 0);
  });

  /** A byte string as a literal both SQLite and PostgreSQL read. */
  function hexLiteral(bytes: Uint8Array): string {
    const hex = Buffer.from(bytes).toString("hex");
    return backend === "sqlite" ? `x'${hex}'` : `'\\x${hex}'::bytea`;
  }
});
