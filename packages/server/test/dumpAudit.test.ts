/**
 * The dump audit (docs/THREAT-MODEL.md, "At rest"). After 1:1 and group
 * traffic among five devices, with some entries acknowledged and some still
 * pending, it reads what a thief of the database gets without the secrets
 * file: the SQLite file with its WAL and SHM, or a pg_dump. It tries to group
 * queue entries into sends by equal payload bytes, by adjacent ids and by
 * shared column values, and to name a group's members. It knows nothing of
 * the schema: it reads every table and follows the entry ids the recipients
 * were given.
 */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { encodeBase64url } from "@bote/protocol";
import { describeEachBackend, startTestServer, type Backend, type TestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";
import { queryRows } from "./support/db.js";

const run = promisify(execFile);

interface Sent {
  messageId: Uint8Array;
  payload: Uint8Array;
  recipients: TestDevice[];
  /** The entry id each recipient was handed, in recipient order. */
  entryIds: number[];
  acknowledged: boolean;
}

type Row = Record<string, unknown>;

function spellings(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [b.toString("hex"), encodeBase64url(bytes), b.toString("base64")];
}

function contains(haystack: Buffer, needle: Uint8Array): boolean {
  return haystack.includes(Buffer.from(needle)) || spellings(needle).some((s) => haystack.includes(s));
}

/** 32-byte windows of a payload: any of them in a dump would show the payload, and with it who shared it. */
function windows(payload: Uint8Array): Uint8Array[] {
  return [0, 48, 96, 144].map((at) => payload.subarray(at, at + 32));
}

const asBytes = (v: unknown): Buffer | undefined => (v instanceof Uint8Array ? Buffer.from(v) : undefined);

/** Every row of every table, as a dump holds them. */
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

/** The rows that hold an entry id, as a number or as the text PostgreSQL gives bigints in. */
function rowsOfEntry(rows: { table: string; row: Row }[], entryId: number): Row[] {
  return rows
    .filter(({ row }) => Object.values(row).some((v) => v === entryId || v === String(entryId)))
    .map(({ row }) => row);
}

const cell = (v: unknown): string => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : String(v));

/** What a thief reads without the secrets file: the files themselves, or a pg_dump. */
async function rawDump(s: TestServer): Promise<Buffer> {
  if (s.backend === "sqlite") {
    const files = (await readdir(s.dataDir)).filter((f) => f.startsWith("bote.sqlite"));
    return Buffer.concat(await Promise.all(files.map((f) => readFile(join(s.dataDir, f)))));
  }
  const { stdout } = await run("pg_dump", ["--no-owner", s.databaseUrl!], { maxBuffer: 64 * 1024 * 1024 });
  return Buffer.from(stdout);
}

