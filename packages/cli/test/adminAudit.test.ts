/**
 * The first admin's setup and the audit log, over a real `bote serve`:
 * `bote admin setup` asks (or takes flags), refuses bad answers without
 * changing anything, and leaves a recovery kit; then invite, join, promote,
 * demote, revoke a device, deactivate and withdraw an invitation each leave
 * exactly one audit entry, signed and verifiable, and neither the audit
 * export nor the server's files hold a word of what was written. An entry
 * the operator forges into the log shows as unverified.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, rm, mkdtemp, writeFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient, ClientError } from "@bote/client";
import { decodeBase64url, encodeBase64url, encodeOrganisationStatement } from "@bote/protocol";
import Database from "better-sqlite3";
import { createRevocation, createSigningKey, openRecoveryKit, type AuditEntry } from "@bote/core";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { eventually, joinClient } from "./support/sdkClient.js";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let dataDir: string;
let server: RunningServer;
let annaProfile: string;
const clients: BoteClient[] = [];
const MARKER = "Geheimes-Angebot-4711";
const b = (text: string) => decodeBase64url(text) ?? assert.fail(`not base64url: ${text}`);

/** Anna's CLI profile, opened by the SDK in this process between her commands. */
async function openAnna(): Promise<BoteClient> {
  const client = await BoteClient.open({
    store: SqliteClientStore.open(joinPath(annaProfile, "bote.db")),
    transport: nodeTransport,
  });
  return client;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = joinPath(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

describe("bote admin setup and bote admin audit", { timeout: 180_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-audit-"));
    dataDir = joinPath(root, "server");
    annaProfile = joinPath(root, "anna");
    server = await startServer(dataDir, await freePort(), ["--org-name", "Vorläufig"]);
    const link = joinPath(dataDir, "initial-admin-invite");
    await boteOk(["join", "--profile", annaProfile, "--name", "Anna Admin", "--link-file", link]);
  });

  after(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("refuses bad answers and changes nothing, then sets the organisation up from the terminal's answers", async () => {
    const badLanguage = await bote(["admin", "setup", "--profile", annaProfile, "--language", "fr"]);
    assert.equal(badLanguage.code, 2, badLanguage.stderr);
    assert.match(badLanguage.stderr, /--language: de \| en \(fr\)/);
    const shortPassphrase = await bote(["admin", "setup", "--profile", annaProfile, "--json"], {
      input: `Dachdecker Schmidt\n\nde\n${joinPath(root, "kurz.json")}\nzu kurz\n`,
    });
    assert.equal(shortPassphrase.code, 2, shortPassphrase.stderr);
    assert.match(shortPassphrase.stderr, /Die Passphrase ist zu kurz: mindestens 12 Zeichen/);
    await assert.rejects(stat(joinPath(root, "kurz.json")), "no kit is written for a refused setup");
    const noPassphrase = await bote(["admin", "setup", "--profile", annaProfile, "--json"], {
      input: `Dachdecker Schmidt\n\nde\n${joinPath(root, "kurz.json")}\n\n`,
    });
    assert.equal(noPassphrase.code, 2, noPassphrase.stderr);
    assert.match(noPassphrase.stderr, /braucht ein Wiederherstellungs-Kit/);
    let anna = await openAnna();
    try {
      const untouched = await anna.organisationSettings();
      assert.equal(untouched.name, "Vorläufig");
      assert.equal(untouched.setUpAt, null, "a refused setup is not done");
    } finally {
      await anna.close();
    }

    const kitFile = joinPath(root, "kit.json");
    const asked = await boteOk(["admin", "setup", "--profile", annaProfile, "--json"], {
      input: `Dachdecker Schmidt\nAnna Schmidt\nen\n${kitFile}\nkorrekt-pferd-batterie\n`,
    });
    const done = asked.lines.find((l) => l.type === "set_up");
    assert.deepEqual(
      { organisation: done?.organisation, name: done?.name, language: done?.language },
      { organisation: "Dachdecker Schmidt", name: "Anna Schmidt", language: "en" },
    );
    assert.match(asked.stderr, /Name der Organisation/);
    const kit = JSON.parse(await readFile(kitFile, "utf8")) as Parameters<typeof openRecoveryKit>[0];
    assert.equal((await stat(kitFile)).mode & 0o777, 0o600);
    const recovered = await openRecoveryKit(kit, "korrekt-pferd-batterie");
    anna = await openAnna();
    try {
      assert.deepEqual(recovered, anna.profile.organisationSignKey, "the kit opens to the organisation key");
      const settings = await anna.organisationSettings();
      assert.equal(settings.name, "Dachdecker Schmidt");
      assert.equal(settings.language, "en");
      assert.ok(settings.setUpAt !== null);
    } finally {
      await anna.close();
    }

    // The same flow from flags alone, as a script runs it: the name and language change back.
    const passphraseFile = joinPath(root, "passphrase");
    await writeFile(passphraseFile, "korrekt-pferd-batterie\n");
    const scripted = await boteOk([
      "admin",
      "setup",
      "--profile",
      annaProfile,
      "--org-name",
      "Dachdecker Schmidt GmbH",
      "--name",
      "Anna Schmidt",
      "--language",
      "de",
      "--recovery-kit",
      joinPath(root, "kit2.json"),
      "--passphrase-file",
      passphraseFile,
    ]);
    assert.match(scripted.stdout, /Dachdecker Schmidt GmbH ist eingerichtet/);
    assert.match(scripted.stdout, /Richtlinien können Sie später mit „bote admin policy set“/);
  });

  it("lists each admin action once, signed, and no content", async () => {
    const anna = await openAnna();
    clients.push(anna);
    const berndInvite = await anna.createInvitation("member", "Bernd Bau");
    const carlaInvite = await anna.createInvitation("member", "Carla Chef");
    await anna.createInvitation("member", "Dora Dach");
    const dora = (await anna.invitations()).invitations.find((i) => i.displayName === "Dora Dach");
    assert.ok(dora);
    await anna.revokeInvitation(dora.certificate);
    const bernd = await joinClient(root, "bernd", berndInvite.url);
    clients.push(bernd);
    const carla = await joinClient(root, "carla", carlaInvite.url);
    clients.push(carla);

    // Colleagues write to each other; the admin is in no chat with them (an admin's chat would only add its removal commits).
    const chat = await bernd.directChat(carla.profile.accountId);
    await bernd.sendText(chat.conversationId, MARKER);
    await eventually(
      carla,
      () => carla.store.listMessages(chat.conversationId, 10),
      (messages) => messages.some((m) => m.kind === "content"),
    );

    // A member may not read the audit log.
    await assert.rejects(carla.auditLog(), (err) => err instanceof ClientError && err.code === "not_admin");

    const berndDevice = encodeBase64url(bernd.device.signatureKeyPair.publicKey);
    await anna.setRole(bernd.profile.accountId, "admin");
    await anna.setRole(bernd.profile.accountId, "member");
    await anna.revokeDevice(bernd.profile.accountId, berndDevice);
    await anna.deactivate(carla.profile.accountId);
    await anna.idle();
    await anna.close();
    clients.splice(clients.indexOf(anna), 1);

    const json = await boteOk(["admin", "audit", "--profile", annaProfile, "--json"]);
    const entries = json.lines as unknown as (AuditEntry & { type: string })[];
    const oldestFirst = [...entries].reverse();
    assert.deepEqual(
      oldestFirst.map((e) => `${e.action} ${e.subjectName}${e.role === undefined ? "" : ` ${e.role}`}`),
      [
        "account_created Anna Admin admin",
        "renamed Anna Schmidt",
        // Each setup that changed the language also signed it into the policy.
        "policy_changed ",
        "policy_changed ",
        "invited Bernd Bau member",
        "invited Carla Chef member",
        "invited Dora Dach member",
        "invitation_revoked Dora Dach",
        "joined Bernd Bau member",
        "joined Carla Chef member",
        "promoted Bernd Bau admin",
        "demoted Bernd Bau member",
        "device_revoked Bernd Bau",
        "deactivated Carla Chef",
      ],
    );
    const annaId = entries[0]!.actorId;
    for (const e of entries) {
      assert.equal(e.verified, true, `${e.action} verifies`);
      assert.match(e.statementHash, /^[0-9a-f]{64}$/);
      assert.ok(Date.parse(e.at) > 0);
      if (e.action !== "joined") assert.equal(e.actorName, "Anna Schmidt", "actions show the admin's current name");
      if (e.action !== "joined") assert.equal(e.actorId, annaId);
    }
    assert.equal(oldestFirst.find((e) => e.action === "joined")?.actorName, "Bernd Bau");
    assert.equal(entries.find((e) => e.action === "device_revoked")?.detail, berndDevice);
    assert.equal(new Set(entries.map((e) => e.statementHash)).size, entries.length);

    const human = await boteOk(["admin", "audit", "--profile", annaProfile]);
    assert.match(human.stdout, /Anna Schmidt hat Bernd Bau als Mitglied eingeladen/);
    assert.match(human.stdout, /Anna Schmidt hat Carla Chef deaktiviert/);

    const csvFile = joinPath(root, "audit.csv");
    await boteOk(["admin", "audit", "--profile", annaProfile, "--csv", csvFile]);
    const csv = await readFile(csvFile, "utf8");
    const rows = csv.trimEnd().split("\r\n");
    assert.equal(rows.length, 1 + entries.length);
    assert.match(rows[0]!, /^seq,at,action,actorId,actorName/);
    assert.match(rows[1]!, /,account_created,/);
    const again = await bote(["admin", "audit", "--profile", annaProfile, "--csv", csvFile]);
    assert.notEqual(again.code, 0, "an existing file is never overwritten");

    // The content stays out of the log, its exports, and every file the server writes.
    for (const text of [json.stdout, human.stdout, csv]) assert.ok(!text.includes(MARKER));
    for (const file of await filesUnder(dataDir)) {
      assert.ok(!(await readFile(file)).includes(MARKER), `${file} holds no message text`);
    }

    // The operator forges an entry: Anna "deactivated", signed by a key of its own, written into the log.
    const forged = createRevocation(
      createSigningKey(),
      { kind: "account", accountId: b(annaId) },
      { issuedBy: b(annaId), now: new Date() },
    );
    const db = new Database(joinPath(dataDir, "bote.sqlite"));
    try {
      db.pragma("busy_timeout = 5000");
      const { id } = db.prepare<[], { id: Buffer }>("SELECT id FROM organisations").get()!;
      const { seq } = db
        .prepare<[Buffer], { seq: number }>("SELECT max(seq) AS seq FROM organisation_log WHERE org_id = ?")
        .get(id)!;
      db.prepare("INSERT INTO organisation_log (org_id, seq, statement, at) VALUES (?, ?, ?, ?)").run(
        id,
        seq + 1,
        Buffer.from(encodeOrganisationStatement({ kind: "revocation", revocation: forged })),
        Date.now(),
      );
    } finally {
      db.close();
    }
    const afterForgery = await boteOk(["admin", "audit", "--profile", annaProfile, "--json"]);
    const newest = afterForgery.lines[0] as unknown as AuditEntry;
    assert.deepEqual([newest.action, newest.subjectName, newest.verified], ["deactivated", "Anna Schmidt", false]);
    assert.ok((afterForgery.lines as unknown as AuditEntry[]).slice(1).every((e) => e.verified));
    const shown = await boteOk(["admin", "audit", "--profile", annaProfile]);
    assert.match(shown.stdout.split("\n")[0]!, /Anna Schmidt deaktiviert \[Signatur NICHT bestätigt\]/);
  });
});
