/**
 * Marking a chat read while messages keep arriving must not roll the
 * ratchet back: markRead writes the conversation record, which carries the
 * MLS state. Found by the web app, which marks the open chat read on every
 * incoming message; with a stale copy written back, the reader's next
 * messages reused keys and the other side could not decrypt them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { BoteClient } from "@bote/client";
import type { ClientStore, MessageRecord } from "@bote/core";
import { decodeContent } from "@bote/protocol";
import { joinClient } from "./support/sdkClient.js";
import { freePort, startServer, stopServer, type RunningServer } from "./support/processes.js";

const COUNT = 40;

/**
 * The real SQLite store, answering a macrotask later, as IndexedDB does in
 * the browser: SQLite answers at once, which hides every race between a
 * read and a later write of the same record.
 */
function withLatency(store: ClientStore): ClientStore {
  const later = () => new Promise((resolve) => setImmediate(resolve));
  return new Proxy(store, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        await later();
        const result: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
        await later();
        return result;
      };
    },
  });
}

describe("markRead while messages arrive", { timeout: 120_000 }, () => {
  let root: string;
  let server: RunningServer;
  let anna: BoteClient;
  let bernd: BoteClient;

  const joinAs = (name: string, link: string) => joinClient(root, name, link, withLatency);

  before(async () => {
    root = await mkdtemp(joinPath(tmpdir(), "bote-read-race-"));
    const dataDir = joinPath(root, "server");
    server = await startServer(dataDir, await freePort());
    anna = await joinAs("Anna", (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim());
    bernd = await joinAs("Bernd", (await anna.createInvitation("member", "Bernd")).url);
  });

  after(async () => {
    await anna?.close().catch(() => undefined);
    await bernd?.close().catch(() => undefined);
    await stopServer(server);
    await rm(root, { recursive: true, force: true });
  });

  it("keeps the reader's ratchet: its answers decrypt on the other side", async () => {
    const chat = (await anna.directChat(bernd.profile.accountId)).conversationId;
    await bernd.connect();
    let received = 0;
    const all = new Promise<void>((resolve) => {
      bernd.on("message", (m) => {
        if (m.direction === "in" && m.kind === "content" && m.status === "received" && ++received === COUNT) resolve();
      });
    });
    let reading = true;
    const reader = (async () => {
      while (reading) await bernd.markRead(chat);
    })();
    for (let i = 0; i < COUNT; i++) await anna.sendText(chat, `Nachricht ${i}`);
    await all;
    reading = false;
    await reader;

    const undecryptable: MessageRecord[] = [];
    anna.on("message", (m) => {
      if (m.kind === "event") undecryptable.push(m);
    });
    const answers = new Promise<string[]>((resolve) => {
      const texts: string[] = [];
      anna.on("message", (m) => {
        if (m.direction !== "in" || m.kind !== "content") return;
        const body = decodeContent(m.body).body;
        if (body.case === "text") texts.push(body.value.text);
        if (texts.length === 3) resolve(texts);
      });
    });
    for (const text of ["eins", "zwei", "drei"]) await bernd.sendText(chat, text);
    const timeout = new Promise<string[]>((resolve) => setTimeout(() => resolve(["(not all arrived)"]), 15_000));
    assert.deepEqual(await Promise.race([answers, timeout]), ["eins", "zwei", "drei"]);
    assert.deepEqual(undecryptable, []);
  });
});
