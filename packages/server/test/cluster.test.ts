/**
 * Distributed mode for real: two server nodes on one PostgreSQL database,
 * waking each other through NATS. A device connected to one node receives
 * what was sent through the other, at once and without loss; the notices
 * between the nodes name no device or organisation on NATS, and a forged
 * one closes no socket.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { decodeBase64url, encodeBase64url, unpadPayload } from "@bote/protocol";
import { createTestDatabase, natsSkipReason, natsUrl, type TestDatabase } from "@bote/testing";
import { connect } from "@nats-io/transport-node";
import { ServerSecrets, type ServerStore } from "../src/index.js";
import type { SealedEntry } from "../src/store/ServerStore.js";
import { NatsBus } from "../src/nats.js";
import { encodeBatchEntry } from "../src/relay/NatsBus.js";
import { nodeKey, nodeSealSecret, sealMessage } from "../src/relay/NodeSeal.js";
import { AtRestKeys } from "../src/secrets/AtRestKeys.js";
import { postgresSkip, startTestServer, type TestServer } from "./support/server.js";
import { TestDevice, type TestSocket } from "./support/device.js";
import { revocation } from "./support/orgKeys.js";
import { assertWireHides, forgedRevocations, watchNats } from "./support/natsWire.js";

const natsSkip = await natsSkipReason();
const skip = postgresSkip ?? natsSkip ?? false;
const text = (s: string) => new TextEncoder().encode(s);

describe("two nodes on PostgreSQL and NATS", { skip }, () => {
  let database: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  /** A third node off the bus: what it stores wakes no one. */
  let silent: TestServer;
  let admin: TestDevice;
  let bob: TestDevice;
  let prefix: string;
  let secrets: ServerSecrets;
  const sockets: TestSocket[] = [];

  before(async () => {
    database = await createTestDatabase();
    secrets = ServerSecrets.generate();
    // A fresh subject prefix per run, so parallel runs on one NATS server stay apart.
    prefix = `bote-test-${randomBytes(6).toString("hex")}`;
    one = await startTestServer("postgres", undefined, {
      database,
      secrets,
      bus: await NatsBus.connect(natsUrl, prefix, secrets),
    });
    two = await startTestServer("postgres", undefined, {
      database,
      secrets,
      bus: await NatsBus.connect(natsUrl, prefix, secrets),
    });
    silent = await startTestServer("postgres", undefined, { database, secrets });
    admin = await TestDevice.join(one, one.adminInvitationToken, "Anna");
    await admin.login();
    bob = await TestDevice.join(one, await admin.invite("Bob"));
    await bob.login();
  });
  after(async () => {
    for (const x of sockets) await x.close();
    await one?.close();
    await two?.close();
    await silent?.close();
    await database?.drop();
  });

  async function connectTo(node: TestServer, device: TestDevice, anonymous = false): Promise<TestSocket> {
    const socket = await device.connect(anonymous, node);
    sockets.push(socket);
    return socket;
  }

  it("pushes what one node stored to a device connected to the other, without loss", async () => {
    const bobOnTwo = await connectTo(two, bob);
    const viaOne = await connectTo(one, admin, true);
    const viaTwo = await connectTo(two, admin, true);
    const first = await viaOne.send([bob.address], text("über Knoten eins"));
    assert.equal(first.errorCode, "");
    const [entry] = await bobOnTwo.entries(1, 3000);
    assert.equal(new TextDecoder().decode(unpadPayload(entry!.payload)), "über Knoten eins");
    bobOnTwo.ack([entry!.entryId]);
    // Both nodes commit at the same time, in their own order: every entry still arrives once.
    const sends = [];
    for (let i = 0; i < 40; i++) {
      sends.push(viaOne.send([bob.address], text(`eins ${i}`)));
      sends.push(viaTwo.send([bob.address], text(`zwei ${i}`)));
    }
    for (const r of await Promise.all(sends)) assert.equal(r.errorCode, "");
    const entries = await bobOnTwo.entries(80, 10_000);
    const words = new Set(entries.map((e) => new TextDecoder().decode(unpadPayload(e.payload))));
    assert.equal(words.size, 80);
    bobOnTwo.ack(entries.map((e) => e.entryId));
  });

  /** Counts the store reads of a node's sockets (fetchQueue) from now on. */
  function countReads(store: ServerStore): { readonly count: number; stop(): void } {
    const fetchQueue = store.fetchQueue.bind(store);
    let count = 0;
    store.fetchQueue = (...args) => {
      count++;
      return fetchQueue(...args);
    };
    return {
      get count() {
        return count;
      },
      stop: () => (store.fetchQueue = fetchQueue),
    };
  }

  const words = (entries: { payload: Uint8Array }[]) =>
    entries.map((e) => new TextDecoder().decode(unpadPayload(e.payload)));

  /** Bob on node two, caught up, with the socket's cursor on his latest entry (an empty first read cannot know it). */
  async function bobCaughtUpOnTwo(): Promise<{ bobOnTwo: TestSocket; viaOne: TestSocket }> {
    // Reads are counted per node: no other socket of Bob's may read there.
    for (const x of sockets.splice(0)) await x.close();
    const bobOnTwo = await connectTo(two, bob);
    const viaOne = await connectTo(one, admin, true);
    const first = `Anfang ${randomBytes(4).toString("hex")}`;
    assert.equal((await viaOne.send([bob.address], text(first))).errorCode, "");
    // The previous test's last acks may not have committed before this socket's first read,
    // so its entries can come again (at least once): read on until this start arrives.
    for (;;) {
      const start = await bobOnTwo.entries(1, 3000);
      bobOnTwo.ack(start.map((e) => e.entryId));
      if (words(start).includes(first)) break;
    }
    return { bobOnTwo, viaOne };
  }

  /** A batch of wakes for stored entries as a node of this installation would send it. */
  function wakeBatch(entries: SealedEntry[]): Buffer {
    const atRest = new AtRestKeys(secrets);
    const records = entries.map((e) => encodeBatchEntry({ ...e, payload: atRest.openEntry(e.mailboxId, e.sealed)! }));
    const bytes = records.reduce((n, r) => n + r.length, 0);
    const nodeId = randomBytes(8);
    return sealMessage(nodeKey(nodeSealSecret(secrets), nodeId), nodeId, 0, records, bytes);
  }

  /** Stores the words for Bob through the node off the bus, so that no wake goes out; returns their entries. */
  async function storedWithoutWake(...say: string[]): Promise<SealedEntry[]> {
    const viaSilent = await connectTo(silent, admin, true);
    for (const word of say) assert.equal((await viaSilent.send([bob.address], text(word))).errorCode, "");
    const stored = await silent.store.fetchQueue([bob.address.mailboxId], 0, 1000, Date.now());
    return stored.slice(-say.length);
  }

  it("pushes a small entry from the other node without reading the store, and reads a large one", async () => {
    const { bobOnTwo, viaOne } = await bobCaughtUpOnTwo();
    const reads = countReads(two.store);
    try {
      for (let i = 0; i < 5; i++) {
        assert.equal((await viaOne.send([bob.address], text(`klein ${i}`))).errorCode, "");
        const [entry] = await bobOnTwo.entries(1, 3000);
        assert.deepEqual(words([entry!]), [`klein ${i}`]);
        bobOnTwo.ack([entry!.entryId]);
      }
      assert.equal(reads.count, 0, "carried entries need no store read");
      const large = "groß ".repeat(1200);
      assert.equal((await viaOne.send([bob.address], text(large))).errorCode, "");
      const [entry] = await bobOnTwo.entries(1, 3000);
      assert.deepEqual(words([entry!]), [large]);
      bobOnTwo.ack([entry!.entryId]);
      assert.equal(reads.count, 1, "an entry above the carried size is read from the store");
    } finally {
      reads.stop();
    }
  });

  it("reads the store when a carried entry does not follow the cursor, and never pushes one twice", async () => {
    const { bobOnTwo } = await bobCaughtUpOnTwo();
    const nats = await connect({ servers: natsUrl });
    const reads = countReads(two.store);
    try {
      const [, last] = (await storedWithoutWake("Lücke 1", "Lücke 2")) as [SealedEntry, SealedEntry];
      // The wake of the second arrives whole, twice; the first one's wake was lost.
      const batch = wakeBatch([last, last]);
      nats.publish(`${prefix}.entries`, batch);
      nats.publish(`${prefix}.entries`, batch);
      await nats.flush();
      const entries = await bobOnTwo.entries(2, 3000);
      assert.deepEqual(words(entries), ["Lücke 1", "Lücke 2"]);
      assert.ok(reads.count >= 1, "the gap was read from the store");
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(
        bobOnTwo.frames.filter((f) => f.case === "deliver" && f.value.entries.length > 0),
        [],
      );
      bobOnTwo.ack(entries.map((e) => e.entryId));
    } finally {
      reads.stop();
      await nats.close();
    }
  });

  it("lets an entry whose wake came first wait for the one below it instead of reading the store", async () => {
    // Two nodes store for one mailbox, and the lower seq's wake can come
    // second: under load that turned most deliveries into store reads.
    const { bobOnTwo } = await bobCaughtUpOnTwo();
    const nats = await connect({ servers: natsUrl });
    const reads = countReads(two.store);
    try {
      const [lower, higher] = (await storedWithoutWake("zuerst", "danach")) as [SealedEntry, SealedEntry];
      for (const entry of [higher, lower]) nats.publish(`${prefix}.entries`, wakeBatch([entry]));
      await nats.flush();
      const entries = await bobOnTwo.entries(2, 3000);
      assert.deepEqual(words(entries), ["zuerst", "danach"]);
      assert.equal(reads.count, 0, "the gap filled by its wake, without a store read");
      bobOnTwo.ack(entries.map((e) => e.entryId));
    } finally {
      reads.stop();
      await nats.close();
    }
  });

  it("accepts exactly one of two commits for the same epoch sent through different nodes", async () => {
    const viaOne = await connectTo(one, admin, true);
    const viaTwo = await connectTo(two, admin, true);
    const groupId = new Uint8Array(randomBytes(32));
    for (let epoch = 0n; epoch < 5n; epoch++) {
      const results = await Promise.all([
        viaOne.send([bob.address], text(`A ${epoch}`), { commit: { groupId, epoch } }),
        viaTwo.send([bob.address], text(`B ${epoch}`), { commit: { groupId, epoch } }),
      ]);
      assert.deepEqual(results.map((r) => r.errorCode).sort(), ["", "stale_epoch"]);
    }
  });

  it("tells a device on the other node that its key packages run low", async () => {
    await bob.call("POST", "/v1/key-packages", { oneTime: [encodeBase64url(randomBytes(100))] });
    const bobOnTwo = await connectTo(two, bob);
    const fetched = await admin.call("GET", `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`);
    assert.equal(fetched.status, 200);
    const low = await bobOnTwo.next((f) => f.case === "keyPackagesLow", 3000);
    assert.equal(low.case === "keyPackagesLow" && low.value.remaining, 0);
  });

  /** Revokes the device's account through node one, as an admin's device does. */
  async function revokeThroughOne(device: TestDevice): Promise<number> {
    const posted = await admin.postStatements([
      {
        kind: "revocation",
        revocation: revocation(
          admin.organisation.key,
          { kind: "account", accountId: device.accountId },
          admin.accountId,
        ),
      },
    ]);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    return posted.body.seq;
  }

  it("closes a revoked device's socket on the other node and tells that node's sockets of the change", async () => {
    const carl = await TestDevice.join(one, await admin.invite("Carl"));
    await carl.login();
    const carlOnTwo = await connectTo(two, carl);
    const adminOnTwo = await connectTo(two, admin);
    const started = Date.now();
    const seq = await revokeThroughOne(carl);
    const error = await carlOnTwo.next((f) => f.case === "error", 1000);
    assert.equal(error.case === "error" && error.value.code, "device_revoked");
    while (carlOnTwo.closed === undefined && Date.now() - started < 1000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(carlOnTwo.closed?.code, 4403);
    const changed = await adminOnTwo.next((f) => f.case === "organisationChanged", 1000);
    assert.equal(changed.case === "organisationChanged" && changed.value.seq, BigInt(seq));
  });

  it("names no device, organisation or session on NATS in any notice", async () => {
    const nats = await connect({ servers: natsUrl });
    const watching = watchNats(nats, prefix);
    try {
      await nats.flush();
      const dora = await TestDevice.join(one, await admin.invite("Dora"));
      const firstToken = await dora.login();
      const me = await admin.call<{ organisation: { id: string } }>("GET", "/v1/me");
      const orgId = decodeBase64url(me.body.organisation.id)!;
      // Key packages low: the last one-time package is fetched through node one.
      await dora.call("POST", "/v1/key-packages", { oneTime: [encodeBase64url(randomBytes(100))] });
      let doraOnTwo = await connectTo(two, dora);
      const fetched = await admin.call("GET", `/v1/accounts/${encodeBase64url(dora.accountId)}/key-packages`);
      assert.equal(fetched.status, 200);
      await doraOnTwo.next((f) => f.case === "keyPackagesLow", 3000);
      // Session ended: a logout through node one closes the socket on two.
      assert.equal((await dora.call("POST", "/v1/logout")).status, 204);
      const started = Date.now();
      while (doraOnTwo.closed === undefined && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 10));
      assert.equal(doraOnTwo.closed?.code, 4401, "the logout reached node two");
      // Revoked, and the organisation's log changed.
      await dora.login();
      doraOnTwo = await connectTo(two, dora);
      const adminOnTwo = await connectTo(two, admin);
      const seq = await revokeThroughOne(dora);
      const error = await doraOnTwo.next((f) => f.case === "error", 3000);
      assert.equal(error.case === "error" && error.value.code, "device_revoked");
      await adminOnTwo.next((f) => f.case === "organisationChanged", 3000);
      await nats.flush();

      const notices = watching.messages.filter((m) => m.subject !== `${prefix}.entries`);
      assert.ok(notices.length >= 4, `${notices.length} notices seen`);
      const session = createHash("sha256").update(firstToken).digest().subarray(0, 8);
      const seqBytes = Buffer.alloc(8);
      seqBytes.writeBigUInt64BE(BigInt(seq));
      assertWireHides(watching.messages, [dora.deviceId, dora.accountId, orgId, session, seqBytes]);
    } finally {
      watching.stop();
      await nats.close();
    }
  });

  it("closes no socket for a forged notice, nor for a real one moved to another device", async () => {
    const { bobOnTwo, viaOne } = await bobCaughtUpOnTwo();
    const nats = await connect({ servers: natsUrl });
    const watching = watchNats(nats, prefix);
    try {
      await nats.flush();
      // Bob's notice subject, whatever it is, learnt from a real notice.
      await bob.call("POST", "/v1/key-packages", { oneTime: [encodeBase64url(randomBytes(100))] });
      assert.equal(
        (await admin.call("GET", `/v1/accounts/${encodeBase64url(bob.accountId)}/key-packages`)).status,
        200,
      );
      await bobOnTwo.next((f) => f.case === "keyPackagesLow", 3000);
      await nats.flush();
      const bobs = watching.messages.filter((m) => m.subject !== `${prefix}.entries`);
      assert.equal(bobs.length, 1);
      const subject = bobs[0]!.subject;
      // A real revocation of Emil, who has a socket on node two too.
      const emil = await TestDevice.join(one, await admin.invite("Emil"));
      await emil.login();
      const emilOnTwo = await connectTo(two, emil);
      await revokeThroughOne(emil);
      await emilOnTwo.next((f) => f.case === "error", 3000);
      await nats.flush();
      const moved = watching.messages.filter((m) => m.subject !== `${prefix}.entries` && m.subject !== subject);
      assert.ok(moved.length >= 1);

      for (const forged of [...forgedRevocations(), ...moved.map((m) => m.data)]) {
        nats.publish(subject, forged);
        nats.publish(`${prefix}.d.${Buffer.from(bob.deviceId).toString("hex")}`, forged);
      }
      await nats.flush();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(bobOnTwo.closed, undefined, "a forged notice closed Bob's socket");
      assert.deepEqual(
        bobOnTwo.frames.filter((f) => f.case === "error"),
        [],
      );
      assert.equal((await viaOne.send([bob.address], text("noch da"))).errorCode, "");
      const [entry] = await bobOnTwo.entries(1, 3000);
      assert.deepEqual(words([entry!]), ["noch da"]);
      bobOnTwo.ack([entry!.entryId]);
    } finally {
      watching.stop();
      await nats.close();
    }
  });
});
