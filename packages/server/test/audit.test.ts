/**
 * The metadata audit: after a day's worth of traffic in miniature among five
 * devices, read the whole SQLite file (with WAL) and every log line, as an
 * operator or a thief of a backup would, and look for what must not be there.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { encodeBase64url, decodeBase64url } from "@bote/protocol";
import { startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, http, type TestSocket } from "./support/device.js";
import { queryRows } from "./support/db.js";

interface Sent {
  messageId: Uint8Array;
  sender: TestDevice;
  recipients: TestDevice[];
}

/** All the ways an id could be written down. */
function spellings(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [b.toString("hex"), b.toString("hex").toUpperCase(), encodeBase64url(bytes), b.toString("base64")];
}

function containsBytes(haystack: Buffer, needle: Uint8Array): boolean {
  return haystack.indexOf(Buffer.from(needle)) >= 0 || spellings(needle).some((s) => haystack.includes(s));
}

describe("metadata audit (SQLite file, WAL and logs)", () => {
  let s: TestServer;
  const devices: TestDevice[] = [];
  const sockets = new Map<TestDevice, TestSocket>();
  const sent: Sent[] = [];
  const tokens: string[] = [];

  before(async () => {
    s = await startTestServer("sqlite");
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    tokens.push(await admin.login());
    devices.push(admin);
    for (const name of ["Bert", "Clara", "Dieter", "Erika"]) {
      const d = await TestDevice.join(s, await admin.invite(name));
      tokens.push(await d.login());
      devices.push(d);
    }
    for (const d of devices) sockets.set(d, await d.connect());
    // Key packages go up and are fetched, as for first contact.
    for (const d of devices) {
      const res = await d.call("POST", "/v1/key-packages", {
        oneTime: [encodeBase64url(randomBytes(300)), encodeBase64url(randomBytes(300))],
        lastResort: encodeBase64url(randomBytes(300)),
      });
      assert.equal(res.status, 200);
    }
    const bert = devices[1]!;
    const fetched = await devices[0]!.call("GET", `/v1/accounts/${encodeBase64url(bert.accountId)}/key-packages`);
    assert.equal(fetched.status, 200);
    // 1:1 both ways, a group of five with a commit and a Welcome, a photo.
    const send = async (from: TestDevice, to: TestDevice[], options = {}) => {
      const messageId = new Uint8Array(randomBytes(16));
      const r = await sockets.get(from)!.send(
        to.map((d) => d.address),
        new Uint8Array(randomBytes(180)),
        { messageId, ...options },
      );
      assert.equal(r.errorCode, "");
      sent.push({ messageId, sender: from, recipients: to });
    };
    const [a, b, c, d, e] = devices as [TestDevice, TestDevice, TestDevice, TestDevice, TestDevice];
    await send(a, [b]);
    await send(b, [a]);
    await send(c, [a, b, d, e], {
      commit: { groupId: new Uint8Array(randomBytes(32)), epoch: 0n },
    });
    for (let i = 0; i < 10; i++) {
      const from = devices[i % 5]!;
      await send(
        from,
        devices.filter((x) => x !== from),
      );
    }
    const blob = await http(s, "POST", "/v1/blobs", {
      raw: new Uint8Array(randomBytes(5000)),
      headers: { "content-type": "application/octet-stream" },
      token: tokens[3]!,
    });
    assert.equal(blob.status, 201);
    // Half the devices acknowledge what they got; the rest stay queued, as for phones that are offline.
    for (const dev of [a, b, c]) {
      const socket = sockets.get(dev)!;
      const expected = sent.filter((m) => m.recipients.includes(dev)).length;
      const entries = await socket.entries(expected);
      socket.ack(entries.map((x) => x.entryId));
    }
    await new Promise((r) => setTimeout(r, 200));
  });
  after(async () => {
    for (const x of sockets.values()) await x.close();
    await s.close();
  });

  it("stores no sender next to a queue entry", async () => {
    const entries = await queryRows(s, "select * from entries");
    assert.ok(entries.length > 0, "some entries are still queued");
    const cells = Buffer.from(
      JSON.stringify(entries, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v)),
    );
    // A device's own mailbox holds what others sent it; its account and device ids appear in no entry.
    for (const m of sent) {
      for (const id of [m.sender.accountId, m.sender.deviceId]) {
        assert.equal(containsBytes(cells, id), false, `sender ${m.sender.name} appears with an entry`);
      }
    }
    // No column of the queue's tables could hold a sender at all (dumpAudit.test.ts tries to group them).
    const columns = await queryRows(
      s,
      `select name from pragma_table_info('entries') union all select name from pragma_table_info('sends')
       union all select name from pragma_table_info('group_guards')`,
    );
    assert.ok(columns.length >= 9);
    for (const { name } of columns) assert.doesNotMatch(String(name), /sender|from|account|device|session|created/i);
  });

  it("keeps no session token, capability or server secret in the database file or its WAL", async () => {
    const files = (await readdir(s.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
    assert.ok(files.includes("bote.sqlite"));
    const bytes = Buffer.concat(await Promise.all(files.map((f) => readFile(join(s.dataDir, f)))));
    for (const token of tokens) {
      assert.equal(bytes.includes(token), false, "a session token in clear");
      assert.equal(containsBytes(bytes, decodeBase64url(token)!), false, "session token bytes");
    }
    for (const d of devices) assert.equal(containsBytes(bytes, d.address.capability), false, "a capability");
    const secrets = JSON.parse(s.secrets.serialize()) as { keys: Record<string, string> };
    for (const key of Object.values(secrets.keys))
      assert.equal(containsBytes(bytes, decodeBase64url(key)!), false, "the server secret");
  });

  it("logs no id, capability, token, payload or pair of sender and recipient", () => {
    assert.ok(s.logs.length > 20, "the exchange was logged");
    const logs = Buffer.from(s.logs.join("\n"));
    for (const d of devices) {
      for (const id of [d.accountId, d.deviceId, d.address.mailboxId, d.address.capability]) {
        assert.equal(containsBytes(logs, id), false, `an id of ${d.name} in the logs`);
      }
    }
    for (const token of tokens) assert.equal(logs.includes(token), false, "a session token in the logs");
    for (const m of sent) assert.equal(containsBytes(logs, m.messageId), false, "a message id in the logs");
    // The server logs its own listening address once; a client's address must never appear.
    const clientLines = s.logs.filter((l) => !l.includes("Server listening at"));
    assert.doesNotMatch(clientLines.join("\n"), /127\.0\.0\.1|remoteAddress|remotePort|"ip"/, "no client address");
  });
});
