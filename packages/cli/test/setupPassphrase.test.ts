/**
 * `bote admin setup` at a terminal, over a real `bote serve`: the recovery kit's passphrase
 * never shows on the screen as it is typed (shoulder surfing, shared screens, scrollback),
 * and it is asked twice, since a typo would leave a kit nobody can open. Two entries that
 * differ, or Ctrl-C, leave no kit and no setup behind. Scripts piping their answers keep
 * the one line they give today (adminAudit.test.ts).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient } from "@bote/client";
import { openRecoveryKit } from "@bote/core";
import { nodeTransport } from "../src/client/nodeTransport.js";
import { SqliteClientStore } from "../src/profile/SqliteClientStore.js";
import { boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";
import { boteInTerminal, type Terminal } from "./support/terminal.js";

const PASSPHRASE = "korrekt-pferd-batterie";

let root: string;
let server: RunningServer;
let annaProfile: string;

/** Answers every question before the passphrase's, as a person would: each after its question shows. */
async function answerUpToPassphrase(terminal: Terminal, kitFile: string): Promise<void> {
  await terminal.waitFor("Name der Organisation: ");
  terminal.type("Dachdecker Schmidt\r");
  await terminal.waitFor("Ihr Name [Anna Admin]: ");
  terminal.type("\r");
  await terminal.waitFor("Standardsprache (de/en) [de]: ");
  terminal.type("de\r");
  await terminal.waitFor("Datei für das Wiederherstellungs-Kit [bote-wiederherstellung.json]: ");
  terminal.type(`${kitFile}\r`);
  await terminal.waitFor("Passphrase für das Kit (mind. 12 Zeichen): ");
}

/** The organisation's settings as Anna's profile reads them from the server. */
async function settings() {
  const anna = await BoteClient.open({
    store: SqliteClientStore.open(joinPath(annaProfile, "bote.db")),
    transport: nodeTransport,
  });
  try {
    return { ...(await anna.organisationSettings()), signKey: anna.profile.organisationSignKey };
  } finally {
    await anna.close();
  }
}

describe("bote admin setup asks the passphrase at a terminal without showing it", { timeout: 180_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-setup-tty-"));
    const dataDir = joinPath(root, "server");
    annaProfile = joinPath(root, "anna");
    server = await startServer(dataDir, await freePort(), ["--org-name", "Vorläufig"]);
    await boteOk([
      "join",
      "--profile",
      annaProfile,
      "--name",
      "Anna Admin",
      "--link-file",
      joinPath(dataDir, "initial-admin-invite"),
    ]);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("refuses two entries that differ and writes nothing", async () => {
    const kitFile = joinPath(root, "vertippt.json");
    const terminal = boteInTerminal(["admin", "setup", "--profile", annaProfile]);
    await answerUpToPassphrase(terminal, kitFile);
    terminal.type(`${PASSPHRASE}\r`);
    await terminal.waitFor("\n");
    assert.ok(!terminal.screen().includes(PASSPHRASE), `the passphrase showed as typed:\n${terminal.screen()}`);
    await terminal.waitFor("Passphrase wiederholen: ");
    terminal.type("korrekt-pferd-baterie\r");
    assert.equal(await terminal.exited, 2, terminal.screen());
    assert.match(terminal.screen(), /Die beiden Passphrasen stimmen nicht überein; es wurde nichts gespeichert\./);
    assert.ok(!terminal.screen().includes("baterie"), "the second entry does not show either");
    await assert.rejects(stat(kitFile), "no kit is written");
    const untouched = await settings();
    assert.equal(untouched.name, "Vorläufig");
    assert.equal(untouched.setUpAt, null, "a refused setup is not done");
  });

  it("stops at Ctrl-C with the usual exit code, and writes nothing", async () => {
    const kitFile = joinPath(root, "abgebrochen.json");
    const terminal = boteInTerminal(["admin", "setup", "--profile", annaProfile]);
    await answerUpToPassphrase(terminal, kitFile);
    terminal.type("halb-getippt\x03");
    assert.equal(await terminal.exited, 130, terminal.screen());
    assert.ok(!terminal.screen().includes("halb-getippt"), terminal.screen());
    await assert.rejects(stat(kitFile), "no kit is written");
    assert.equal((await settings()).setUpAt, null);
  });

  it("sets up with a passphrase typed twice, corrected with backspace, never shown", async () => {
    const kitFile = joinPath(root, "kit.json");
    const terminal = boteInTerminal(["admin", "setup", "--profile", annaProfile]);
    await answerUpToPassphrase(terminal, kitFile);
    terminal.type(`${PASSPHRASE}xy\x7f\x7f\r`);
    await terminal.waitFor("\n");
    assert.ok(!terminal.screen().includes(PASSPHRASE), `the passphrase showed as typed:\n${terminal.screen()}`);
    await terminal.waitFor("Passphrase wiederholen: ");
    terminal.type(`${PASSPHRASE}\r`);
    assert.equal(await terminal.exited, 0, terminal.screen());
    assert.match(terminal.screen(), /Dachdecker Schmidt ist eingerichtet/);
    assert.ok(!terminal.screen().includes(PASSPHRASE), terminal.screen());
    assert.ok(!terminal.screen().includes("batterie"), "not even a part of it");

    const kit = JSON.parse(await readFile(kitFile, "utf8")) as Parameters<typeof openRecoveryKit>[0];
    assert.equal((await stat(kitFile)).mode & 0o777, 0o600);
    const done = await settings();
    assert.deepEqual(await openRecoveryKit(kit, PASSPHRASE), done.signKey, "the kit opens with the typed passphrase");
    assert.equal(done.name, "Dachdecker Schmidt");
    assert.ok(done.setUpAt !== null);
  });
});
