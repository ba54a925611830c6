/**
 * The NATS bus on a real NATS server: the entry wakes of one tick leave a
 * node as one sealed message, small entries travel whole and large ones as
 * a seq only, a node hands on only what its own sockets listen for, and
 * whoever watches NATS learns no mailbox, id or payload. Device and
 * organisation notices travel sealed too, on subjects that name neither,
 * and a node heeds none that a node of its installation did not seal for
 * that very device or organisation.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { natsSkipReason, natsUrl } from "@bote/testing";
import { ServerSecrets } from "../src/index.js";
import { NatsBus, CARRIED_ENTRY_MAX_BYTES } from "../src/relay/NatsBus.js";
import { deviceKey, mailboxKey, organisationBusKey, type BusEvent } from "../src/relay/Bus.js";
import { assertWireHides, forgedRevocations, watchNats } from "./support/natsWire.js";

const skip = (await natsSkipReason()) ?? false;

describe("the NATS bus between nodes", { skip }, () => {
  const prefix = `bote-test-${randomBytes(6).toString("hex")}`;
  let storing: NatsBus;
  let holding: NatsBus;
  let watcher: NatsConnection;

  before(async () => {
    const secrets = ServerSecrets.generate();
    storing = await NatsBus.connect(natsUrl, prefix, secrets);
    holding = await NatsBus.connect(natsUrl, prefix, secrets);
    watcher = await connect({ servers: natsUrl });
  });
  after(async () => {
    await storing?.close();
    await holding?.close();
    await watcher?.close();
  });

  it("sends the entry wakes of one tick as one message, small entries whole, and hands on only what is listened for", async () => {
    const mailbox = new Uint8Array(randomBytes(16));
    const elsewhere = new Uint8Array(randomBytes(16));
    const received: BusEvent[] = [];
    const unsubscribe = holding.subscribe(mailboxKey(Buffer.from(mailbox).toString("hex")), (e) => received.push(e));
    const messages: Uint8Array[] = [];
    watcher.subscribe(`${prefix}.entries`, { callback: (_error, m) => void messages.push(m.data) });
    await watcher.flush();
    await holding.probe();

    const small = new Uint8Array(randomBytes(300));
    const large = new Uint8Array(randomBytes(CARRIED_ENTRY_MAX_BYTES + 1));
    const entry = (mailboxId: Uint8Array, seq: number, payload: Uint8Array): BusEvent => ({
      kind: "entry",
      entry: { entryId: 1000 + seq, mailboxId, seq, payload },
    });
    for (let seq = 1; seq <= 10; seq++)
      storing.publish(mailboxKey(Buffer.from(mailbox).toString("hex")), entry(mailbox, seq, small));
    storing.publish(mailboxKey(Buffer.from(elsewhere).toString("hex")), entry(elsewhere, 1, small));
    storing.publish(mailboxKey(Buffer.from(mailbox).toString("hex")), entry(mailbox, 11, large));

    const deadline = Date.now() + 3000;
    while (received.length < 11 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await watcher.flush();
    assert.equal(messages.length, 1, "one message for the tick");
    assert.equal(received.length, 11, "the other mailbox's entry is not handed on");
    for (const [i, e] of received.entries()) {
      assert.equal(e.kind, "wake");
      if (e.kind !== "wake") continue;
      assert.equal(e.seq, i + 1);
      if (i < 10) {
        assert.equal(e.entry?.entryId, 1001 + i);
        assert.deepEqual(new Uint8Array(e.entry.payload), small);
        assert.deepEqual(new Uint8Array(e.entry.mailboxId), mailbox);
      } else {
        assert.equal(e.entry, undefined, "a large entry comes as its seq only");
      }
    }
    // What NATS carried names no mailbox and holds no payload or entry id (the batch is sealed whole).
    const wire = Buffer.from(messages[0]!);
    for (const secret of [
      mailbox,
      elsewhere,
      small.subarray(0, 32),
      Buffer.from(new Float64Array([1001]).buffer).reverse(),
    ])
      assert.equal(wire.indexOf(Buffer.from(secret)), -1);
    unsubscribe();
  });

  it("ignores a malformed batch, one sealed under another key, and its own wakes", async () => {
    const mailbox = new Uint8Array(randomBytes(16));
    const key = mailboxKey(Buffer.from(mailbox).toString("hex"));
    const received: BusEvent[] = [];
    const onHolding = holding.subscribe(key, (e) => received.push(e));
    const onStoring = storing.subscribe(key, (e) => received.push(e));
    await holding.probe();
    watcher.publish(`${prefix}.entries`, new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 16, 1, 2]));
    watcher.publish(`${prefix}.entries`, new Uint8Array(randomBytes(200)));
    // A node of another installation (another secrets file) on the same prefix is not heard.
    const stranger = await NatsBus.connect(natsUrl, prefix, ServerSecrets.generate());
    stranger.publish(key, {
      kind: "entry",
      entry: { entryId: 8, mailboxId: mailbox, seq: 2, payload: new Uint8Array(40) },
    });
    await stranger.close();
    storing.publish(key, {
      kind: "entry",
      entry: { entryId: 7, mailboxId: mailbox, seq: 1, payload: new Uint8Array(40) },
    });
    const deadline = Date.now() + 1000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    // The storing node's own subscriber gets the entry directly; the holding node gets it once from NATS.
    assert.deepEqual(received.map((e) => e.kind).sort(), ["entry", "wake"]);
    onHolding();
    onStoring();
  });

  it("carries each notice sealed, on a subject that names no device or organisation", async () => {
    const device = new Uint8Array(randomBytes(16));
    const organisation = new Uint8Array(randomBytes(16));
    const session = randomBytes(8);
    const received: BusEvent[] = [];
    const offDevice = holding.subscribe(deviceKey(Buffer.from(device).toString("hex")), (e) => received.push(e));
    const offOrganisation = holding.subscribe(organisationBusKey(Buffer.from(organisation).toString("hex")), (e) =>
      received.push(e),
    );
    const watching = watchNats(watcher, prefix);
    const wire = watching.messages;
    await watcher.flush();
    await holding.probe();

    const sent: BusEvent[] = [
      { kind: "keyPackagesLow", remaining: 3, lastResortHandedOut: true },
      { kind: "keyPackagesLow", remaining: 0, lastResortHandedOut: false },
      { kind: "revoked" },
      { kind: "sessionEnded", session: session.toString("hex") },
    ];
    for (const event of sent) storing.publish(deviceKey(Buffer.from(device).toString("hex")), event);
    storing.publish(organisationBusKey(Buffer.from(organisation).toString("hex")), {
      kind: "organisationChanged",
      seq: 4242,
    });

    const deadline = Date.now() + 3000;
    while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await watcher.flush();
    assert.deepEqual(received, [...sent, { kind: "organisationChanged", seq: 4242 }]);
    assert.equal(wire.length, 5);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(4242n);
    assertWireHides(wire, [device, organisation, session, seq]);
    watching.stop();
    offDevice();
    offOrganisation();
  });

  it("heeds no notice that a node of the installation did not seal for that device", async () => {
    const device = randomBytes(16).toString("hex");
    const other = randomBytes(16).toString("hex");
    const received: BusEvent[] = [];
    const off = holding.subscribe(deviceKey(device), (e) => received.push(e));
    const offOther = holding.subscribe(deviceKey(other), () => undefined);
    const watching = watchNats(watcher, prefix);
    const wire = watching.messages;
    await watcher.flush();
    await holding.probe();
    const waitFor = async (count: number) => {
      const deadline = Date.now() + 3000;
      while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    };

    // Whatever subject the node listens on for the device, learnt from a real notice.
    storing.publish(deviceKey(device), { kind: "keyPackagesLow", remaining: 1, lastResortHandedOut: false });
    await waitFor(1);
    await watcher.flush();
    const subject = wire.at(-1)!.subject;
    // A real revocation of another device, to be moved onto this one's subject.
    storing.publish(deviceKey(other), { kind: "revoked" });
    await storing.probe();
    await watcher.flush();
    const moved = wire.at(-1)!.data;
    assert.notEqual(wire.at(-1)!.subject, subject);

    for (const forged of [...forgedRevocations(), moved]) {
      watcher.publish(subject, forged);
      watcher.publish(`${prefix}.${deviceKey(device)}`, forged);
    }
    // A node of another installation (another secrets file) on the same prefix is not heard either.
    const stranger = await NatsBus.connect(natsUrl, prefix, ServerSecrets.generate());
    stranger.publish(deviceKey(device), { kind: "revoked" });
    await stranger.close();
    await watcher.flush();
    storing.publish(deviceKey(device), { kind: "keyPackagesLow", remaining: 2, lastResortHandedOut: false });
    await waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(received, [
      { kind: "keyPackagesLow", remaining: 1, lastResortHandedOut: false },
      { kind: "keyPackagesLow", remaining: 2, lastResortHandedOut: false },
    ]);
    watching.stop();
    off();
    offOther();
  });
});
