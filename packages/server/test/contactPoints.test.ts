/**
 * Contact points over a real server (docs/PROTOCOL.md §18): the statement
 * from an admin device, the public page, guests made through it (with the
 * puzzle while it is busy), what a guest may and may not do, the staff's key
 * packages through the contact point, a guest's blob budget and its expiry.
 * Each attack is a test of its own.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  decodeBase64url,
  encodeAccountCertificate,
  encodeBase64url,
  encodeContactPoint,
  encodeDeviceCertificate,
  type ContactPoint,
  type ContactPointKeyPackagesResponse,
  type ContactPointResponse,
  type ErrorBody,
  type MeResponse,
  type MembersResponse,
  type OrganisationLogResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { GuestRefused, TestDevice, http, type HttpResult } from "./support/device.js";
import {
  contactPoint,
  deviceCertificate,
  guestAccountCertificate,
  newKeyPair,
  nowSeconds,
  organisationAccountCertificate,
  policy,
  randomAccountId,
} from "./support/orgKeys.js";
import { queryRows } from "./support/db.js";
import { leadingZeroBits, proofHash } from "../src/http/ProofOfWork.js";

function assertError(res: HttpResult, status: number, code: string, path?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
  if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
}

/** The refusal of a guest creation that must fail. */
async function refused(made: Promise<TestDevice>): Promise<HttpResult> {
  try {
    await made;
  } catch (error) {
    if (error instanceof GuestRefused) return error.result;
    throw error;
  }
  assert.fail("the guest was made");
}

let slugCounter = 0;
const newSlug = () => `test-${process.pid}-${++slugCounter}`;

/** A server with an admin, two staff members and a helper to publish contact points. */
async function setUp(backend: "sqlite" | "postgres", overrides?: Parameters<typeof startTestServer>[1]) {
  const s = await startTestServer(backend, overrides);
  const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
  await admin.login();
  const staff: TestDevice[] = [];
  for (const name of ["Bernd", "Clara"]) {
    const d = await TestDevice.join(s, await admin.invite(name));
    await d.login();
    staff.push(d);
  }
  const publish = async (fields: Partial<Parameters<typeof contactPoint>[1]> = {}) => {
    const cp = contactPoint(admin.organisation.key, {
      slug: newSlug(),
      staff: staff.map((d) => d.accountId),
      issuedBy: admin.accountId,
      ...fields,
    });
    const res = await admin.postStatements([{ kind: "contactPoint", contactPoint: cp }]);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return cp;
  };
  const guest = (
    cp: ContactPoint,
    options: Omit<Parameters<typeof TestDevice.guest>[2], "organisationKey" | "contactPointId"> = {},
  ) =>
    TestDevice.guest(s, cp.slug, {
      organisationKey: admin.organisation.key.publicKey,
      contactPointId: cp.contactPointId,
      ...options,
    });
  return { s, admin, staff, publish, guest };
}

/** Finds a nonce for the challenge, as a customer's browser would (here in Node). */
function solve(challenge: string, bits: number, publicKey: Uint8Array): string {
  const c = decodeBase64url(challenge)!;
  const nonce = Buffer.alloc(8);
  for (let i = 0; ; i++) {
    nonce.writeBigUInt64BE(BigInt(i));
    if (leadingZeroBits(proofHash(c, publicKey, nonce)) >= bits) return encodeBase64url(nonce);
  }
}

/** A nonce that does not solve the challenge for this key. */
function unsolve(challenge: string, bits: number, publicKey: Uint8Array): string {
  const c = decodeBase64url(challenge)!;
  for (let i = 0; ; i++) {
    const nonce = Buffer.from([i]);
    if (leadingZeroBits(proofHash(c, publicKey, nonce)) < bits) return encodeBase64url(nonce);
  }
}

