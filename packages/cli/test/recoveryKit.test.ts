/**
 * An organisation that lost its only admin device takes the administration
 * back with its recovery kit, over a real `bote serve`: the operator starts
 * the server with `--recovery-invite`, and `bote join --recovery-kit`
 * redeems that invitation with the key from the kit. As attacks: the same
 * invitation without the kit (a device making a key of its own, as the
 * operator could) and with a wrong passphrase changes nothing.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { bote, boteOk, errorOf, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

async function invite(profile: string, name: string): Promise<string> {
  const result = await boteOk(["admin", "invite", "--profile", profile, "--name", name, "--json"]);
  const url = result.lines.find((l) => l.type === "invitation")?.url;
  assert.equal(typeof url, "string");
  return String(url);
}

const PASSPHRASE = "Dachziegel-Sturm-2026";

let root: string;
let dataDir: string;
let port: number;
let server: RunningServer;

describe("recovering the administration with the recovery kit", { timeout: 180_000 }, () => {
  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-recovery-"));
    dataDir = joinPath(root, "server");
    port = await freePort();
    server = await startServer(dataDir, port);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("a lost admin phone: the kit and a recovery invitation make a new admin device; without the kit nothing", async () => {
    const anna = joinPath(root, "anna");
    const bernd = joinPath(root, "bernd");
    const link = joinPath(dataDir, "initial-admin-invite");
    await boteOk(["join", "--profile", anna, "--name", "Anna Admin", "--link-file", link]);
    const passphraseFile = joinPath(root, "passphrase");
    await writeFile(passphraseFile, PASSPHRASE + "\n", { mode: 0o600 });
    const kit = joinPath(root, "kit.json");
    await boteOk(["admin", "recovery-kit", "--profile", anna, "--out", kit, "--passphrase-file", passphraseFile]);
    await boteOk(["join", "--profile", bernd, await invite(anna, "Bernd Bau")]);

    // Anna's only device is gone.
    await rm(anna, { recursive: true, force: true });
    await stopServer(server);
    server = await startServer(dataDir, port, ["--recovery-invite"]);
    const recoveryFile = joinPath(dataDir, "recovery-invite");
    const recoveryUrl = (await readFile(recoveryFile, "utf8")).trim();
    assert.match(recoveryUrl, /^http.*#t=/);

    const joinWithKit = (passphrase: string) => [
      "join",
      "--profile",
      joinPath(root, "anna-new"),
      "--name",
      "Anna Admin",
      "--link-file",
      recoveryFile,
      "--recovery-kit",
      kit,
      "--passphrase-file",
      passphrase,
    ];
    // The invitation alone is worth nothing: a device that makes a key of its own is refused.
    const forged = await bote([
      "join",
      "--profile",
      joinPath(root, "mallory"),
      "--name",
      "Mallory",
      "--link-file",
      recoveryFile,
      "--json",
    ]);
    assert.equal(forged.code, 1, forged.stderr);
    assert.equal(errorOf(forged), "invitation_invalid");
    // A wrong passphrase does not open the kit; nothing is sent.
    await writeFile(joinPath(root, "wrong"), "nicht-die-richtige-passphrase\n");
    const wrong = await bote(joinWithKit(joinPath(root, "wrong")));
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /lässt sich mit dieser Passphrase nicht öffnen/);
    // A file that is no kit at all is named, and nothing is sent either.
    const garbage = joinPath(root, "garbage.json");
    await writeFile(garbage, "kein JSON\u0000\u00ff");
    const notKit = await bote(joinWithKit(passphraseFile).map((a) => (a === kit ? garbage : a)));
    assert.equal(notKit.code, 2, notKit.stderr);
    assert.match(notKit.stderr, /--recovery-kit/);
    const noPassphrase = await bote(joinWithKit(passphraseFile).slice(0, -2));
    assert.equal(noPassphrase.code, 2, noPassphrase.stderr);

    const restored = await boteOk([...joinWithKit(passphraseFile), "--json"]);
    const joined = restored.lines.find((l) => l.type === "joined")!;
    assert.equal(joined.role, "admin");
    assert.equal(joined.holdsOrganisationKey, true);
    await assert.rejects(stat(recoveryFile), "the redeemed invitation's file is gone");

    // The new device administers: it invites, and Bernd's device trusts what it signs.
    const members = await boteOk(["admin", "members", "--profile", joinPath(root, "anna-new"), "--json"]);
    const admins = members.lines.filter((l) => l.name === "Anna Admin" && l.role === "admin");
    assert.equal(admins.length, 2, "the old account and the new one");
    // The lost phone's account goes, named by its id (both are called Anna Admin).
    const old = admins.find((l) => l.accountId !== joined.accountId)!;
    await boteOk(["admin", "deactivate", "--profile", joinPath(root, "anna-new"), "--", String(old.accountId)]);
    const after = await boteOk(["admin", "members", "--profile", joinPath(root, "anna-new"), "--json"]);
    assert.deepEqual(
      after.lines.filter((l) => l.name === "Anna Admin").map((l) => l.accountId),
      [joined.accountId],
    );
    await boteOk(["join", "--profile", joinPath(root, "carla"), await invite(joinPath(root, "anna-new"), "Carla Neu")]);
    await boteOk(["send", "--profile", bernd, "--to", "Carla Neu", "Willkommen!"]);

    // Used once: a second redemption is refused.
    const again = await bote(["join", "--profile", joinPath(root, "again"), "--name", "X", recoveryUrl, "--json"]);
    assert.equal(again.code, 1);
    assert.equal(errorOf(again), "invitation_used");
  });
});
