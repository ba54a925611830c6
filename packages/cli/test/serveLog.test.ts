/**
 * What an operator sees in the console of `bote serve` at the default log
 * level: the start-up, and no line per HTTP request (those are at debug).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnServer, stopServer } from "./support/processes.js";

let data: string;

const logLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe("the console of bote serve", { timeout: 60_000 }, () => {
  before(async () => {
    data = await mkdtemp(join(tmpdir(), "bote-log-"));
  });
  after(async () => {
    await rm(data, { recursive: true, force: true });
  });

  async function requestsAt(logLevel: string | null): Promise<{ level: number; msg: string }[]> {
    const server = await spawnServer(["--data", data, "--port", "0"], "de_DE.UTF-8", logLevel);
    try {
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${server.url}/v1/nothing-here`)).status, 404);
      const refused = await fetch(`${server.url}/v1/invitations/redeem`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      assert.equal(refused.status, 400);
    } finally {
      await stopServer(server);
    }
    return logLines(server.stdout());
  }

  it("at the default level: the start-up line, no line per request", async () => {
    const lines = await requestsAt(null);
    assert.ok(
      lines.some((l) => /^Server listening at http:\/\/127\.0\.0\.1:\d+$/.test(l.msg)),
      JSON.stringify(lines),
    );
    assert.deepEqual(
      lines.filter((l) => l.msg === "request"),
      [],
    );
  });

  it("at debug: one line per request, with method, route pattern and status only", async () => {
    const requests = (await requestsAt("debug")).filter((l) => l.msg === "request");
    assert.deepEqual(
      requests.map((l) => (l as unknown as { route: string; status: number }).status),
      [200, 404, 400],
    );
  });
});