describeEachBackend("contact points", (backend) => {
  let env: Awaited<ReturnType<typeof setUp>>;
  let s: TestServer;
  let admin: TestDevice;

  before(async () => {
    env = await setUp(backend);
    s = env.s;
    admin = env.admin;
  });
  after(async () => {
    await s.close();
  });

  it("an admin publishes a contact point: logged, served on its page with the organisation key", async () => {
    const cp = await env.publish();
    const page = await http<ContactPointResponse>(s, "GET", `/v1/contact-points/${cp.slug}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.deepEqual(decodeBase64url(page.body.contactPoint), encodeContactPoint(cp));
    assert.deepEqual(decodeBase64url(page.body.organisationKey), admin.organisation.key.publicKey);
    assert.equal(page.body.organisation.name, "Testbau GmbH");
    assert.equal(page.body.limits.blobs, 20);
    assert.equal(page.body.proofOfWork, undefined);
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    const last = log.body.statements.at(-1)!;
    assert.equal(decodeBase64url(last.statement)![0], 5);
  });

  it("refuses a contact point signed by another key", async () => {
    const forged = contactPoint(newKeyPair(), {
      slug: newSlug(),
      staff: [env.staff[0]!.accountId],
      issuedBy: admin.accountId,
    });
    const res = await admin.postStatements([{ kind: "contactPoint", contactPoint: forged }]);
    assertError(res, 400, "statement_invalid", "statements.0");
    assertError(await http(s, "GET", `/v1/contact-points/${forged.slug}`), 404, "contact_point_unknown");
  });

  it("refuses a slug another contact point holds, and nothing of the list is applied", async () => {
    const first = await env.publish();
    const other = contactPoint(admin.organisation.key, {
      slug: first.slug,
      staff: [env.staff[0]!.accountId],
      issuedBy: admin.accountId,
    });
    const fresh = contactPoint(admin.organisation.key, {
      slug: newSlug(),
      staff: [env.staff[0]!.accountId],
      issuedBy: admin.accountId,
    });
    const res = await admin.postStatements([
      { kind: "contactPoint", contactPoint: fresh },
      { kind: "contactPoint", contactPoint: other },
    ]);
    assertError(res, 409, "contact_point_slug_taken", "statements.1");
    assertError(await http(s, "GET", `/v1/contact-points/${fresh.slug}`), 404, "contact_point_unknown");
  });

  it("takes contact points from admin sessions only, even when validly signed", async () => {
    const cp = contactPoint(admin.organisation.key, {
      slug: newSlug(),
      staff: [env.staff[0]!.accountId],
      issuedBy: admin.accountId,
    });
    const res = await env.staff[0]!.postStatements([{ kind: "contactPoint", contactPoint: cp }]);
    assertError(res, 403, "forbidden");
  });

  it("refuses staff that are no current members of the organisation, naming the one at fault", async () => {
    const cp = contactPoint(admin.organisation.key, {
      slug: newSlug(),
      staff: [env.staff[0]!.accountId, randomAccountId()],
      issuedBy: admin.accountId,
    });
    const res = await admin.postStatements([{ kind: "contactPoint", contactPoint: cp }]);
    assertError(res, 400, "statement_invalid", "statements.0.staff.1");
  });

  it("replaces a contact point by a newer statement and refuses an older one", async () => {
    const t = Math.floor(Date.now() / 1000);
    const cp = await env.publish({ issuedAtSeconds: t });
    await env.publish({ contactPointId: cp.contactPointId, slug: cp.slug, open: false, issuedAtSeconds: t + 1 });
    assertError(await http(s, "GET", `/v1/contact-points/${cp.slug}`), 410, "contact_point_closed");
    const older = contactPoint(admin.organisation.key, {
      contactPointId: cp.contactPointId,
      slug: cp.slug,
      staff: [env.staff[0]!.accountId],
      issuedBy: admin.accountId,
      issuedAtSeconds: t - 10,
    });
    assertError(
      await admin.postStatements([{ kind: "contactPoint", contactPoint: older }]),
      400,
      "statement_invalid",
      "statements.0",
    );
    assertError(await http(s, "GET", `/v1/contact-points/${cp.slug}`), 410, "contact_point_closed");
    assertError(await refused(env.guest(cp)), 410, "contact_point_closed");
  });

  it("takes no inquiry while the organisation's policy allows no chats outside it, and again once it does", async () => {
    const cp = await env.publish();
    const setExternalChats = async (externalChats: boolean, issuedAtSeconds: number) => {
      const p = policy(admin.organisation.key, { externalChats, issuedBy: admin.accountId, issuedAtSeconds });
      const res = await admin.postStatements([{ kind: "policy", policy: p }]);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    };
    await setExternalChats(false, nowSeconds());
    // The customer sees a closed contact point, not the business's rules.
    assertError(await http(s, "GET", `/v1/contact-points/${cp.slug}`), 410, "contact_point_closed");
    assertError(await refused(env.guest(cp)), 410, "contact_point_closed");
    await setExternalChats(true, nowSeconds() + 1);
    assert.equal((await http(s, "GET", `/v1/contact-points/${cp.slug}`)).status, 200);
    await env.guest(cp);
  });

  it("answers an unknown or malformed slug with contact_point_unknown", async () => {
    assertError(await http(s, "GET", "/v1/contact-points/nobody-here"), 404, "contact_point_unknown");
    assertError(await http(s, "GET", "/v1/contact-points/NOT_A_SLUG"), 404, "contact_point_unknown");
  });

  it("makes a guest: it logs in, sees its contact point in /v1/me, and is no member", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    await guest.login();
    const me = await guest.call<MeResponse>("GET", "/v1/me");
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.contactPointId, encodeBase64url(cp.contactPointId));
    assert.equal(me.body.mailboxes.length, 1);
    const members = await admin.call<MembersResponse>("GET", "/v1/members");
    assert.ok(!members.body.members.some((m) => m.accountId === me.body.accountId));
    // A guest makes no entry in the organisation's log.
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    const guestId = Buffer.from(guest.accountId);
    assert.ok(!log.body.statements.some((x) => Buffer.from(decodeBase64url(x.statement)!).includes(guestId)));
  });

  it("refuses a guest certificate signed by another key than its account key", async () => {
    const cp = await env.publish();
    const res = await refused(
      env.guest(cp, {
        accountCertificate: () =>
          guestAccountCertificate(newKeyPair(), {
            organisationKey: admin.organisation.key.publicKey,
            contactPointId: cp.contactPointId,
          }),
      }),
    );
    assertError(res, 400, "certificate_invalid");
  });

  it("refuses a member's (org-signed) certificate on the guest route", async () => {
    const cp = await env.publish();
    const res = await refused(
      env.guest(cp, {
        accountCertificate: (accountKey) =>
          organisationAccountCertificate(admin.organisation.key, {
            accountId: randomAccountId(),
            accountKey: accountKey.publicKey,
            role: "member",
            displayName: "Mallory",
            issuedBy: admin.accountId,
          }),
      }),
    );
    assertError(res, 400, "certificate_invalid", "accountCertificate");
  });

  it("refuses a guest certificate made for another contact point", async () => {
    const a = await env.publish();
    const b = await env.publish();
    const res = await refused(
      TestDevice.guest(s, a.slug, {
        organisationKey: admin.organisation.key.publicKey,
        contactPointId: b.contactPointId,
      }),
    );
    assertError(res, 400, "certificate_invalid", "accountCertificate");
  });

  it("refuses a second guest with a taken account id", async () => {
    const cp = await env.publish();
    const accountId = randomAccountId();
    const make = () =>
      env.guest(cp, {
        accountCertificate: (k) =>
          guestAccountCertificate(k, {
            organisationKey: admin.organisation.key.publicKey,
            contactPointId: cp.contactPointId,
            accountId,
          }),
      });
    await make();
    assertError(await refused(make()), 409, "account_taken");
    // Nor can a guest take a member's account id.
    const taken = await refused(
      env.guest(cp, {
        accountCertificate: (k) =>
          guestAccountCertificate(k, {
            organisationKey: admin.organisation.key.publicKey,
            contactPointId: cp.contactPointId,
            accountId: env.staff[0]!.accountId,
          }),
      }),
    );
    assertError(taken, 409, "account_taken");
  });

  it("refuses a guest everything but its own routes, by default", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    await guest.login();
    const staffId = encodeBase64url(env.staff[0]!.accountId);
    const forbidden: [string, string, unknown?][] = [
      ["GET", "/v1/members"],
      ["GET", "/v1/invitations"],
      ["POST", "/v1/invitations", { certificate: "AA" }],
      ["GET", `/v1/accounts/${staffId}/key-packages`],
      ["GET", "/v1/organisation/log"],
      ["POST", "/v1/organisation/statements", { statements: ["AA"] }],
      ["POST", "/v1/device-links", { commitment: encodeBase64url(randomBytes(32)) }],
      ["GET", `/v1/device-links/${encodeBase64url(randomBytes(16))}`],
      ["POST", "/v1/key-packages", { oneTime: [] }],
      ["POST", "/v1/mailbox/rotate"],
    ];
    for (const [method, path, body] of forbidden) {
      assertError(await guest.call(method, path, body), 403, "guest_forbidden");
    }
    assert.equal((await guest.call("GET", "/v1/push/key")).status, 200);
    assert.equal((await guest.call("GET", "/v1/entries")).status, 200);
    assert.equal((await guest.call("POST", "/v1/logout")).status, 204);
  });

  it("tells a guest's socket nothing of the organisation's log", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    await guest.login();
    const guestSocket = await guest.connect();
    const memberSocket = await env.staff[0]!.connect();
    try {
      await env.publish();
      await memberSocket.next((f) => f.case === "organisationChanged");
      await assert.rejects(
        guestSocket.next((f) => f.case === "organisationChanged", 300),
        /timed out/,
      );
    } finally {
      await guestSocket.close();
      await memberSocket.close();
    }
  });

  it("hides a guest from members: its key packages are those of an unknown account", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    const res = await env.staff[0]!.call("GET", `/v1/accounts/${encodeBase64url(guest.accountId)}/key-packages`);
    assertError(res, 404, "account_unknown");
  });

  it("never turns a guest into a member by an org-signed certificate", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    const promoted = organisationAccountCertificate(admin.organisation.key, {
      accountId: guest.accountId,
      accountKey: guest.accountKey.publicKey,
      role: "member",
      displayName: "Kunde",
      issuedBy: admin.accountId,
    });
    const res = await admin.postStatements([{ kind: "account", certificate: promoted }]);
    assertError(res, 400, "statement_invalid", "statements.0");
  });

  it("hands a guest its staff's key packages, for its own contact point only, five times", async () => {
    const cp = await env.publish({ staff: [env.staff[0]!.accountId, env.staff[1]!.accountId] });
    for (const d of env.staff) {
      const up = await d.call("POST", "/v1/key-packages", {
        oneTime: Array.from({ length: 10 }, () => encodeBase64url(randomBytes(64))),
        lastResort: encodeBase64url(randomBytes(64)),
      });
      assert.equal(up.status, 200, JSON.stringify(up.body));
    }
    const other = await env.publish();
    const guest = await env.guest(cp);
    await guest.login();
    assertError(await guest.call("GET", `/v1/contact-points/${other.slug}/key-packages`), 404, "contact_point_unknown");
    assertError(await env.staff[0]!.call("GET", `/v1/contact-points/${cp.slug}/key-packages`), 403, "forbidden");
    for (let i = 0; i < 5; i++) {
      const res = await guest.call<ContactPointKeyPackagesResponse>(
        "GET",
        `/v1/contact-points/${cp.slug}/key-packages`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.accounts.map((a) => a.accountId),
        env.staff.map((d) => encodeBase64url(d.accountId)),
      );
      for (const a of res.body.accounts) {
        assert.equal(a.devices.length, 1);
        assert.equal(a.devices[0]!.lastResort, false);
      }
    }
    assertError(await guest.call("GET", `/v1/contact-points/${cp.slug}/key-packages`), 429, "rate_limited");
  });

  it("keeps what the database holds about a guest to its contact point, times, keys and counters", async () => {
    const cp = await env.publish();
    const guest = await env.guest(cp);
    await guest.login();
    const rows = await queryRows(s, "SELECT * FROM guest_accounts");
    assert.deepEqual(Object.keys(rows[0]!).sort(), [
      "account_id",
      "blob_bytes",
      "blobs",
      "contact_point_id",
      "key_package_fetches",
      "last_login_at",
    ]);
    // The request log names route patterns, never a slug with a guest.
    const guestHex = Buffer.from(guest.accountId).toString("hex");
    const guestB64 = encodeBase64url(guest.accountId);
    for (const line of s.logs) {
      assert.ok(!line.includes(cp.slug), line);
      assert.ok(!line.includes(guestHex) && !line.includes(guestB64), line);
    }
  });
});

describeEachBackend("contact points under load", (backend) => {
  it("limits new guests per address per hour, with retry-after", async () => {
    const env = await setUp(backend, (c) => {
      c.rateLimits.guestsPerAddressPerHour = 2;
      c.proofOfWork.bits = 0;
    });
    try {
      const cp = await env.publish();
      await env.guest(cp);
      await env.guest(cp);
      const res = await refused(env.guest(cp));
      assertError(res, 429, "rate_limited");
      const retry = await fetch(`${env.s.url}/v1/contact-points/${cp.slug}/guests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ accountId: "AA" }),
      });
      // A malformed body is refused before it costs anything.
      assert.equal(retry.status, 400);
      const again = await fetch(`${env.s.url}/v1/contact-points/${cp.slug}/guests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(validGuestBody(env, cp)),
      });
      assert.equal(again.status, 429);
      assert.ok(Number(again.headers.get("retry-after")) > 0);
    } finally {
      await env.s.close();
    }
  });

  it("limits the public page per address, with retry-after, before it looks anything up", async () => {
    const s1 = await startTestServer(backend, (c) => {
      c.rateLimits.publicPerMinute = 2;
    });
    try {
      const get = () => fetch(`${s1.url}/v1/contact-points/no-such-page`);
      assert.equal((await get()).status, 404);
      assert.equal((await get()).status, 404);
      const third = await get();
      assert.equal(third.status, 429);
      assert.equal(((await third.json()) as ErrorBody).error.code, "rate_limited");
      assert.ok(Number(third.headers.get("retry-after")) > 0);
    } finally {
      await s1.close();
    }
  });

  it("limits new guests per contact point, and asks for a puzzle once half the hour is used", async () => {
    const env = await setUp(backend, (c) => {
      c.rateLimits.guestsPerContactPointPerHour = 4;
      c.proofOfWork.bits = 6;
    });
    try {
      const cp = await env.publish();
      const quiet = await env.publish();
      // More than half of the hour's 4 used: the puzzle is asked for.
      await env.guest(cp);
      await env.guest(cp);
      await env.guest(cp);
      const page = await http<ContactPointResponse>(env.s, "GET", `/v1/contact-points/${cp.slug}`);
      const pow = page.body.proofOfWork;
      assert.ok(pow !== undefined, "a busy contact point asks for a puzzle");
      assert.equal(pow.bits, 6);
      assertError(await refused(env.guest(cp)), 428, "proof_of_work_required");
      // Another contact point is not busy.
      const calm = await http<ContactPointResponse>(env.s, "GET", `/v1/contact-points/${quiet.slug}`);
      assert.equal(calm.body.proofOfWork, undefined);
      const bad = await refused(
        env.guest(cp, { proof: (k) => ({ challenge: pow.challenge, nonce: unsolve(pow.challenge, 6, k) }) }),
      );
      assertError(bad, 400, "proof_of_work_invalid", "proof");
      await env.guest(cp, {
        proof: (publicKey) => ({ challenge: pow.challenge, nonce: solve(pow.challenge, 6, publicKey) }),
      });
    } finally {
      await env.s.close();
    }
  });

  it("refuses a puzzle solved for another contact point or another key", async () => {
    const env = await setUp(backend, (c) => {
      c.proofOfWork.always = true;
      c.proofOfWork.bits = 8;
    });
    try {
      const a = await env.publish();
      const b = await env.publish();
      const pageB = await http<ContactPointResponse>(env.s, "GET", `/v1/contact-points/${b.slug}`);
      const challengeB = pageB.body.proofOfWork!.challenge;
      assertError(
        await refused(env.guest(a, { proof: (k) => ({ challenge: challengeB, nonce: solve(challengeB, 8, k) }) })),
        400,
        "proof_of_work_invalid",
      );
      const pageA = await http<ContactPointResponse>(env.s, "GET", `/v1/contact-points/${a.slug}`);
      const challengeA = pageA.body.proofOfWork!.challenge;
      const otherKey = newKeyPair().publicKey;
      assertError(
        await refused(
          env.guest(a, { proof: () => ({ challenge: challengeA, nonce: solve(challengeA, 8, otherKey) }) }),
        ),
        400,
        "proof_of_work_invalid",
      );
      const tampered = Buffer.from(decodeBase64url(challengeA)!);
      tampered[1 + 8 + 16] = 1; // claims 1 bit
      const easy = encodeBase64url(tampered);
      assertError(
        await refused(env.guest(a, { proof: (k) => ({ challenge: easy, nonce: solve(easy, 1, k) }) })),
        400,
        "proof_of_work_invalid",
      );
      await env.guest(a, { proof: (k) => ({ challenge: challengeA, nonce: solve(challengeA, 8, k) }) });
    } finally {
      await env.s.close();
    }
  });

  it("caps what a guest uploads over its life", async () => {
    const env = await setUp(backend, (c) => {
      c.guests.maxBlobs = 3;
      c.guests.maxBlobBytes = 1000;
    });
    try {
      const cp = await env.publish();
      const guest = await env.guest(cp);
      await guest.login();
      const upload = (bytes: number) =>
        http(env.s, "POST", "/v1/blobs", {
          token: guest.token,
          raw: new Uint8Array(bytes),
          headers: { "content-type": "application/octet-stream" },
        });
      assert.equal((await upload(600)).status, 201);
      assertError(await upload(500), 403, "guest_blob_limit");
      assert.equal((await upload(300)).status, 201);
      assertError(await upload(1), 403, "guest_blob_limit");
      // A member has no such cap.
      const member = env.staff[0]!;
      const res = await http(env.s, "POST", "/v1/blobs", {
        token: member.token,
        raw: new Uint8Array(2000),
        headers: { "content-type": "application/octet-stream" },
      });
      assert.equal(res.status, 201);
    } finally {
      await env.s.close();
    }
  });
});

describeEachBackend("guest expiry", (backend) => {
  it("deletes a guest 180 days after its last login, with its device, mailbox and entries", async () => {
    let clock = Date.now();
    const s0 = await startTestServer(
      backend,
      (c) => {
        c.sweepIntervalMs = 50;
        // Sessions of the fake clock's future are no concern here.
        c.sessionTtlMs = 400 * 24 * 3_600_000;
      },
      { now: () => clock },
    );
    try {
      const admin = await TestDevice.join(s0, s0.adminInvitationToken, "Anna");
      await admin.login();
      const cp = contactPoint(admin.organisation.key, {
        slug: newSlug(),
        staff: [admin.accountId],
        issuedBy: admin.accountId,
      });
      assert.equal((await admin.postStatements([{ kind: "contactPoint", contactPoint: cp }])).status, 200);
      const make = () =>
        TestDevice.guest(s0, cp.slug, {
          organisationKey: admin.organisation.key.publicKey,
          contactPointId: cp.contactPointId,
        });
      const idle = await make();
      const active = await make();
      await idle.login();
      await active.login();
      const day = 24 * 3_600_000;
      clock += 100 * day;
      await active.login();
      clock += 81 * day;
      const gone = async () => {
        for (let i = 0; i < 100; i++) {
          const rows = await queryRows(s0, "SELECT account_id FROM guest_accounts");
          if (rows.length === 1) return rows;
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.fail("the idle guest was not swept");
      };
      const rows = await gone();
      assert.deepEqual(Buffer.from(rows[0]!.account_id as Uint8Array), Buffer.from(active.accountId));
      const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");
      for (const [table, column, id] of [
        ["accounts", "id", idle.accountId],
        ["devices", "id", idle.deviceId],
        ["mailboxes", "id", idle.address.mailboxId],
      ] as const) {
        const all = await queryRows(s0, `SELECT ${column} FROM ${table}`);
        assert.ok(!all.some((r) => hexOf(r[column] as Uint8Array) === hexOf(id)), `${table} still holds it`);
      }
      await assert.rejects(idle.login());
      // The members stay.
      assert.equal((await admin.call("GET", "/v1/me")).status, 200);
    } finally {
      await s0.close();
    }
  });
});

function validGuestBody(env: Awaited<ReturnType<typeof setUp>>, cp: ContactPoint): unknown {
  const device = newKeyPair();
  const accountKey = newKeyPair();
  const c = guestAccountCertificate(accountKey, {
    organisationKey: env.admin.organisation.key.publicKey,
    contactPointId: cp.contactPointId,
  });
  return {
    accountId: encodeBase64url(c.accountId),
    publicKey: encodeBase64url(device.publicKey),
    accountCertificate: encodeBase64url(encodeAccountCertificate(c)),
    deviceCertificate: encodeBase64url(
      encodeDeviceCertificate(deviceCertificate(c.accountId, accountKey, device.publicKey)),
    ),
  };
}
