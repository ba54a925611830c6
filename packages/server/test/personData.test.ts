/**
 * A person's server-side data (docs/PROTOCOL.md §19): the export (Art. 15
 * and 20 GDPR) holds exactly the rows that name the person, checked against
 * every table of the real database, and after the erasure (Art. 17) no row
 * names them, and no byte of the SQLite file and its WAL either. The check
 * reads the schema, not a list: a table added later fails it until the
 * export covers it.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { encodeBase64url, type PersonErasureResponse, type PersonExportResponse, type ErrorBody } from "@bote/protocol";
import { describeEachBackend, type Backend, type TestServer, startTestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";
import { queryRows } from "./support/db.js";
import { contactPoint, revocation } from "./support/orgKeys.js";

type Row = Record<string, unknown>;

/** Who the person is on the server: every id that names them, and their name. */
interface Person {
  accountId: Uint8Array;
  ids: Uint8Array[];
  name: string;
}

async function tables(s: TestServer): Promise<string[]> {
  const rows =
    s.backend === "sqlite"
      ? await queryRows(s, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      : await queryRows(s, "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()");
  return rows.map((r) => String(r.name));
}

function mentions(value: unknown, p: Person): boolean {
  if (value instanceof Uint8Array) {
    const b = Buffer.from(value);
    return p.ids.some((id) => b.includes(Buffer.from(id))) || b.includes(Buffer.from(p.name, "utf8"));
  }
  if (typeof value === "string")
    return value.includes(p.name) || p.ids.some((id) => value.includes(encodeBase64url(id)));
  return false;
}

/** A cell as text, the same for a database row and an exported one. */
function cellText(v: unknown): string {
  return v instanceof Uint8Array ? encodeBase64url(v) : String(v);
}

function rowText(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, cellText(row[k])]),
  );
}

/** Every row of every table that names the person, by table. */
async function rowsNaming(s: TestServer, p: Person): Promise<Map<string, Row[]>> {
  const out = new Map<string, Row[]>();
  for (const table of await tables(s)) {
    const found = (await queryRows(s, `SELECT * FROM "${table}"`)).filter((row) =>
      Object.values(row).some((v) => mentions(v, p)),
    );
    if (found.length > 0) out.set(table, found);
  }
  return out;
}

async function assertExportMatches(s: TestServer, admin: TestDevice, p: Person): Promise<PersonExportResponse> {
  const res = await admin.call<PersonExportResponse>("GET", `/v1/admin/persons/${encodeBase64url(p.accountId)}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const exported = res.body;
  const naming = await rowsNaming(s, p);
  for (const [table, rows] of naming) {
    if (table in exported.counts) {
      assert.equal(exported.counts[table], rows.length, `count of ${table}`);
      continue;
    }
    assert.ok(table in exported.rows, `the export holds ${table}, whose rows name the person`);
    assert.deepEqual(
      exported.rows[table]!.map(rowText).sort(),
      rows.map(rowText).sort(),
      `the export's rows of ${table} are the ones that name the person`,
    );
  }
  for (const table of [...Object.keys(exported.rows), ...Object.keys(exported.counts)]) {
    assert.ok(naming.has(table), `${table} is exported but no row of it names the person`);
  }
  return exported;
}

