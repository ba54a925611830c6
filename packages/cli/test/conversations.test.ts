/**
 * End to end over real processes: one `bote serve` (SQLite, local files) and
 * a `bote` client process per command, each with its own profile (SQLite).
 * The steps build on each other like a working day: people join, chat 1:1
 * and in a group, a file goes round, someone goes offline, someone is
 * removed, the server restarts.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { WebSocket } from "ws";
import { create } from "@bufbuild/protobuf";
import { decodeDevice } from "@bote/core";
import { encodeClientFrame, decodeServerFrame, HelloSchema, PROTOCOL_VERSION, SendSchema } from "@bote/protocol";
import { AtRestKeys, ServerSecrets } from "@bote/server";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { CLIENT_STORE_APPLICATION_ID, CLIENT_STORE_MIGRATIONS } from "../src/profile/clientStoreSchema.js";
import { bin, bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let port: number;
let server: RunningServer;

const profile = (name: string) => ["--profile", join(root, name)];
const json = (name: string) => [...profile(name), "--json"];

/** New text messages a `bote sync --json` printed. */
async function syncTexts(name: string): Promise<string[]> {
  const result = await boteOk(["sync", ...json(name)]);
  return result.lines.filter((l) => l.type === "message" && typeof l.text === "string").map((l) => String(l.text));
}

async function invite(name: string, role: "member" | "admin" = "member"): Promise<string> {
  const result = await boteOk(["admin", "invite", "--name", name, "--role", role, ...json("anna")]);
  const url = result.lines.find((l) => l.type === "invitation")?.url;
  assert.equal(typeof url, "string");
  return String(url);
}

async function chat(name: string, chatName: string): Promise<Record<string, unknown>> {
  const result = await boteOk(["chats", ...json(name)]);
  const found = result.lines.find((l) => l.name === chatName);
  assert.ok(found, `${name} has no chat ${chatName}: ${result.stdout}`);
  return found;
}

