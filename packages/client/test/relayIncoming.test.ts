/**
 * Incoming entries over the relay connection (docs/PROTOCOL.md §5): acked
 * only after processing resolved, pushed again after a failed one, and an
 * envelope delivered twice stored once. In process, against MemoryRelay.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  addMembers,
  certifyAccount,
  certifyDevice,
  createConversation,
  createDevice,
  createSigningKey,
  DEFAULT_CIPHERSUITE,
  encodeConversation,
  encryptMessage,
  generateKeyPackageBundle,
  generateSignatureKeyPair,
  joinConversation,
  MemoryClientStore,
  readEpoch,
  type AuthenticationPort,
  type Device,
} from "@bote/core";
import { CONTENT_VERSION, encodeBase64url, encodeContent, unpadPayload, type Entry } from "@bote/protocol";
import { Emitter, processEntries, Serial, type ClientContext } from "@bote/client/connectionLayer";
import type { DropReason } from "@bote/client";
import { MAILBOX, relayHarness, settle, withSeed } from "./relayHarness.js";

const text = (s: string) => new TextEncoder().encode(s);
const untext = (b: Uint8Array) => new TextDecoder().decode(b);

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function ackedIds(frames: readonly { body: { case: string; value: unknown } }[]): bigint[] {
  return frames.flatMap((f) => (f.body.case === "ack" ? (f.body.value as { entryIds: bigint[] }).entryIds : []));
}

it("acknowledges entries only after their processing resolved, and live ones after the backlog", async (t) => {
  const batches: string[][] = [];
  const gates = [deferred(), deferred()];
  const h = relayHarness(t, {
    onEntries: (entries: readonly Entry[]) => {
      batches.push(entries.map((e) => untext(unpadPayload(e.payload)!)));
      return gates[batches.length - 1]!.promise;
    },
  });
  await withSeed(h.seed, async () => {
    const e1 = h.relay.enqueue(MAILBOX, text("e1"));
    const e2 = h.relay.enqueue(MAILBOX, text("e2"));
    const caughtUp = h.connection.caughtUp();
    let isCaughtUp = false;
    void caughtUp.then(() => (isCaughtUp = true));
    await h.connection.start();
    await settle();
    assert.deepEqual(batches, [["e1", "e2"]]);
    // A live entry arrives while the backlog is still being processed: it waits its turn.
    const e3 = h.relay.enqueue(MAILBOX, text("e3"));
    await settle();
    assert.deepEqual(batches, [["e1", "e2"]]);
    assert.deepEqual(ackedIds(h.relay.frames), [], "nothing acknowledged while processing");
    assert.equal(h.relay.mailbox(MAILBOX).length, 3);
    assert.equal(isCaughtUp, false);
    gates[0]!.resolve();
    await settle();
    assert.deepEqual(ackedIds(h.relay.frames), [e1.entryId, e2.entryId]);
    assert.equal(isCaughtUp, true);
    assert.deepEqual(batches, [["e1", "e2"], ["e3"]]);
    assert.deepEqual(h.relay.mailbox(MAILBOX), [e3]);
    gates[1]!.resolve();
    await h.connection.settled();
    await settle();
    assert.deepEqual(ackedIds(h.relay.frames), [e1.entryId, e2.entryId, e3.entryId]);
    assert.deepEqual(h.relay.mailbox(MAILBOX), []);
  });
});

it("a failed processing closes without acknowledging, and the entries come again after the reconnect", async (t) => {
  const batches: bigint[][] = [];
  let failures = 1;
  const h = relayHarness(t, {
    onEntries: (entries: readonly Entry[]) => {
      batches.push(entries.map((e) => e.entryId));
      return failures-- > 0 ? Promise.reject(new Error("disk full")) : Promise.resolve();
    },
  });
  await withSeed(h.seed, async () => {
    const ids = [h.relay.enqueue(MAILBOX, text("a")).entryId, h.relay.enqueue(MAILBOX, text("b")).entryId];
    await h.connection.start();
    await settle();
    assert.deepEqual(batches, [ids]);
    assert.equal(h.connection.connectionState, "waiting");
    assert.deepEqual(ackedIds(h.relay.frames), []);
    assert.equal(h.relay.mailbox(MAILBOX).length, 2);
    await h.clock.runNext();
    await h.connection.settled();
    await settle();
    assert.deepEqual(batches, [ids, ids]);
    assert.deepEqual(ackedIds(h.relay.frames), ids);
    assert.deepEqual(h.relay.mailbox(MAILBOX), []);
  });
});

it("entries whose socket closed while they were processed are not acknowledged on it, and come again", async (t) => {
  const processing = deferred();
  const batches: bigint[][] = [];
  const h = relayHarness(t, {
    onEntries: (entries: readonly Entry[]) => {
      batches.push(entries.map((e) => e.entryId));
      return batches.length === 1 ? processing.promise : Promise.resolve();
    },
  });
  await withSeed(h.seed, async () => {
    const id = h.relay.enqueue(MAILBOX, text("a")).entryId;
    await h.connection.start();
    await settle();
    assert.deepEqual(batches, [[id]]);
    h.relay.dropAll();
    await settle();
    processing.resolve();
    await settle();
    assert.equal(h.relay.framesAfterClose, 0, "no ack on the closed socket");
    await h.clock.runNext();
    await h.connection.settled();
    await settle();
    assert.deepEqual(batches, [[id], [id]], "pushed again on the next socket");
    assert.deepEqual(ackedIds(h.relay.frames), [id]);
  });
});

// Incoming processing with the real SDK step: an MLS message from Alice to Bob's conversation.

const acceptAll: AuthenticationPort = {
  authenticate: () => Promise.resolve({ accepted: true, basis: "verified" }),
};

async function makeDevice(displayName: string): Promise<{ device: Device; accountId: Uint8Array }> {
  const organisation = createSigningKey();
  const accountKey = createSigningKey();
  const accountId = new Uint8Array(randomBytes(16));
  const signatureKeyPair = await generateSignatureKeyPair(DEFAULT_CIPHERSUITE);
  const now = new Date();
  const accountCertificate = certifyAccount(
    organisation,
    { accountId, displayName, role: "member", accountKey: accountKey.publicKey },
    { issuedBy: new Uint8Array(randomBytes(16)), now },
  );
  const device = createDevice({
    signatureKeyPair,
    accountCertificate,
    deviceCertificate: certifyDevice(accountId, accountKey, signatureKeyPair.publicKey, now),
    deliveryAddress: { mailboxId: MAILBOX, capability: new Uint8Array(33).fill(1) },
  });
  return { device, accountId };
}

it("an envelope pushed twice (a lost ack, a repeated Deliver) is stored once and acknowledged each time", async (t) => {
  const alice = await makeDevice("Alice");
  const bob = await makeDevice("Bob");
  const bobBundle = await generateKeyPackageBundle(bob.device);
  const added = await addMembers(await createConversation(alice.device, acceptAll), [bobBundle.keyPackage], acceptAll);
  const joined = await joinConversation(added.welcome, bobBundle, acceptAll);
  const conversationId = encodeBase64url(joined.group.groupContext.groupId);
  const store = new MemoryClientStore();
  await store.apply({
    conversations: [
      {
        conversationId,
        kind: "group",
        name: "Team",
        peerAccountId: undefined,
        state: encodeConversation(joined),
        epoch: Number(readEpoch(joined)),
        pendingState: undefined,
        active: true,
        unread: 0,
        lastActivityAt: 0,
      },
    ],
  });
  const dropped: DropReason[] = [];
  const events = new Emitter();
  events.on("dropped", (d) => dropped.push(d.reason));
  const h = relayHarness(t, { onEntries: (entries) => processEntries(ctx, entries) });
  const unused = () => {
    throw new Error("not used by incoming text");
  };
  const ctx = {
    store,
    serial: new Serial(),
    events,
    trust: acceptAll,
    now: h.clock.now,
    connection: h.connection,
    queueLimitBytes: 0,
    onProposal: unused,
    onDelivered: () => undefined,
    profile: () => ({ accountId: encodeBase64url(bob.accountId) }),
    organisation: () => ({ revokedAccounts: new Set(), revokedDevices: new Set() }),
    device: () => bob.device,
    get session() {
      return unused();
    },
    updateOrganisation: unused,
    keepOrganisationKey: unused,
  } as unknown as ClientContext;
  await withSeed(h.seed, async () => {
    let conversation = added.conversation;
    const seal = async (line: string) => {
      const content = encodeContent({
        version: CONTENT_VERSION,
        messageId: new Uint8Array(randomBytes(16)),
        sentAtMs: BigInt(h.clock.now()),
        body: { case: "text", value: { $typeName: "bote.v1.Text", text: line } },
      });
      const sealed = await encryptMessage(conversation, content);
      conversation = sealed.conversation;
      return sealed.message;
    };
    // The ack is lost with the socket (frame 2, after the Hello): after the reconnect the relay pushes the entry again.
    h.relay.enqueue(MAILBOX, await seal("Moin Bob"));
    h.relay.dropAt(2, false);
    await h.connection.start();
    await h.connection.settled();
    await settle();
    assert.equal(h.connection.connectionState, "waiting");
    await h.clock.runNext();
    await h.connection.settled();
    await settle();
    // On one socket, the same Deliver twice.
    h.relay.holdDelivers = true;
    h.relay.enqueue(MAILBOX, await seal("Zweite Nachricht"));
    h.relay.holdDelivers = false;
    h.relay.releaseDelivers([0, 0]);
    await settle();
    await h.connection.settled();
    await settle();
    const messages = await store.listMessages(conversationId);
    assert.deepEqual(
      messages.map((m) => m.status),
      ["received", "received"],
    );
    assert.deepEqual(dropped, ["duplicate", "duplicate"]);
    assert.equal(ackedIds(h.relay.frames).length, 4, "each push acknowledged");
    assert.deepEqual(h.relay.mailbox(MAILBOX), []);
  });
});