describeEachBackend("dump audit", (backend: Backend) => {
  let s: TestServer;
  const devices: TestDevice[] = [];
  const sockets = new Map<TestDevice, TestSocket>();
  const sent: Sent[] = [];
  const groupId = new Uint8Array(randomBytes(32));
  /** Blob values of the rows of acknowledged entries, read while they were still pending. */
  const ackedCells: Buffer[] = [];

  before(async () => {
    s = await startTestServer(backend);
    const admin = await TestDevice.join(s, s.adminInvitationToken, "Anna");
    await admin.login();
    devices.push(admin);
    for (const name of ["Bert", "Clara", "Dieter", "Erika"]) {
      const d = await TestDevice.join(s, await admin.invite(name));
      await d.login();
      devices.push(d);
    }
    for (const d of devices) sockets.set(d, await d.connect());
    const [a, b, c, d, e] = devices as [TestDevice, TestDevice, TestDevice, TestDevice, TestDevice];
    const send = async (from: TestDevice, to: TestDevice[], options = {}) => {
      const messageId = new Uint8Array(randomBytes(16));
      const payload = new Uint8Array(randomBytes(180));
      const r = await sockets.get(from)!.send(
        to.map((x) => x.address),
        payload,
        { messageId, ...options },
      );
      assert.equal(r.errorCode, "");
      sent.push({ messageId, payload, recipients: to, entryIds: [], acknowledged: false });
    };
    // Three 1:1 chats, then a group of four made by a commit, then group messages.
    await send(a, [b]);
    await send(b, [a]);
    await send(c, [d]);
    await send(c, [a, b, d, e], { commit: { groupId, epoch: 0n } });
    for (const from of [a, b, d, e, c, a])
      await send(
        from,
        [a, b, c, d, e].filter((x) => x !== from),
      );
    // Every recipient reads its entries; the ids are what the audit follows.
    for (const dev of devices) {
      const mine = sent.filter((m) => m.recipients.includes(dev));
      for (const entry of await sockets.get(dev)!.entries(mine.length)) {
        const m = mine.find((x) => Buffer.from(entry.payload).subarray(0, 180).equals(Buffer.from(x.payload)));
        assert.ok(m, "a delivered entry matches a send");
        m.entryIds[m.recipients.indexOf(dev)] = Number(entry.entryId);
      }
    }
    // Anna, Bert and Clara acknowledge everything; Dieter and Erika stay offline in effect.
    const rows = await allRows(s);
    const ackers = [a, b, c];
    for (const m of sent) {
      m.recipients.forEach((r, i) => {
        if (!ackers.includes(r)) return;
        for (const row of rowsOfEntry(rows, m.entryIds[i]!)) {
          for (const v of Object.values(row)) {
            const bytes = asBytes(v);
            if (bytes !== undefined && bytes.length >= 32) ackedCells.push(bytes);
          }
        }
      });
      m.acknowledged = m.recipients.every((r) => ackers.includes(r));
    }
    for (const dev of ackers) {
      sockets
        .get(dev)!
        .ack(sent.flatMap((m) => m.recipients.flatMap((r, i) => (r === dev ? [BigInt(m.entryIds[i]!)] : []))));
    }
    // Longer than the server waits before it checkpoints and truncates the WAL.
    await new Promise((r) => setTimeout(r, 2000));
  });
  after(async () => {
    for (const x of sockets.values()) await x.close();
    await s.close();
  });

  it("holds no payload, message id or group id in any spelling, pending or acknowledged", async () => {
    const dump = await rawDump(s);
    assert.ok(dump.length > 1000);
    for (const m of sent) {
      for (const w of windows(m.payload)) assert.equal(contains(dump, w), false, "payload bytes in the dump");
      assert.equal(contains(dump, m.messageId), false, "a message id in the dump");
    }
    assert.equal(contains(dump, groupId), false, "the group id in the dump");
  });

  it("gives the entries of one send no adjacent ids", () => {
    for (const m of sent.filter((x) => x.recipients.length > 1)) {
      const ids = [...m.entryIds].sort((x, y) => x - y);
      assert.equal(ids.length, m.recipients.length);
      for (let i = 1; i < ids.length; i++) {
        assert.ok(ids[i]! - ids[i - 1]! > 2 ** 20, `entries ${ids[i - 1]} and ${ids[i]} of one send lie together`);
      }
    }
  });

  it("lets no column value single out the pending entries of one send, and no two rows share their bytes", async () => {
    const rows = await allRows(s);
    const pendingOf = (m: Sent) =>
      m.recipients.flatMap((r, i) => (m.acknowledged || [devices[0], devices[1], devices[2]].includes(r) ? [] : [i]));
    const entryRows = new Map<number, Row>();
    for (const m of sent) {
      for (const i of pendingOf(m)) {
        const found = rowsOfEntry(rows, m.entryIds[i]!);
        assert.ok(found.length >= 1, "a pending entry is in the dump");
        entryRows.set(m.entryIds[i]!, found[0]!);
      }
    }
    for (const m of sent) {
      const mine = pendingOf(m).map((i) => entryRows.get(m.entryIds[i]!)!);
      if (mine.length < 2) continue;
      const others = [...entryRows.entries()]
        .filter(([entryId]) => !m.entryIds.includes(entryId))
        .map(([, row]) => row);
      for (const column of Object.keys(mine[0]!)) {
        const values = new Set(mine.map((row) => cell(row[column])));
        if (values.size !== 1) continue;
        const [value] = values;
        const elsewhere = others.some((row) => cell(row[column]) === value);
        assert.ok(elsewhere, `column ${column} = ${value} belongs to the entries of one send alone`);
      }
    }
    // Equal bytes in two rows would pair them, whatever the columns are called.
    const seen = new Map<string, string>();
    for (const { table, row } of rows) {
      for (const v of Object.values(row)) {
        const bytes = asBytes(v);
        if (bytes === undefined || bytes.length < 32) continue;
        const key = bytes.toString("hex");
        assert.equal(seen.has(key), false, `the same ${bytes.length} bytes in ${seen.get(key)} and ${table}`);
        seen.set(key, table);
      }
    }
  });

  it("keeps nothing of an acknowledged entry, in the WAL or elsewhere", async () => {
    assert.ok(sent.some((m) => m.acknowledged));
    const dump = await rawDump(s);
    for (const bytes of ackedCells) assert.equal(contains(dump, bytes), false, "an acknowledged entry's bytes remain");
    for (const m of sent.filter((x) => x.acknowledged)) {
      for (const w of windows(m.payload)) assert.equal(contains(dump, w), false, "an acknowledged payload remains");
    }
  });
});