describe("bote client end to end (real server and client processes)", { timeout: 600_000 }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-e2e-"));
    dataDir = join(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("three people join by invitation", async () => {
    const first = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    const joined = await boteOk(["join", first, "--name", "Anna Admin", ...json("anna")]);
    assert.equal(joined.lines[0]?.holdsOrganisationKey, true);
    assert.equal(joined.lines[0]?.role, "admin");
    const link = await invite("Bernd Bau");
    // The invitation key travels in the fragment, which browsers and clients never send to the server.
    assert.match(link, /#t=[^&]+&k=/);
    // The name comes from the invitation the organisation signed: the newcomer types none.
    const bernd = await boteOk(["join", link, ...json("bernd")]);
    assert.equal(bernd.lines[0]?.role, "member");
    await boteOk(["join", await invite("Carla Chef"), ...json("carla")]);
    const reused = await bote(["join", link, ...json("zweiter")]);
    assert.equal(reused.code, 1);
    assert.match(reused.stderr, /invitation_(used|invalid)/);
    // The session token is kept for the next command, readable by the owner only.
    assert.equal((await stat(join(root, "anna", "session"))).mode & 0o777, 0o600);
    const contacts = await boteOk(["contacts", ...json("anna")]);
    assert.deepEqual(contacts.lines.map((l) => l.displayName).sort(), ["Bernd Bau", "Carla Chef"]);
  });

  it("1:1 both ways", async () => {
    const sent = await boteOk(["send", "--to", "Bernd Bau", "Hallo Bernd, Angebot kommt heute.", ...json("anna")]);
    assert.equal(sent.lines[0]?.status, "sent");
    assert.deepEqual(await syncTexts("bernd"), ["Hallo Bernd, Angebot kommt heute."]);
    await boteOk(["send", "--to", "Anna Admin", "Danke!", ...json("bernd")]);
    assert.deepEqual(await syncTexts("anna"), ["Danke!"]);
    // The second message reuses the direct chat instead of making a new group.
    const chats = await boteOk(["chats", ...json("anna")]);
    assert.equal(chats.lines.filter((l) => l.kind === "direct").length, 1);
    // Nothing is shown twice.
    assert.deepEqual(await syncTexts("bernd"), []);
    // Their credentials, seen in the chat, are signed by the organisation.
    const contacts = await boteOk(["contacts", ...json("anna")]);
    assert.equal(contacts.lines.find((l) => l.displayName === "Bernd Bau")?.trust, "organisation");
    assert.equal(contacts.lines.find((l) => l.displayName === "Carla Chef")?.trust, "unseen");
    // End-to-end receipts: Bernd's device said it stored the message; reading it says more.
    const status = async () => {
      await boteOk(["sync", ...json("anna")]);
      const history = await boteOk(["messages", "--chat", "Bernd Bau", "--no-mark-read", ...json("anna")]);
      return history.lines.find((l) => l.text === "Hallo Bernd, Angebot kommt heute.")?.status;
    };
    assert.equal(await status(), "delivered");
    await boteOk(["messages", "--chat", "Anna Admin", ...json("bernd")]);
    assert.equal(await status(), "read");
  });

  it("a group of three", async () => {
    await boteOk(["group", "create", "--name", "Baustelle Nord", "--members", "Bernd Bau,Carla Chef", ...json("anna")]);
    await boteOk(["send", "--to", "Baustelle Nord", "Gerüst steht ab Montag.", ...json("anna")]);
    assert.deepEqual(await syncTexts("bernd"), ["Gerüst steht ab Montag."]);
    assert.deepEqual(await syncTexts("carla"), ["Gerüst steht ab Montag."]);
    await boteOk(["send", "--to", "Baustelle Nord", "Ich bestelle den Beton.", ...json("carla")]);
    assert.deepEqual(await syncTexts("anna"), ["Ich bestelle den Beton."]);
    assert.deepEqual(await syncTexts("bernd"), ["Ich bestelle den Beton."]);
  });

  it("an offline recipient catches up in order", async () => {
    for (const text of ["eins", "zwei", "drei"])
      await boteOk(["send", "--to", "Baustelle Nord", text, ...json("bernd")]);
    assert.deepEqual(await syncTexts("carla"), ["eins", "zwei", "drei"]);
    assert.deepEqual(await syncTexts("anna"), ["eins", "zwei", "drei"]);
  });

  it("a file goes round encrypted, and a download whose bytes were changed is refused", async () => {
    const file = join(root, "aufmass.pdf");
    const bytes = randomBytes(300_000);
    await writeFile(file, bytes);
    await boteOk(["send", "--to", "Baustelle Nord", "--file", file, "Aufmaß vom Keller", ...json("anna")]);
    const synced = await boteOk(["sync", ...json("bernd")]);
    const message = synced.lines.find((l) => l.attachment !== undefined);
    assert.ok(message, synced.stdout);
    assert.deepEqual(message.attachment, {
      kind: "file",
      fileName: "aufmass.pdf",
      mediaType: "application/pdf",
      size: 300_000,
      caption: "Aufmaß vom Keller",
    });
    const out = join(root, "bernd-download.pdf");
    await boteOk(["download", String(message.messageId), "--out", out, ...json("bernd")]);
    assert.equal(
      createHash("sha256")
        .update(await readFile(out))
        .digest("hex"),
      createHash("sha256").update(bytes).digest("hex"),
    );
    // The server's copy is ciphertext only.
    const blobsDir = join(dataDir, "blobs");
    const [blob] = (await readdir(blobsDir)).filter((f) => !f.startsWith("tmp"));
    const stored = await readFile(join(blobsDir, blob!));
    assert.equal(stored.includes(bytes.subarray(1000, 1064)), false);
    // One flipped byte in the stored ciphertext: the digest check refuses it and nothing is written.
    const middle = stored.length >> 1;
    stored[middle] = stored[middle]! ^ 0x01;
    await writeFile(join(blobsDir, blob!), stored);
    const carlaSync = await boteOk(["sync", ...json("carla")]);
    const carlaMessage = carlaSync.lines.find((l) => l.attachment !== undefined);
    const bad = join(root, "carla-download.pdf");
    const refused = await bote(["download", String(carlaMessage?.messageId), "--out", bad, ...json("carla")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /attachment_corrupt/);
    await assert.rejects(access(bad));
    assert.equal((await readdir(root)).filter((f) => f.startsWith("carla-download")).length, 0);
  });

  it("a replayed envelope is shown once", async () => {
    await boteOk(["send", "--to", "Bernd Bau", "Nur einmal bitte", ...json("anna")]);
    const store = SqliteClientStore.open(join(root, "bernd", "bote.db"));
    const device = decodeDevice((await store.getProfile())!.device);
    await store.close();
    assert.ok(device.ok);
    const address = device.value.deliveryAddress;
    // As the operator, who holds the secrets file too: open Bernd's newest entry and send it again under a new message id.
    const db = new Database(join(dataDir, "bote.sqlite"), { readonly: true });
    const row = db
      .prepare("SELECT sealed FROM entries WHERE mailbox_id = ? ORDER BY seq DESC LIMIT 1")
      .get(Buffer.from(address.mailboxId)) as { sealed: Buffer };
    db.close();
    const secrets = await ServerSecrets.load(join(dataDir, "server-secrets.json"), { create: false });
    const payload = new AtRestKeys(secrets).openEntry(address.mailboxId, row.sealed);
    assert.ok(payload !== undefined);
    const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    await new Promise((resolve) => socket.once("open", resolve));
    socket.send(
      encodeClientFrame({ case: "hello", value: create(HelloSchema, { protocolVersion: PROTOCOL_VERSION }) }),
    );
    socket.send(
      encodeClientFrame({
        case: "send",
        value: create(SendSchema, {
          requestId: 1,
          messageId: randomBytes(16),
          recipients: [{ mailboxId: address.mailboxId, capability: address.capability }],
          payload,
        }),
      }),
    );
    await new Promise<void>((resolve) =>
      socket.on("message", (data: Buffer) => {
        if (decodeServerFrame(data).case === "sendResult") resolve();
      }),
    );
    socket.close();
    const synced = await boteOk(["sync", ...json("bernd")]);
    const lines = synced.lines.filter((l) => l.type === "message");
    assert.deepEqual(
      lines.map((l) => l.text),
      ["Nur einmal bitte"],
    );
  });

  it("two members change the group at the same moment: both end in the same epoch", async () => {
    // Carla writes meanwhile: a message from the epoch before a commit still reads.
    const [a, b, c] = await Promise.all([
      bote(["group", "rename", "--chat", "Baustelle Nord", "--name", "Baustelle Nord (Anna)", ...json("anna")]),
      bote(["group", "rename", "--chat", "Baustelle Nord", "--name", "Baustelle Nord (Bernd)", ...json("bernd")]),
      bote(["send", "--to", "Baustelle Nord", "Während der Umbenennung", ...json("carla")]),
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(c.code, 0, c.stderr);
    // Any command that connects processes what arrives, so the rename runs may have stored it already.
    for (const who of ["anna", "bernd", "carla"]) await boteOk(["sync", ...json(who)]);
    const epochs = await Promise.all(
      ["anna", "bernd", "carla"].map(async (who) => {
        const result = await boteOk(["chats", ...json(who)]);
        const group = result.lines.find((l) => l.kind === "group");
        return { epoch: group?.epoch, name: group?.name };
      }),
    );
    assert.equal(new Set(epochs.map((e) => e.epoch)).size, 1, JSON.stringify(epochs));
    assert.equal(new Set(epochs.map((e) => e.name)).size, 1, JSON.stringify(epochs));
    const groupName = String(epochs[0]!.name);
    for (const who of ["anna", "bernd"]) {
      const history = await boteOk(["messages", "--chat", groupName, ...json(who)]);
      assert.equal(history.lines.filter((l) => l.text === "Während der Umbenennung").length, 1, who);
    }
    // No fork: a message after both commits reads everywhere.
    await boteOk(["send", "--to", groupName, "Beide Namen gesehen", ...json("carla")]);
    assert.deepEqual(await syncTexts("anna"), ["Beide Namen gesehen"]);
    assert.deepEqual(await syncTexts("bernd"), ["Beide Namen gesehen"]);
  });

  it("a removed member cannot read what comes after", async () => {
    const group = String(
      (await chat("anna", "Baustelle Nord (Anna)").catch(() => chat("anna", "Baustelle Nord (Bernd)"))).name,
    );
    await boteOk(["group", "remove", "--chat", group, "--members", "Carla Chef", ...json("anna")]);
    const carla = await boteOk(["sync", ...json("carla")]);
    assert.ok(
      carla.lines.some((l) => (l.event as { type?: string } | undefined)?.type === "removed"),
      carla.stdout,
    );
    await boteOk(["send", "--to", group, "Nur noch für uns zwei", ...json("anna")]);
    assert.deepEqual(await syncTexts("bernd"), ["Nur noch für uns zwei"]);
    assert.deepEqual(await syncTexts("carla"), []);
    const refused = await bote(["send", "--to", group, "Hallo?", ...json("carla")]);
    assert.equal(refused.code, 1);
  });

  it("a member who leaves is removed by the others and reads nothing after", async () => {
    await boteOk(["group", "create", "--name", "Einkauf", "--members", "Bernd Bau,Carla Chef", ...json("anna")]);
    await boteOk(["sync", ...json("carla")]);
    await boteOk(["group", "leave", "--chat", "Einkauf", ...json("carla")]);
    // Anna, the member with the lowest leaf, commits Carla's Remove proposal when she next connects.
    await boteOk(["sync", ...json("anna")]);
    await boteOk(["sync", ...json("bernd")]);
    const epochs = await Promise.all(["anna", "bernd"].map(async (who) => (await chat(who, "Einkauf")).epoch));
    assert.equal(epochs[0], epochs[1]);
    const members = await boteOk(["messages", "--chat", "Einkauf", "--no-mark-read", ...json("bernd")]);
    assert.ok(
      members.lines.some((l) => (l.event as { type?: string } | undefined)?.type === "members_removed"),
      members.stdout,
    );
    await boteOk(["send", "--to", "Einkauf", "Ohne Carla weiter", ...json("anna")]);
    assert.deepEqual(await syncTexts("bernd"), ["Ohne Carla weiter"]);
    assert.deepEqual(await syncTexts("carla"), []);
    assert.equal((await chat("carla", "Einkauf")).active, false);
  });

  it("keeps working after the server and the clients restart", async () => {
    await stopServer(server);
    server = await startServer(dataDir, port);
    // A remembered token the server does not know any more is replaced by a fresh login.
    const forgotten = { token: "x".repeat(43), expiresAt: Date.now() + 3_600_000 };
    await writeFile(join(root, "anna", "session"), JSON.stringify(forgotten), { mode: 0o600 });
    await boteOk(["send", "--to", "Bernd Bau", "Nach dem Neustart", ...json("anna")]);
    assert.deepEqual(await syncTexts("bernd"), ["Nach dem Neustart"]);
    const history = await boteOk(["messages", "--chat", "Anna Admin", ...json("bernd")]);
    assert.ok(history.lines.some((l) => l.text === "Hallo Bernd, Angebot kommt heute."));
  });

  it("a link without its fragment joins nobody; colleagues compare safety numbers", async () => {
    const link = await invite("Dora Fremd");
    // Without its fragment the link carries no invitation key: no account can be certified with it.
    const stripped = link.replace(/&.*$/, "");
    const refused = await bote(["join", stripped, "--name", "Dora Fremd", ...json("dora-stripped")]);
    assert.equal(refused.code, 1);
    await boteOk(["join", link, ...json("dora")]);
    await boteOk(["send", "--to", "Dora Fremd", "Hallo Dora", ...json("anna")]);
    assert.deepEqual(await syncTexts("dora"), ["Hallo Dora"]);
    // For people: the number and a QR code drawn in the terminal.
    const shown = await boteOk(["verify", "Dora Fremd", ...profile("anna")]);
    assert.match(shown.stdout, /Sicherheitsnummer mit Dora Fremd:\n(\d{5} ){11}\d{5}/);
    assert.match(shown.stdout, /[▀▄█]/);
    const verify = await boteOk(["verify", "Dora Fremd", ...json("anna")]);
    const number = verify.lines.find((l) => l.type === "safety_number");
    assert.match(String(number?.safetyNumber), /^(\d{5} ){11}\d{5}$/);
    // Dora sees the same number on her side.
    const hers = await boteOk(["verify", "Anna Admin", ...json("dora")]);
    assert.equal(hers.lines.find((l) => l.type === "safety_number")?.safetyNumber, number?.safetyNumber);
    await boteOk(["verify", "Dora Fremd", "--confirm", ...json("anna")]);
    await boteOk(["verify", "Anna Admin", "--confirm", ...json("dora")]);
    await boteOk(["send", "--to", "Dora Fremd", "Verifiziert", ...json("anna")]);
    assert.deepEqual(await syncTexts("dora"), ["Verifiziert"]);
  });

  it("bote listen prints messages as they arrive and ends cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin, "listen", ...json("bernd")], {
      env: { ...process.env, LANG: "de_DE.UTF-8", LC_ALL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    // Queued or live, the message is printed the moment it is stored.
    await boteOk(["send", "--to", "Bernd Bau", "Bist du da?", ...json("anna")]);
    const deadline = Date.now() + 20_000;
    while (!out.includes("Bist du da?") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const line = out.split("\n").find((l) => l.includes("Bist du da?"));
    assert.ok(line, out);
    assert.equal((JSON.parse(line) as { from: string }).from, "Anna Admin");
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });

  it("an admin sees members and invitations, writes the recovery kit, and deactivates a colleague in one command", async () => {
    const members = await boteOk(["admin", "members", ...json("anna")]);
    const dora = members.lines.find((l) => l.name === "Dora Fremd");
    assert.equal(dora?.state, "confirmed", "confirmed directly by Anna's device");
    assert.equal(members.lines.find((l) => l.name === "Anna Admin")?.role, "admin");
    const invitations = await boteOk(["admin", "invitations", ...json("anna")]);
    assert.equal(invitations.lines.find((l) => l.displayName === "Dora Fremd")?.state, "used");
    const passphrase = join(root, "passphrase.txt");
    await writeFile(passphrase, "Dachrinne-Nord-2026\n", { mode: 0o600 });
    const kitFile = join(root, "kit.json");
    const kit = await boteOk([
      "admin",
      "recovery-kit",
      "--out",
      kitFile,
      "--passphrase-file",
      passphrase,
      ...json("anna"),
    ]);
    assert.match(String(kit.lines[0]?.code), /^([0-9A-Z]{4}-){13}[0-9A-Z]{3}$/);
    assert.equal((await stat(kitFile)).mode & 0o777, 0o600);
    assert.equal((JSON.parse(await readFile(kitFile, "utf8")) as Record<string, unknown>)["bote-recovery-kit"], 1);
    const weak = await bote(["admin", "recovery-kit", "--out", join(root, "kit2.json"), ...profile("anna")]);
    assert.equal(weak.code, 2, "no passphrase, no kit");
    await boteOk(["admin", "deactivate", "Dora Fremd", ...json("anna")]);
    const refused = await bote(["sync", ...profile("dora")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /deaktiviert/);
    const after = await boteOk(["admin", "members", ...json("anna")]);
    assert.equal(
      after.lines.some((l) => l.name === "Dora Fremd"),
      false,
    );
    const notAdmin = await bote(["admin", "deactivate", "Anna Admin", ...json("bernd")]);
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /not_admin/);
  });

  it("bote device link and bote device join make a second device that reads the same chats", async () => {
    const env = { ...process.env, LANG: "de_DE.UTF-8", LC_ALL: "" };
    const link = spawn(process.execPath, [bin, "device", "link", ...json("bernd")], {
      env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    link.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const linked = new Promise<number | null>((resolve) => link.once("exit", (code) => resolve(code)));
    const lineOf = async (type: string): Promise<Record<string, unknown>> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const found = out
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.type === type);
        if (found !== undefined) return found;
        if (Date.now() > deadline) assert.fail(`no ${type} line: ${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const offer = await lineOf("device_link");
    const joining = bote(["device", "join", String(offer.code), "--server", server.url, ...json("bernd-phone")]);
    const compare = await lineOf("comparison_code");
    link.stdin.end("ja\n");
    const phone = await joining;
    assert.equal(phone.code, 0, phone.stderr);
    assert.ok(phone.stdout.includes(String(compare.comparisonCode)), "the phone showed the same comparison code");
    assert.equal(await linked, 0);
    await boteOk(["send", "--to", "Bernd Bau", "An beide Geräte", ...json("anna")]);
    assert.deepEqual(await syncTexts("bernd-phone"), ["An beide Geräte"]);
    assert.deepEqual(await syncTexts("bernd"), ["An beide Geräte"]);
  });

  it("leaves no plaintext in the server's database, files or logs, and no capability outside key packages", async () => {
    const texts = [
      "Hallo Bernd, Angebot kommt heute.",
      "Gerüst steht ab Montag.",
      "Ich bestelle den Beton.",
      "Nur noch für uns zwei",
      "Fotos vom Keller",
      "baustelle.jpg",
      "Baustelle Nord",
    ];
    const files = ["bote.sqlite", "bote.sqlite-wal", "bote.sqlite-shm"].map((f) => join(dataDir, f));
    const dumps = [...(await Promise.all(files.map((f) => readFile(f).catch(() => Buffer.alloc(0)))))];
    const logs = Buffer.from(server.stdout() + server.stderr());
    for (const haystack of [...dumps, logs]) {
      for (const text of texts) assert.equal(haystack.includes(Buffer.from(text)), false, text);
    }
    // Capabilities travel in key packages (the ratchet tree is the address book); nowhere else.
    const capabilities: Buffer[] = [];
    for (const who of ["anna", "bernd", "carla", "dora"]) {
      const store = SqliteClientStore.open(join(root, who, "bote.db"));
      const device = decodeDevice((await store.getProfile())!.device);
      await store.close();
      assert.ok(device.ok);
      capabilities.push(Buffer.from(device.value.deliveryAddress.capability));
    }
    const db = new Database(join(dataDir, "bote.sqlite"), { readonly: true });
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'key_packages'").all() as {
        name: string;
      }[]
    ).map((t) => t.name);
    for (const table of tables) {
      for (const row of db.prepare(`SELECT * FROM "${table}"`).raw().all() as unknown[][]) {
        for (const value of row) {
          const bytes = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
          for (const capability of capabilities) assert.equal(bytes.includes(capability), false, table);
        }
      }
    }
    db.close();
    for (const capability of capabilities) {
      assert.equal(logs.includes(capability.toString("base64url")), false);
    }
  });

  it("says what is wrong, in German or English, with a nonzero exit code", async () => {
    const unknown = await bote(["send", "--to", "Niemand", "x", ...profile("anna")]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Diesen Kontakt oder Chat gibt es nicht/);
    const english = await bote(["send", "--to", "Niemand", "x", ...profile("anna")], { lang: "en_US.UTF-8" });
    assert.match(english.stderr, /There is no such contact or chat/);
    const noProfile = await bote(["chats", ...profile("nobody")]);
    assert.equal(noProfile.code, 1);
    assert.match(noProfile.stderr, /bote join/);
    const badLink = await bote(["join", "https://example.invalid/join", "--name", "X", ...profile("x")]);
    assert.equal(badLink.code, 1);
    assert.match(badLink.stderr, /Einladungslink ist ungültig/);
    const usage = await bote(["send", ...profile("anna")]);
    assert.equal(usage.code, 2);
    const missingFile = await bote([
      "send",
      "--to",
      "Bernd Bau",
      "--file",
      join(root, "gibt-es-nicht.pdf"),
      ...profile("anna"),
    ]);
    assert.equal(missingFile.code, 2);
    const unknownMessage = await bote([
      "download",
      "AAAAAAAAAAAAAAAAAAAAAA",
      "--out",
      join(root, "x"),
      ...json("anna"),
    ]);
    assert.equal(unknownMessage.code, 1);
    assert.match(unknownMessage.stderr, /message_unknown/);
    const badRole = await bote(["admin", "invite", "--name", "X", "--role", "chef", ...profile("anna")]);
    assert.equal(badRole.code, 2);
    const badLimit = await bote(["messages", "--chat", "Bernd Bau", "--limit", "0", ...profile("anna")]);
    assert.equal(badLimit.code, 2);
    const bothTrusts = await bote(["verify", "Bernd Bau", "--confirm", "--accept-unverified", ...profile("anna")]);
    assert.equal(bothTrusts.code, 2);
    const notAdmin = await bote(["admin", "invite", "--name", "X", ...json("bernd")]);
    assert.equal(notAdmin.code, 1);
    assert.match(notAdmin.stderr, /not_admin/);
    const garbage = join(root, "garbage");
    await mkdir(garbage);
    await writeFile(join(garbage, "bote.db"), randomBytes(4096));
    const unreadable = await bote(["chats", ...profile("garbage")]);
    assert.equal(unreadable.code, 1);
    assert.match(unreadable.stderr, /keine lesbare Bote-Datenbank/);
    // A profile from before the organisation key chain: told to join again, in both languages.
    const outdated = join(root, "outdated");
    await mkdir(outdated);
    const old = new Database(join(outdated, "bote.db"));
    old.exec(CLIENT_STORE_MIGRATIONS[0]!);
    old.pragma(`application_id = ${CLIENT_STORE_APPLICATION_ID}`);
    old.pragma("user_version = 1");
    old
      .prepare(
        `INSERT INTO profile (id, server_url, account_id, device_id, role, organisation_id, organisation_name, device)
         VALUES (1, 'http://localhost:1/', 'acc', 'dev', 'member', 'org', 'Alt GmbH', ?)`,
      )
      .run(Buffer.alloc(100, 1));
    old.close();
    const stale = await bote(["chats", ...json("outdated")]);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /profile_outdated/);
    const staleText = await bote(["chats", ...profile("outdated")], { lang: "en_GB.UTF-8" });
    assert.match(staleText.stderr, /older Bote/);
  });
});
