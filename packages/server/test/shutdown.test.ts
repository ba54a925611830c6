/**
 * Stopping the server (docs/OPERATIONS.md, "Shutdown"): a client that holds
 * a request open cannot hold the stop. Found by `bote serve` tests on a busy
 * machine: a keep-alive connection still busy when the close began was not
 * closed as idle, and the stop waited for the client's keep-alive timeout.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { once } from "node:events";
import { startTestServer } from "./support/server.js";

it("a stop ends a request a client holds open, after a grace, instead of waiting for the client", async () => {
  const s = await startTestServer("sqlite");
  const { hostname, port } = new URL(s.url);
  const socket = connect(Number(port), hostname);
  await once(socket, "connect");
  // A JSON body announced but never finished: the request is in flight for as long as the client likes.
  socket.write(
    "POST /v1/session HTTP/1.1\r\nHost: bote.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
  );
  const ended = once(socket, "close");
  await new Promise((resolve) => setTimeout(resolve, 200));
  let timer: NodeJS.Timeout | undefined;
  const verdict = await Promise.race([
    s.close().then(() => "closed"),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve("still waiting after 30 s"), 30_000))),
  ]);
  clearTimeout(timer);
  assert.equal(verdict, "closed");
  await ended;
  socket.destroy();
});
