/**
 * The dump audit of a contact point's inquiry (docs/THREAT-MODEL.md, adversary
 * 3): a customer's guest writes to the two staff members of a contact point
 * with a photo, one of them answers. Afterwards no stored row ties the
 * guest to a staff member (beyond the contact point's public staff list),
 * none holds the inquiry's bytes, and no log line names the guest or the
 * slug. Like the dump audit it reads every table without knowing the schema.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  decodeBase64url,
  encodeBase64url,
  type ContactPointKeyPackagesResponse,
  type BlobUploadResponse,
} from "@bote/protocol";
import { describeEachBackend, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type Address, type TestSocket } from "./support/device.js";
import { contactPoint } from "./support/orgKeys.js";
import { queryRows } from "./support/db.js";

type Row = Record<string, unknown>;

function spellings(bytes: Uint8Array): Buffer[] {
  const b = Buffer.from(bytes);
  return [b, Buffer.from(b.toString("hex")), Buffer.from(encodeBase64url(bytes)), Buffer.from(b.toString("base64"))];
}

function cellHolds(value: unknown, needle: Uint8Array): boolean {
  const cell =
    value instanceof Uint8Array ? Buffer.from(value) : typeof value === "string" ? Buffer.from(value) : undefined;
  return cell !== undefined && spellings(needle).some((s) => cell.includes(s));
}

const rowHolds = (row: Row, needle: Uint8Array) => Object.values(row).some((v) => cellHolds(v, needle));

async function allRows(s: TestServer): Promise<{ table: string; row: Row }[]> {
  const tables =
    s.backend === "sqlite"
      ? await queryRows(s, "SELECT name FROM sqlite_master WHERE type = 'table'")
      : await queryRows(s, "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()");
  const out: { table: string; row: Row }[] = [];
  for (const { name } of tables) {
    for (const row of await queryRows(s, `SELECT * FROM "${String(name)}"`)) out.push({ table: String(name), row });
  }
  return out;
}

/** The ids a row could name a party by. */
const idsOf = (d: TestDevice) => [d.accountId, d.deviceId, d.address.mailboxId, d.publicKey];

describeEachBackend("guest audit", (backend) => {
  let s: TestServer;
  let bert: TestDevice;
  let clara: TestDevice;
  let guest: TestDevice;
  let slug: string;
  const sockets: TestSocket[] = [];
  const payloads: Uint8Array[] = [];
  let photo: Uint8Array;

  before(async () => {
    s = await startTestServer(backend);
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    bert = await TestDevice.join(s, await admin.invite("Bert"));
    clara = await TestDevice.join(s, await admin.invite("Clara"));
    for (const d of [bert, clara]) {
      await d.login();
      const up = await d.call("POST", "/v1/key-packages", { oneTime: [encodeBase64url(randomBytes(300))] });
      assert.equal(up.status, 200);
    }
    slug = `audit-${process.pid}`;
    const cp = contactPoint(admin.organisation.key, {
      slug,
      staff: [bert.accountId, clara.accountId],
      issuedBy: admin.accountId,
    });
    assert.equal((await admin.postStatements([{ kind: "contactPoint", contactPoint: cp }])).status, 200);
    guest = await TestDevice.guest(s, slug, {
      organisationKey: admin.organisation.key.publicKey,
      contactPointId: cp.contactPointId,
    });
    await guest.login();
    const packages = await guest.call<ContactPointKeyPackagesResponse>(
      "GET",
      `/v1/contact-points/${slug}/key-packages`,
    );
    assert.equal(packages.status, 200);
    const staffAddresses: Address[] = packages.body.accounts.flatMap((a) =>
      a.devices.map((d) => ({ mailboxId: decodeBase64url(d.mailboxId)!, capability: decodeBase64url(d.capability)! })),
    );
    assert.equal(staffAddresses.length, 2);
    // The photo, as the customer's browser uploads it (here: random bytes standing for ciphertext).
    photo = new Uint8Array(randomBytes(4000));
    const upload = await http<BlobUploadResponse>(s, "POST", "/v1/blobs", {
      token: guest.token,
      raw: photo,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.equal(upload.status, 201);
    const guestSocket = await guest.connect();
    const bertSocket = await bert.connect();
    const claraSocket = await clara.connect();
    sockets.push(guestSocket, bertSocket, claraSocket);
    // The inquiry (with its Welcome) to both staff devices, then Bert's answer to the guest.
    const inquiry = new Uint8Array(randomBytes(300));
    payloads.push(inquiry);
    assert.equal((await guestSocket.send(staffAddresses, inquiry)).errorCode, "");
    await bertSocket.entries(1);
    await claraSocket.entries(1);
    const answer = new Uint8Array(randomBytes(300));
    payloads.push(answer);
    assert.equal((await bertSocket.send([guest.address], answer)).errorCode, "");
    const [received] = await guestSocket.entries(1);
    assert.ok(received !== undefined);
    guestSocket.ack([received.entryId]);
    await new Promise((r) => setTimeout(r, 300));
  });
  after(async () => {
    for (const x of sockets) await x.close();
    await s.close();
  });

  it("ties the guest to no staff member in any row (beyond the contact point's public staff list)", async () => {
    const rows = await allRows(s);
    const guestRows = rows.filter(({ row }) => idsOf(guest).some((id) => rowHolds(row, id)));
    assert.ok(guestRows.length >= 3, "the guest's account, device and mailbox are stored");
    for (const { table, row } of guestRows) {
      for (const staff of [bert, clara]) {
        for (const id of idsOf(staff)) {
          assert.ok(!rowHolds(row, id), `${table} ties the guest to ${staff.name}`);
        }
      }
    }
    // Where staff are named, by design: the signed statement and the log. Neither names the guest.
    for (const { table, row } of rows.filter((r) => r.table === "contact_points" || r.table === "organisation_log")) {
      for (const id of idsOf(guest)) assert.ok(!rowHolds(row, id), `${table} names the guest`);
    }
  });

  it("holds none of the inquiry's, the answer's or the photo's bytes in a row", async () => {
    const rows = await allRows(s);
    const windows = [...payloads, photo].flatMap((p) => [p.subarray(0, 32), p.subarray(100, 132)]);
    assert.ok(windows.every((w) => w.length === 32));
    for (const { table, row } of rows) {
      for (const w of windows) assert.ok(!rowHolds(row, w), `${table} holds content`);
    }
  });

  it("logs neither the guest nor the slug", () => {
    assert.ok(s.logs.length > 0);
    for (const line of s.logs) {
      assert.ok(!line.includes(slug), line);
      for (const id of idsOf(guest)) {
        for (const spelling of spellings(id).slice(1)) assert.ok(!line.includes(spelling.toString()), line);
      }
    }
  });
});