describeEachBackend("person export and erasure", (backend: Backend) => {
  let s: TestServer;
  let admin: TestDevice;
  let bert: TestDevice;
  let clara: TestDevice;
  let bertPerson: Person;
  let guestPerson: Person | undefined;
  let adminSocket: TestSocket;
  const contactPointId = new Uint8Array(randomBytes(16));
  const slug = `dsgvo-${backend}`;

  before(async () => {
    s = await startTestServer(backend);
    admin = await TestDevice.join(s, s.adminInvitationToken, "Anna Admin");
    await admin.login();
    bert = await TestDevice.join(s, await admin.invite("Bertram Löschmich"));
    clara = await TestDevice.join(s, await admin.invite("Clara Bleibt"));
    await bert.login();
    await clara.login();
    // Bert leaves traces in every table a member can: key packages, a second mailbox, a push subscription, queued entries.
    const kp = await bert.call("POST", "/v1/key-packages", {
      oneTime: [encodeBase64url(randomBytes(120)), encodeBase64url(randomBytes(120))],
      lastResort: encodeBase64url(randomBytes(120)),
    });
    assert.equal(kp.status, 200);
    const push = await bert.call("POST", "/v1/push/subscription", {
      endpoint: "https://push.example.net/send/bert-device",
      keys: {
        p256dh: encodeBase64url(Buffer.concat([Buffer.from([4]), randomBytes(64)])),
        auth: encodeBase64url(randomBytes(16)),
      },
    });
    assert.equal(push.status, 204);
    // Two entries wait in the first mailbox, which keeps it (retired) after the move; one in the new one.
    adminSocket = await admin.connect();
    const send = async (to: { mailboxId: Uint8Array; capability: Uint8Array }) => {
      const r = await adminSocket.send([to, clara.address], new Uint8Array(randomBytes(150)));
      assert.equal(r.errorCode, "");
    };
    await send(bert.address);
    await send(bert.address);
    const rotated = await bert.call<{ mailbox: { mailboxId: string; capability: string } }>(
      "POST",
      "/v1/mailbox/rotate",
    );
    assert.equal(rotated.status, 200);
    const current = rotated.body.mailbox;
    await send({
      mailboxId: Buffer.from(current.mailboxId, "base64url"),
      capability: Buffer.from(current.capability, "base64url"),
    });
    const cp = await admin.postStatements([
      {
        kind: "contactPoint",
        contactPoint: contactPoint(admin.organisation.key, {
          slug,
          staff: [bert.accountId, clara.accountId],
          issuedBy: admin.accountId,
          contactPointId,
        }),
      },
    ]);
    assert.equal(cp.status, 200, JSON.stringify(cp.body));
    bertPerson = {
      accountId: bert.accountId,
      ids: [bert.accountId, bert.deviceId, bert.address.mailboxId, Buffer.from(current.mailboxId, "base64url")],
      name: "Bertram Löschmich",
    };
  });

  after(async () => {
    await adminSocket?.close();
    await s?.close();
  });

  it("exports exactly the rows that name an active person, entries and key packages only counted", async () => {
    const exported = await assertExportMatches(s, admin, bertPerson);
    assert.equal(exported.counts.entries, 3);
    assert.equal(exported.counts.key_packages, 3);
    assert.equal(exported.rows.accounts?.[0]?.display_name, "Bertram Löschmich");
    assert.ok(exported.rows.push_subscriptions, "the push subscription is exported");
    assert.equal(exported.rows.mailboxes?.length, 2);
  });

  it("refuses members, unknown accounts and malformed ids", async () => {
    const path = `/v1/admin/persons/${encodeBase64url(bert.accountId)}`;
    assert.equal((await clara.call<ErrorBody>("GET", path)).body.error.code, "forbidden");
    const unknown = await admin.call<ErrorBody>("GET", `/v1/admin/persons/${encodeBase64url(randomBytes(16))}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "account_unknown");
    const bad = await admin.call<ErrorBody>("GET", "/v1/admin/persons/not-an-id");
    assert.equal(bad.status, 400);
  });

  it("erases nobody who is still active", async () => {
    const res = await admin.call<ErrorBody>("POST", `/v1/admin/persons/${encodeBase64url(bert.accountId)}/erase`, {});
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, "person_active");
  });

  it("exports a deactivated person with their revoked devices and the revocation", async () => {
    const revoked = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(admin.organisation.key, { kind: "account", accountId: bert.accountId }, admin.accountId),
      },
    ]);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    const exported = await assertExportMatches(s, admin, bertPerson);
    assert.equal(exported.rows.revoked_devices?.length, 1);
    assert.equal(exported.rows.devices, undefined);
  });

  it("erases nobody a contact point still lists as staff", async () => {
    const res = await admin.call<ErrorBody>("POST", `/v1/admin/persons/${encodeBase64url(bert.accountId)}/erase`, {});
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, "person_is_staff");
  });

  it("after the erasure no row names the person, and the log's other statements still verify", async () => {
    const cp = await admin.postStatements([
      {
        kind: "contactPoint",
        contactPoint: contactPoint(admin.organisation.key, {
          slug,
          staff: [clara.accountId],
          issuedBy: admin.accountId,
          contactPointId,
          issuedAtSeconds: Math.floor(Date.now() / 1000) + 1,
        }),
      },
    ]);
    assert.equal(cp.status, 200, JSON.stringify(cp.body));
    const logBefore = await admin.call<{ statements: { seq: number; statement: string }[] }>(
      "GET",
      "/v1/organisation/log",
    );
    const res = await admin.call<PersonErasureResponse>(
      "POST",
      `/v1/admin/persons/${encodeBase64url(bert.accountId)}/erase`,
      {},
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // Invitation certificate, account certificate, revocation, the first contact point.
    assert.equal(res.body.tombstoned, 4);
    assert.deepEqual(res.body.deleted, { accounts: 1, invitations: 1, revoked_devices: 1 });

    const left = await rowsNaming(s, bertPerson);
    assert.deepEqual([...left.keys()], [], "no row names the erased person");
    // Clara's rows and the statements about her are untouched.
    const claraRows = await rowsNaming(s, {
      accountId: clara.accountId,
      ids: [clara.accountId, clara.deviceId],
      name: "Clara Bleibt",
    });
    assert.ok(claraRows.has("accounts") && claraRows.has("organisation_log") && claraRows.has("contact_points"));
    const logAfter = await admin.call<{ statements: { seq: number; statement: string }[] }>(
      "GET",
      "/v1/organisation/log",
    );
    assert.equal(logAfter.body.statements.length, logBefore.body.statements.length, "the log keeps its positions");
    const changed = logAfter.body.statements.filter((x, i) => x.statement !== logBefore.body.statements[i]!.statement);
    assert.equal(changed.length, 4);
    for (const t of changed) {
      const bytes = Buffer.from(t.statement, "base64url");
      const original = Buffer.from(logBefore.body.statements.find((b) => b.seq === t.seq)!.statement, "base64url");
      assert.equal(bytes[0], 0, "a tombstone has kind 0");
      const { createHash } = await import("node:crypto");
      assert.deepEqual(
        bytes.subarray(1),
        createHash("sha256").update(original).digest(),
        "it holds the statement's hash",
      );
    }
    const gone = await admin.call<ErrorBody>("GET", `/v1/admin/persons/${encodeBase64url(bert.accountId)}`);
    assert.equal(gone.body.error.code, "account_unknown");
    // The erasure's log line says how much, never whom.
    assert.ok(s.logs.some((l) => l.includes("person erased")));
    assert.ok(
      !s.logs.some((l) => bertPerson.ids.some((id) => l.includes(encodeBase64url(id))) || l.includes("Bertram")),
    );
  });

  it("erases an admin but keeps their account id as the signer of what they issued, never their name", async () => {
    const egon = await TestDevice.join(s, await admin.invite("Egon Eraser", "admin"));
    await egon.login();
    // Egon acts as an admin: he invites Fritz and publishes the contact point, staffed by Clara alone.
    await egon.invite("Fritz Folgt");
    const cp = await egon.postStatements([
      {
        kind: "contactPoint",
        contactPoint: contactPoint(egon.organisation.key, {
          slug,
          staff: [clara.accountId],
          issuedBy: egon.accountId,
          contactPointId,
          issuedAtSeconds: Math.floor(Date.now() / 1000) + 2,
        }),
      },
    ]);
    assert.equal(cp.status, 200, JSON.stringify(cp.body));
    const revoked = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(admin.organisation.key, { kind: "account", accountId: egon.accountId }, admin.accountId),
      },
    ]);
    assert.equal(revoked.status, 200);
    const egonPerson: Person = { accountId: egon.accountId, ids: [egon.accountId, egon.deviceId], name: "Egon Eraser" };
    const res = await admin.call<PersonErasureResponse>(
      "POST",
      `/v1/admin/persons/${encodeBase64url(egon.accountId)}/erase`,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.tombstoned, 3, "his invitation, his certificate, his revocation");
    const left = await rowsNaming(s, egonPerson);
    assert.deepEqual([...left.keys()].sort(), ["contact_points", "invitations", "organisation_log"]);
    assert.equal(left.get("invitations")![0]!.display_name, "Fritz Folgt", "the invitation he issued stays");
    assert.equal(
      left.get("organisation_log")!.length,
      2,
      "the statements he signed: Fritz's invitation, the contact point",
    );
    assert.ok(
      [...left.values()]
        .flat()
        .every((row) => !Object.values(row).some((v) => mentions(v, { ...egonPerson, ids: [] }))),
      "his name is nowhere",
    );
  });

  it("erases a customer's guest account at once, without a deactivation, and closes its socket", async () => {
    // A customer asks the business to erase their data (Art. 17): a guest is never in the log, so nothing to revoke first.
    const guest = await TestDevice.guest(s, slug, {
      organisationKey: admin.organisation.key.publicKey,
      contactPointId,
    });
    await guest.login();
    const guestSocket = await guest.connect();
    assert.equal((await adminSocket.send([guest.address], new Uint8Array(randomBytes(150)))).errorCode, "");
    await guestSocket.entries(1);
    guestPerson = {
      accountId: guest.accountId,
      ids: [guest.accountId, guest.deviceId, guest.address.mailboxId, guest.publicKey],
      name: guest.name,
    };
    const exported = await assertExportMatches(s, admin, guestPerson);
    assert.ok(exported.rows.guest_accounts, "the guest's account is exported");
    assert.equal(exported.counts.entries, 1);

    const path = `/v1/admin/persons/${encodeBase64url(guest.accountId)}/erase`;
    assert.equal((await clara.call<ErrorBody>("POST", path, {})).body.error.code, "forbidden", "staff cannot erase");
    const res = await admin.call<PersonErasureResponse>("POST", path, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.deleted, { accounts: 1, devices: 1, guest_accounts: 1 });
    assert.equal(res.body.tombstoned, 0, "a guest's certificate never entered the log");
    assert.deepEqual([...(await rowsNaming(s, guestPerson)).keys()], [], "no row names the erased customer");
    // Its socket is closed at once, and its session is gone.
    for (let i = 0; i < 100 && guestSocket.closed === undefined; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(guestSocket.closed !== undefined, "the guest's socket closes");
    assert.equal((await guest.call<ErrorBody>("GET", "/v1/contact-points/" + slug + "/key-packages")).status, 401);
    const again = await admin.call<ErrorBody>("POST", path, {});
    assert.equal(again.body.error.code, "account_unknown");
  });

  if (backend === "sqlite") {
    it("leaves no byte of the person in the SQLite file and its WAL", async () => {
      const files = (await readdir(s.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
      const raw = Buffer.concat(await Promise.all(files.map((f) => readFile(join(s.dataDir, f)))));
      assert.ok(raw.length > 0);
      for (const id of [...bertPerson.ids, ...(guestPerson?.ids ?? [])]) {
        assert.ok(!raw.includes(Buffer.from(id)), "no id of the person or the customer");
        assert.ok(!raw.includes(encodeBase64url(id)));
      }
      assert.ok(!raw.includes(Buffer.from("Bertram Löschmich", "utf8")), "not the name");
      assert.ok(raw.includes(Buffer.from("Clara Bleibt", "utf8")), "while the colleague's name is there");
    });
  }
});
