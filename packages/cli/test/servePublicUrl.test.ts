/**
 * `bote serve` says where people reach it: the public URL and nothing else.
 * It used to print its listening address (http://127.0.0.1:PORT with --host
 * 127.0.0.1) while invitations and the WebSocket belong to the public URL;
 * a browser opened on the printed address got an origin the server refuses.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnServer, stopServer } from "./support/processes.js";

async function startOutput(args: string[]): Promise<string> {
  const data = await mkdtemp(join(tmpdir(), "bote-cli-"));
  try {
    const server = await spawnServer(["--data", data, ...args]);
    const printed = server.stderr();
    assert.equal(await stopServer(server), 0);
    return printed;
  } finally {
    await rm(data, { recursive: true, force: true });
  }
}

describe("bote serve's start output", () => {
  it("lists the public URL only, never the address it listens on", async () => {
    const port = await freePort();
    const plain = await startOutput(["--port", String(port)]);
    assert.match(plain, new RegExp(`Bote läuft auf http://localhost:${port}\\n`));
    assert.doesNotMatch(plain, /127\.0\.0\.1/, "the listening address is no address for people");

    const other = await freePort();
    const given = await startOutput(["--port", String(other), "--public-url", "https://bote.example.de"]);
    assert.match(given, /Bote läuft auf https:\/\/bote\.example\.de\n/);
    assert.doesNotMatch(given, /127\.0\.0\.1|localhost/);
  });
});
