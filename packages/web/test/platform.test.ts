/**
 * The browser transport in a real Chromium against a real `bote serve`
 * process, reached through the test page's own origin as the app reaches
 * its server: HTTP answers and bodies, an upload stream, the relay socket
 * (a bad hello closes it with the protocol's code; a port nobody listens on
 * still reports onClose), the offline error the SDK expects, and a first
 * admin joining through it.
 * Without /usr/bin/chromium the tests skip and say why; under CI=true they fail.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { wsCloseCode } from "@bote/protocol";
import { chromiumSkipReason, openBrowserPage, type BrowserPage } from "./support/browserPage.js";
import { freePort, startBoteServer, type BoteServer } from "./support/boteServer.js";
import type { TransportPageApi } from "./support/transportPage.js";

declare global {
  var boteTransport: TransportPageApi;
}

const skip = chromiumSkipReason("browser transport tests");

describe("browserTransport in Chromium", { ...(skip === undefined ? {} : { skip }) }, () => {
  let browser: BrowserPage;
  let server: BoteServer | undefined;
  let closedPort: number;
  before(async () => {
    closedPort = await freePort();
    browser = await openBrowserPage("test/support/transportPage.ts", {
      global: "boteTransport",
      routes: {
        "/echo": (request, response) => {
          const chunks: Buffer[] = [];
          request.on("data", (c: Buffer) => chunks.push(c));
          request.on("end", () => {
            const body = Buffer.concat(chunks);
            const expected = Buffer.from(Array.from({ length: body.length }, (_, i) => i & 0xff));
            const answer = `${request.method} ${body.length} ${body.equals(expected) ? "intact" : "altered"}`;
            response.writeHead(200, { "x-echo": answer, "content-type": "application/octet-stream" });
            response.end(Buffer.alloc(200_000, 7));
          });
        },
      },
      backend: async (origin) => {
        server = await startBoteServer({ publicUrl: origin });
        return server.url;
      },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("GET /healthz: status, headers by any case, the body once and only once", async () => {
    const answer = await browser.page.evaluate((o) => boteTransport.healthz(o), browser.origin);
    assert.equal(answer.status, 200);
    assert.match(answer.contentType ?? "", /^application\/json/);
    assert.deepEqual(JSON.parse(answer.body), { status: "ok", protocolVersion: 1, publicUrl: browser.origin });
    assert.equal(answer.again, "response body already read");
  });

  it("sends an async-iterable body whole and streams the answer", async () => {
    const size = 250_000;
    const answer = await browser.page.evaluate(([o, s]) => boteTransport.echo(o, s), [
      `${browser.origin}/`,
      size,
    ] as const);
    assert.deepEqual(answer, { status: 200, answer: `POST ${size} intact`, total: 200_000 });
  });

  it("relay socket: a bad hello gets an error frame and the protocol's close code", async () => {
    const url = `${browser.origin.replace("http", "ws")}/v1/ws`;
    const result = await browser.page.evaluate(([u, h]) => boteTransport.socket(u, h), [
      url,
      [0xde, 0xad] as number[],
    ] as const);
    assert.equal(result.opened, true);
    assert.equal(result.messages, 1, "the error frame arrives as bytes");
    assert.deepEqual([result.code, result.reason], [wsCloseCode("frame_malformed"), "frame_malformed"]);
  });

  it("relay socket: onClose also when it never opens", async () => {
    const result = await browser.page.evaluate((u) => boteTransport.socket(u), `ws://127.0.0.1:${closedPort}/v1/ws`);
    assert.deepEqual(result, { opened: false, messages: 0, code: 1006, reason: "error" });
  });

  it("nothing listening: the transport rejects and the SDK reports ClientError offline", async () => {
    const result = await browser.page.evaluate((o) => boteTransport.offline(o), `http://127.0.0.1:${closedPort}`);
    assert.equal(result.transport, "TypeError: Failed to fetch");
    assert.equal(result.sdk, "offline");
  });

  it("the first admin joins through it: JSON requests, login, the relay socket's hello", async () => {
    const result = await browser.page.evaluate((link) => boteTransport.join(link), server!.adminInvitation);
    assert.equal(result.role, "admin");
    assert.ok(result.invitation.startsWith(`${browser.origin}/join#`), result.invitation);
  });
});
