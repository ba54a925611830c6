/** `bote join` takes the link from a file or stdin, so it never shows in `ps` or the shell history. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bote, boteOk, freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

describe("bote join without the link in argv", { timeout: 120_000 }, () => {
  let server: RunningServer | undefined;
  after(async () => {
    if (server !== undefined) await stopServer(server);
  });

  it("reads the link from --link-file, from stdin with - and from piped stdin; refuses a missing one", async () => {
    const root = await mkdtemp(join(tmpdir(), "bote-join-"));
    after(() => rm(root, { recursive: true, force: true }));
    const data = join(root, "server");
    server = await startServer(data, await freePort());
    const profile = (name: string) => ["--profile", join(root, name)];

    await boteOk([
      "join",
      "--link-file",
      join(data, "initial-admin-invite"),
      "--name",
      "Anna Admin",
      ...profile("anna"),
    ]);
    const invite = async (name: string) => {
      const made = await boteOk(["admin", "invite", "--name", name, "--json", ...profile("anna")]);
      const line = made.lines.find((l) => typeof l.url === "string");
      assert.ok(line, made.stdout);
      return line.url as string;
    };

    const bernd = await invite("Bernd Bau");
    const dash = await boteOk(["join", "-", "--name", "Bernd Bau", ...profile("bernd")], { input: `${bernd}\n` });
    assert.match(dash.stdout, /Bernd Bau/);

    const carla = await invite("Carla Chef");
    await boteOk(["join", "--name", "Carla Chef", ...profile("carla")], { input: carla });

    const empty = await bote(["join", "-", "--name", "Dora", ...profile("dora")], { input: "" });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /Einladungslink fehlt/);
    const both = await bote(["join", carla, "--link-file", join(root, "x"), ...profile("dora")]);
    assert.equal(both.code, 2);
    const file = join(root, "link");
    await writeFile(file, "");
    const blank = await bote(["join", "--link-file", file, ...profile("dora")], { lang: "en_US.UTF-8" });
    assert.equal(blank.code, 2);
    assert.match(blank.stderr, /invitation link is missing/);
  });
});
