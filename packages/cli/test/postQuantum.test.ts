/** An organisation that chose the X-Wing suite: its first admin picks it, every invitation passes it on. */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

let root: string;
let server: RunningServer;
const json = (name: string) => ["--profile", join(root, name), "--json"];

describe("a post-quantum organisation (real processes)", { timeout: 120_000 }, () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), "bote-pq-"));
    server = await startServer(join(root, "server"), await freePort());
  });

  after(async () => {
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("the first admin chooses X-Wing; an invited colleague joins with it and they chat", async () => {
    const first = (await readFile(join(root, "server", "initial-admin-invite"), "utf8")).trim();
    const anna = await boteOk(["join", first, "--name", "Anna", "--post-quantum", ...json("anna")]);
    assert.equal(anna.lines[0]?.ciphersuite, "MLS_256_XWING_AES256GCM_SHA512_Ed25519");
    const invite = await boteOk(["admin", "invite", "--name", "Bernd", ...json("anna")]);
    const link = String(invite.lines.find((l) => l.type === "invitation")?.url);
    assert.match(link, /&m=pq$/);
    const bernd = await boteOk(["join", link, ...json("bernd")]);
    assert.equal(bernd.lines[0]?.ciphersuite, "MLS_256_XWING_AES256GCM_SHA512_Ed25519");
    await boteOk(["send", "--to", "Bernd", "Quantensicher", ...json("anna")]);
    const synced = await boteOk(["sync", ...json("bernd")]);
    assert.deepEqual(
      synced.lines.filter((l) => typeof l.text === "string").map((l) => l.text),
      ["Quantensicher"],
    );
  });
});
