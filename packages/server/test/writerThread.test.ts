/** The SQLite relay writer's thread dies under a running server: the sender is told store_unavailable, nothing is lost. */
import { after, before, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Worker } from "node:worker_threads";
import { unpadPayload } from "@bote/protocol";
import { startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(unpadPayload(b));

let s: TestServer;
let admin: TestDevice;
const open: TestSocket[] = [];

before(async () => {
  s = await startTestServer("sqlite");
  admin = await TestDevice.join(s, s.adminInvitationToken, "Anna Admin");
  await admin.login();
});
after(async () => {
  await Promise.all(open.map((o) => o.close()));
  await s.close();
});

it("answers store_unavailable (close 1013) when the writer thread dies, and the resend arrives once", async () => {
  const bernd = await TestDevice.join(s, await admin.invite("Bernd"));
  await bernd.login();
  const inbox = await bernd.connect();
  let sender = await admin.connect(true);
  open.push(inbox, sender);

  assert.equal((await sender.send([bernd.address], text("vorher"))).errorCode, "");
  // Acked only at the end: an ack in the failing batch would close this socket too.
  const [first] = await inbox.entries(1);

  const thread = (s.store as unknown as { relayThread: Worker | undefined }).relayThread;
  assert.ok(thread !== undefined, "the relay commits on a writer thread");
  // The thread dies with the next batch in its hands. (Not while it runs a statement:
  // better-sqlite3 aborts the process when a thread is terminated inside it.)
  const post = thread.postMessage.bind(thread);
  thread.postMessage = (message: unknown, transfer?: Parameters<Worker["postMessage"]>[1]) => {
    void thread.terminate();
    post(message, transfer);
  };
  const messageId = new Uint8Array(randomBytes(16));
  await assert.rejects(sender.send([bernd.address], text("währenddessen"), { messageId }), /socket closed \(1013/);
  const error = sender.frames.find((f) => f.case === "error");
  assert.equal(error?.case === "error" && error.value.code, "store_unavailable");

  // The client retries later under the same message id.
  sender = await admin.connect(true);
  open.push(sender);
  const again = await sender.send([bernd.address], text("währenddessen"), { messageId });
  assert.equal(again.errorCode, "");
  const [entry] = await inbox.entries(1);
  assert.equal(decode(entry!.payload), "währenddessen");
  inbox.ack([first!.entryId, entry!.entryId]);
  await assert.rejects(inbox.entries(1, 300), /timed out/);
});

it("hands the next batch to the writer while one commits, and delivers every send once, in order", async () => {
  const carla = await TestDevice.join(s, await admin.invite("Carla"));
  await carla.login();
  const inbox = await carla.connect();
  const senders = await Promise.all([1, 2, 3].map(() => admin.connect(true)));
  open.push(inbox, ...senders);

  const thread = (s.store as unknown as { relayThread: Worker }).relayThread;
  let handedOver = 0;
  let most = 0;
  const post = thread.postMessage.bind(thread);
  thread.postMessage = (message: unknown, transfer?: Parameters<Worker["postMessage"]>[1]) => {
    if ((message as { kind?: string }).kind === "batch") most = Math.max(most, ++handedOver);
    post(message, transfer);
  };
  thread.on("message", () => (handedOver -= 1));

  const perSender = 60;
  const results: Promise<unknown>[] = [];
  for (let i = 0; i < perSender; i++) {
    senders.forEach((sender, k) => results.push(sender.send([carla.address], text(`${k}:${i}`))));
    // Sends over many ticks, so that some arrive while a batch commits.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(results);
  const entries = await inbox.entries(senders.length * perSender);
  inbox.ack(entries.map((e) => e.entryId));
  assert.equal(most, 2, "two batches were with the writer at once");
  const seen = new Map<number, number>();
  for (const entry of entries) {
    const [k, i] = decode(entry.payload).split(":").map(Number) as [number, number];
    assert.equal(i, (seen.get(k) ?? -1) + 1, `sender ${k}'s sends arrive once and in order`);
    seen.set(k, i);
  }
  assert.deepEqual([...seen.values()], [perSender - 1, perSender - 1, perSender - 1]);
});
