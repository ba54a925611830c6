/**
 * The organisation's statements over a real server: direct certificates,
 * revocations and rotations are accepted only under the current key, applied
 * all or nothing, logged in order, announced to open sockets; a revoked
 * device loses its sockets, sessions and stored data at once.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, sign } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  decodeBase64url,
  decodeOrganisationStatement,
  encodeBase64url,
  encodeInvitationCertificate,
  loginSignedBytes,
  type ErrorBody,
  type MeResponse,
  type MembersResponse,
  type OrganisationLogResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type HttpResult, type TestSocket } from "./support/device.js";
import {
  invitationCertificate,
  keyRotation,
  newKeyPair,
  nowSeconds,
  organisationAccountCertificate,
  privateSeed,
  randomAccountId,
  revocation,
} from "./support/orgKeys.js";
import { queryRows } from "./support/db.js";

function assertError(res: HttpResult, status: number, code: string, path?: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as ErrorBody).error.code, code);
  if (path !== undefined) assert.equal((res.body as ErrorBody).error.path, path);
}

const hexOf = (b: Uint8Array) => Buffer.from(b).toString("hex");

describeEachBackend("trust chain: statements", (backend) => {
  let s: TestServer;
  let admin: TestDevice;
  const sockets: TestSocket[] = [];

  before(async () => {
    s = await startTestServer(backend);
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
  });
  after(async () => {
    for (const x of sockets) await x.close();
    await s.close();
  });

  async function member(name: string): Promise<TestDevice> {
    const d = await TestDevice.join(s, await admin.invite(name));
    await d.login();
    return d;
  }

  async function connect(d: TestDevice): Promise<TestSocket> {
    const socket = await d.connect();
    sockets.push(socket);
    return socket;
  }

  const direct = (
    d: TestDevice,
    fields: { role?: "admin" | "member"; displayName?: string; issuedAtSeconds?: number },
  ) =>
    organisationAccountCertificate(admin.organisation.key, {
      accountId: d.accountId,
      accountKey: d.accountKey.publicKey,
      role: fields.role ?? "member",
      displayName: fields.displayName ?? d.name,
      issuedBy: admin.accountId,
      ...(fields.issuedAtSeconds === undefined ? {} : { issuedAtSeconds: fields.issuedAtSeconds }),
    });

  async function logLength(): Promise<number> {
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    return log.body.statements.length;
  }

  it("replaces a provisional certificate by a direct one: rename and promotion, never backwards in time", async () => {
    const olga = await member("Olga");
    const posted = await admin.postStatements([
      { kind: "account", certificate: direct(olga, { role: "admin", displayName: "Olga Ost" }) },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const me = await olga.call<MeResponse>("GET", "/v1/me");
    assert.equal(me.body.role, "admin");
    assert.equal(me.body.displayName, "Olga Ost");
    const older = direct(olga, { displayName: "Olga Alt", issuedAtSeconds: nowSeconds() - 3600 });
    assertError(await admin.postStatements([{ kind: "account", certificate: older }]), 400, "statement_invalid");
    // Another account key for the same account is a key change, not a certificate update.
    const otherKey = organisationAccountCertificate(admin.organisation.key, {
      accountId: olga.accountId,
      accountKey: newKeyPair().publicKey,
      role: "member",
      displayName: "Olga",
      issuedBy: admin.accountId,
    });
    assertError(await admin.postStatements([{ kind: "account", certificate: otherKey }]), 400, "statement_invalid");
    // Any member may post: the signature is the authority.
    const renamed = direct(olga, { role: "admin", displayName: "Olga O." });
    assert.equal((await olga.postStatements([{ kind: "account", certificate: renamed }])).status, 200);
    assert.equal((await olga.call<MeResponse>("GET", "/v1/me")).body.displayName, "Olga O.");
  });

  it("applies a list all or nothing and names the faulty index", async () => {
    const paul = await member("Paul");
    const before = await logLength();
    const foreign = newKeyPair();
    const forged = organisationAccountCertificate(foreign, {
      accountId: paul.accountId,
      accountKey: paul.accountKey.publicKey,
      role: "admin",
      displayName: "Paul",
      issuedBy: admin.accountId,
    });
    const res = await admin.postStatements([
      { kind: "account", certificate: direct(paul, { displayName: "Paul Neu" }) },
      { kind: "account", certificate: forged },
    ]);
    assertError(res, 400, "statement_invalid", "statements.1");
    assert.equal((await paul.call<MeResponse>("GET", "/v1/me")).body.displayName, "Paul");
    assert.equal(await logLength(), before);
    // Invitations come only through POST /v1/invitations; garbage is refused at its index.
    const garbage = await admin.call("POST", "/v1/organisation/statements", {
      statements: [encodeBase64url(randomBytes(40))],
    });
    assertError(garbage, 400, "statement_invalid", "statements.0");
  });

  it("after a rotation refuses certificates and revocations by the old key, changing nothing", async () => {
    const quentin = await member("Quentin");
    const oldKey = admin.organisation.key;
    const nextKey = newKeyPair();
    const rotated = await admin.postStatements([
      { kind: "rotation", rotation: keyRotation(oldKey, nextKey, admin.accountId) },
    ]);
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    admin.organisation.key = nextKey;
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    assert.equal(log.body.organisationKey, encodeBase64url(nextKey.publicKey));
    const before = await logLength();
    const byOld = organisationAccountCertificate(oldKey, {
      accountId: quentin.accountId,
      accountKey: quentin.accountKey.publicKey,
      role: "admin",
      displayName: "Quentin",
      issuedBy: admin.accountId,
    });
    assertError(await admin.postStatements([{ kind: "account", certificate: byOld }]), 400, "statement_invalid");
    const revokedByOld = revocation(oldKey, { kind: "account", accountId: quentin.accountId }, admin.accountId);
    assertError(
      await admin.postStatements([{ kind: "revocation", revocation: revokedByOld }]),
      400,
      "statement_invalid",
    );
    // A second rotation from the old key is no rotation of the current one.
    const again = keyRotation(oldKey, newKeyPair(), admin.accountId);
    assertError(await admin.postStatements([{ kind: "rotation", rotation: again }]), 400, "statement_invalid");
    assert.equal(await logLength(), before);
    assert.equal((await quentin.call<MeResponse>("GET", "/v1/me")).body.role, "member");
    // Invitations certified by the old key cannot be made any more.
    const stale = invitationCertificate(oldKey, {
      invitationKey: newKeyPair().publicKey,
      accountId: randomAccountId(),
      role: "member",
      displayName: "Rita",
      issuedBy: admin.accountId,
    });
    const refused = await admin.call("POST", "/v1/invitations", {
      certificate: encodeBase64url(encodeInvitationCertificate(stale)),
    });
    assertError(refused, 400, "certificate_invalid", "certificate");
    // And the new key works.
    const byNew = direct(quentin, { role: "admin" });
    assert.equal((await admin.postStatements([{ kind: "account", certificate: byNew }])).status, 200);
  });

  it("revoking an account closes its socket within a second, refuses its login and deletes its data", async () => {
    const sara = await member("Sara");
    const saraSocket = await connect(sara);
    const adminSocket = await connect(admin);
    // Something of everything a device has: a queued entry, key packages, a challenge, a second session.
    const sent = await adminSocket.send([sara.address], new TextEncoder().encode("bis bald"));
    assert.equal(sent.errorCode, "");
    // Delivered but not acknowledged: the entry stays queued.
    await saraSocket.entries(1);
    await sara.call("POST", "/v1/key-packages", {
      oneTime: [encodeBase64url(randomBytes(100))],
      lastResort: encodeBase64url(randomBytes(100)),
    });
    await http(s, "POST", "/v1/login/challenge", { body: { deviceId: encodeBase64url(sara.deviceId) } });
    const oldToken = sara.token;
    await sara.login();
    const started = Date.now();
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(admin.organisation.key, { kind: "account", accountId: sara.accountId }, admin.accountId),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const error = await saraSocket.next((f) => f.case === "error", 1000);
    assert.equal(error.case === "error" && error.value.code, "device_revoked");
    while (saraSocket.closed === undefined && Date.now() - started < 1000) await new Promise((r) => setTimeout(r, 5));
    assert.equal(saraSocket.closed?.code, 4403);
    assert.ok(Date.now() - started < 1000);

    // Login: device_revoked for the holder of the key; every session is gone.
    await assert.rejects(sara.login(), /403.*device_revoked/);
    assertError(await http(s, "GET", "/v1/me", { token: oldToken }), 401, "unauthenticated");
    assertError(await http(s, "GET", "/v1/me", { token: sara.token }), 401, "unauthenticated");
    // Someone without the key learns nothing beyond challenge_invalid.
    const challenge = randomBytes(32);
    const forged = await http(s, "POST", "/v1/login", {
      body: {
        deviceId: encodeBase64url(sara.deviceId),
        challenge: encodeBase64url(challenge),
        signature: encodeBase64url(sign(null, loginSignedBytes(sara.deviceId, challenge), newKeyPair().privateKey)),
      },
    });
    assertError(forged, 401, "challenge_invalid");

    const device = hexOf(sara.deviceId);
    const mailbox = hexOf(sara.address.mailboxId);
    const hexColumn = (column: string) =>
      s.backend === "sqlite" ? `lower(hex(${column}))` : `encode(${column}, 'hex')`;
    for (const table of ["mailboxes", "sessions", "challenges", "key_packages"]) {
      const rows = await queryRows(s, `SELECT 1 FROM ${table} WHERE ${hexColumn("device_id")} = '${device}'`);
      assert.equal(rows.length, 0, `${table} still holds the revoked device`);
    }
    assert.equal(
      (await queryRows(s, `SELECT 1 FROM entries WHERE ${hexColumn("mailbox_id")} = '${mailbox}'`)).length,
      0,
    );
    assert.equal((await queryRows(s, `SELECT 1 FROM devices WHERE ${hexColumn("id")} = '${device}'`)).length, 0);

    const members = await admin.call<MembersResponse>("GET", "/v1/members");
    assert.ok(!members.body.members.some((m) => m.accountId === encodeBase64url(sara.accountId)));
    const packages = await admin.call("GET", `/v1/accounts/${encodeBase64url(sara.accountId)}/key-packages`);
    assertError(packages, 404, "account_unknown");
    // Revoked twice is no change: refused.
    const twice = revocation(admin.organisation.key, { kind: "account", accountId: sara.accountId }, admin.accountId);
    assertError(await admin.postStatements([{ kind: "revocation", revocation: twice }]), 400, "statement_invalid");
  });

  it("revoking one device closes its socket and keeps the account", async () => {
    const tom = await member("Tom");
    const socket = await connect(tom);
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(
          admin.organisation.key,
          { kind: "device", accountId: tom.accountId, deviceKey: tom.publicKey },
          admin.accountId,
        ),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const error = await socket.next((f) => f.case === "error", 1000);
    assert.equal(error.case === "error" && error.value.code, "device_revoked");
    await assert.rejects(tom.login(), /403.*device_revoked/);
    const rows = await queryRows(
      s,
      s.backend === "sqlite"
        ? `SELECT 1 FROM sessions WHERE lower(hex(device_id)) = '${hexOf(tom.deviceId)}'`
        : `SELECT 1 FROM sessions WHERE encode(device_id, 'hex') = '${hexOf(tom.deviceId)}'`,
    );
    assert.equal(rows.length, 0);
    const members = await admin.call<MembersResponse>("GET", "/v1/members");
    const account = members.body.members.find((m) => m.accountId === encodeBase64url(tom.accountId));
    assert.ok(account, "the account stays");
    assert.equal(account.devices.length, 0);
    // The revoked key can never register again, and a device of another account is not this revocation's.
    const foreign = revocation(
      admin.organisation.key,
      { kind: "device", accountId: admin.accountId, deviceKey: tom.publicKey },
      admin.accountId,
    );
    assertError(await admin.postStatements([{ kind: "revocation", revocation: foreign }]), 400, "statement_invalid");
  });

  it("tells an open socket of another member that the log grew", async () => {
    const uwe = await member("Uwe");
    const socket = await connect(uwe);
    const vera = await member("Vera");
    const posted = await admin.postStatements([{ kind: "account", certificate: direct(vera, {}) }]);
    assert.equal(posted.status, 200);
    const frame = await socket.next(
      (f) => f.case === "organisationChanged" && f.value.seq === BigInt(posted.body.seq),
      2000,
    );
    assert.equal(frame.case, "organisationChanged");
  });

  it("lists every statement in order, from any position", async () => {
    const log = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log");
    assert.equal(log.status, 200);
    const seqs = log.body.statements.map((x) => x.seq);
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
    );
    const kinds = log.body.statements.map((x) => {
      const decoded = decodeOrganisationStatement(decodeBase64url(x.statement)!);
      assert.ok(decoded.ok);
      return decoded.value.kind;
    });
    // The first admin's own certificate opens the log; then each member's invitation and certificate.
    assert.equal(kinds[0], "account");
    assert.equal(kinds[1], "invitation");
    assert.equal(kinds[2], "account");
    assert.ok(kinds.includes("rotation") && kinds.includes("revocation"));
    const tail = await admin.call<OrganisationLogResponse>("GET", "/v1/organisation/log?after=3");
    assert.deepEqual(
      tail.body.statements.map((x) => x.seq),
      seqs.slice(3),
    );
    assertError(await admin.call("GET", "/v1/organisation/log?after=-1"), 400, "bad_request", "after");
    assertError(await http(s, "GET", "/v1/organisation/log"), 401, "unauthenticated");
  });

  it("keeps no organisation, invitation or account private key in the database or the log", async () => {
    const invite = await admin.invite("Wim");
    await TestDevice.join(s, invite);
    const secrets = [
      privateSeed(admin.organisation.key),
      privateSeed(invite.invitationKey),
      privateSeed(admin.accountKey),
    ].map((secret) => Buffer.from(secret));
    const forms = (secret: Buffer) => [
      secret,
      Buffer.from(encodeBase64url(secret)),
      Buffer.from(secret.toString("hex")),
      Buffer.from(secret.toString("base64")),
    ];
    // Byte for byte: the SQLite file with its WAL, or every row of every PostgreSQL table as text (bytea in hex).
    const stored: Buffer[] = [];
    if (s.backend === "sqlite") {
      const files = (await readdir(s.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
      assert.ok(files.includes("bote.sqlite-wal"), "the WAL is searched too");
      for (const file of files) stored.push(await readFile(join(s.dataDir, file)));
    } else {
      const tables = await queryRows(
        s,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
      );
      for (const { table_name: table } of tables) {
        const rows = await queryRows(s, `SELECT t::text AS row FROM "${String(table)}" t`);
        stored.push(Buffer.from(rows.map((r) => String(r.row)).join("\n")));
      }
    }
    stored.push(Buffer.from(s.logs.join("\n"), "utf8"));
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        for (const content of stored) assert.equal(content.indexOf(form), -1, "a private key was stored or logged");
      }
    }
    // The organisation's public key is stored: the search would have found what is there.
    const publicHex = Buffer.from(admin.organisation.key.publicKey).toString("hex");
    const found = stored.some(
      (c) => c.indexOf(Buffer.from(admin.organisation.key.publicKey)) >= 0 || c.indexOf(Buffer.from(publicHex)) >= 0,
    );
    assert.ok(found, "the search sees the stored organisation key");
  });
});
