/** Every answer carries the headers the web app relies on; HSTS only where the server is reached over TLS. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startTestServer, type TestServer } from "./support/server.js";

describe("security headers", () => {
  const servers: TestServer[] = [];
  after(async () => {
    for (const s of servers) await s.close();
  });

  it("sends a strict policy on JSON answers, errors and unknown paths alike", async () => {
    const s = await startTestServer("sqlite");
    servers.push(s);
    for (const path of ["/healthz", "/v1/me", "/nirgends"]) {
      const response = await fetch(s.url + path);
      await response.arrayBuffer();
      const policy = response.headers.get("content-security-policy") ?? "";
      assert.match(policy, /default-src 'self'/, path);
      assert.match(policy, /script-src 'self'(;|$)/, path);
      assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*/, path);
      assert.match(policy, /frame-ancestors 'none'/, path);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(response.headers.get("strict-transport-security"), null, path);
    }
  });

  it("adds HSTS when the public address is https, and allows the socket of that origin", async () => {
    const s = await startTestServer("sqlite", (config) => {
      config.publicUrl = "https://bote.example.de";
    });
    servers.push(s);
    const response = await fetch(`${s.url}/healthz`);
    await response.arrayBuffer();
    assert.equal(response.headers.get("strict-transport-security"), "max-age=31536000");
    assert.match(response.headers.get("content-security-policy") ?? "", /connect-src 'self' wss:\/\/bote\.example\.de/);
  });
});
