/**
 * `bote admin policy show | set` as processes against a real server: an
 * admin's change with only the given fields, in German and English, as
 * JSON; a member sees it but cannot set it; a wrong argument is exit 2 with
 * a message that names it, before anything is signed.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

describe("bote admin policy", { timeout: 120_000 }, () => {
  let root: string;
  let server: RunningServer;
  const profile = (name: string) => ["--profile", join(root, name)];
  const json = (name: string) => [...profile(name), "--json"];

  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-policy-cli-"));
    const dataDir = join(root, "server");
    server = await startServer(dataDir, await freePort());
    const first = (await readFile(join(dataDir, "initial-admin-invite"), "utf8")).trim();
    await boteOk(["join", first, "--name", "Anna", ...json("anna")]);
    const invited = await boteOk(["admin", "invite", "--name", "Bernd", "--role", "member", ...json("anna")]);
    await boteOk(["join", String(invited.lines.find((l) => l.type === "invitation")?.url), ...json("bernd")]);
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("shows the defaults, then an admin's change of only the given fields, to a member too", async () => {
    const defaults = await boteOk(["admin", "policy", "show", ...profile("bernd")]);
    assert.match(defaults.stdout, /Standardwerte/);
    assert.match(defaults.stdout, /Größter Anhang: 100 MB/);

    const set = await boteOk([
      "admin",
      "policy",
      "set",
      "--max-attachment",
      "25MB",
      "--app-lock",
      "on",
      "--min-pin",
      "8",
      "--disappearing",
      "7d",
      ...json("anna"),
    ]);
    const line = set.lines.find((l) => l.type === "policy");
    assert.equal(line?.maxAttachmentBytes, 25_000_000);
    assert.equal(line?.appLockRequired, true);
    assert.equal(line?.minPinLength, 8);
    assert.equal(line?.disappearingSeconds, 7 * 86_400);
    await boteOk(["admin", "policy", "set", "--external", "off", "--language", "en", ...profile("anna")]);

    const shown = await boteOk(["admin", "policy", "show", ...json("bernd")]);
    const policy = shown.lines[0]!;
    // The second change kept the first one's fields.
    assert.equal(policy.maxAttachmentBytes, 25_000_000);
    assert.equal(policy.externalChats, false);
    assert.equal(policy.language, "en");
    assert.equal((policy.setBy as { name: string }).name, "Anna");
    const german = await boteOk(["admin", "policy", "show", ...profile("bernd")]);
    assert.match(german.stdout, /Größter Anhang: 25 MB/);
    assert.match(german.stdout, /App-Sperre: vorgeschrieben, PIN mit mindestens 8 Stellen/);
    assert.match(german.stdout, /Verschwindende Nachrichten.*7 Tage/);
    assert.match(german.stdout, /Festgelegt von Anna am/);
    const english = await boteOk(["admin", "policy", "show", ...profile("bernd")], { lang: "en_GB.UTF-8" });
    assert.match(english.stdout, /Largest attachment: 25 MB/);
    assert.match(english.stdout, /Chats with people outside the organisation: not allowed/);
  });

  it("a member cannot set a policy", async () => {
    const refused = await bote(["admin", "policy", "set", "--max-attachment", "1GB", ...profile("bernd")]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Administrator|admin/i);
  });

  it("a wrong argument is exit 2 with a German or English message naming it, and nothing is signed", async () => {
    const size = await bote(["admin", "policy", "set", "--max-attachment", "viel", ...profile("anna")]);
    assert.equal(size.code, 2);
    assert.match(size.stderr, /--max-attachment: viel/);
    const time = await bote(["admin", "policy", "set", "--disappearing", "2h", ...profile("anna")], {
      lang: "en_GB.UTF-8",
    });
    assert.equal(time.code, 2);
    assert.match(time.stderr, /--disappearing: off \| 1h \| 1d \| 7d \| 4w \(2h\)/);
    const pin = await bote(["admin", "policy", "set", "--min-pin", "3", ...profile("anna")]);
    assert.equal(pin.code, 2);
    const nothing = await bote(["admin", "policy", "set", ...profile("anna")]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /mindestens eine Einstellung/);
    const english = await bote(["admin", "policy", "set", ...profile("anna")], { lang: "en_GB.UTF-8" });
    assert.match(english.stderr, /at least one setting/);
    const shown = await boteOk(["admin", "policy", "show", ...json("anna")]);
    assert.equal(shown.lines[0]?.maxAttachmentBytes, 25_000_000);
  });
});
