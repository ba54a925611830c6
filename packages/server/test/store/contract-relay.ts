/** Contract: commitBatch (sends, acks, dedupe, epochs, concurrency), fetchQueue and sweep. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bytes, SendOp, ServerStore } from "../../src/store/ServerStore.js";
import {
  redeemRequest,
  DAY,
  T,
  assertBytes,
  hexes,
  id,
  seedDevice,
  seedInvitation,
  seedOrganisation,
  entriesFor,
  sendTo,
  stored,
  type StoreFixture,
} from "./fixtures.js";

/** Reads happen at the fixtures' time, before anything expires. */
const NOW = T;

export function relayContract(fixture: () => StoreFixture, open: () => Promise<StoreFixture>): void {
  const store = (): ServerStore => fixture().store;
  const devices = async (n: number) => {
    const orgId = await seedOrganisation(store());
    const list = [];
    for (let i = 0; i < n; i++) list.push(await seedDevice(store(), orgId));
    return list;
  };
  const sendOne = async (send: SendOp) => (await store().commitBatch({ sends: [send], acks: [] })).sends[0];
  const commit = (mailboxIds: Bytes[], groupKey: Bytes, epoch: bigint, welcomeTo?: Bytes[]): SendOp => ({
    ...sendTo(mailboxIds, { commit: { groupKey, epoch } }),
    ...(welcomeTo && { parts: [entriesFor(mailboxIds, 100), entriesFor(welcomeTo, 300)] }),
  });

  describe("commitBatch sends", () => {
    it("stores each recipient's sealed entry, readable by fetchQueue, under a random id and the mailbox's next seq", async () => {
      const [a, b] = await devices(2);
      const send = sendTo([a!.mailboxId, b!.mailboxId]);
      const outcome = stored(await sendOne(send));
      assert.deepEqual(outcome.gone, []);
      assert.deepEqual(
        outcome.entries.map((e) => [e.part, e.index]),
        [
          [0, 0],
          [0, 1],
        ],
      );
      assertBytes(outcome.entries[0]?.mailboxId, a!.mailboxId);
      for (const [i, e] of outcome.entries.entries()) {
        assert.ok(Number.isSafeInteger(e.entryId) && e.entryId > 0);
        const queued = await store().fetchQueue([e.mailboxId], 0, 10, NOW);
        assert.deepEqual(
          queued.map((q) => [q.entryId, q.seq]),
          [[e.entryId, e.seq]],
        );
        assertBytes(queued[0]?.sealed, send.parts[0]![i]!.sealed);
      }
      // Random, not consecutive: the ids of one send say nothing about each other.
      assert.ok(Math.abs(outcome.entries[0]!.entryId - outcome.entries[1]!.entryId) > 1000);
      assert.equal(await fixture().peekSend(send.sendKey), send.expiresAt);
    });

    it("stores for 50 recipients and reports missing and retired mailboxes as gone", async () => {
      const list = await devices(50);
      const retired = list[7]!;
      await store().rotateMailbox(retired.deviceId, id());
      const mailboxIds = [...list.map((d) => d.mailboxId), id()];
      const outcome = stored(await sendOne(sendTo(mailboxIds)));
      assert.deepEqual(outcome.gone, [
        { part: 0, index: 7 },
        { part: 0, index: 50 },
      ]);
      assert.equal(outcome.entries.length, 49);
      for (const e of outcome.entries) {
        assertBytes(e.mailboxId, mailboxIds[e.index]!);
        assert.deepEqual(
          (await store().fetchQueue([e.mailboxId], 0, 10, NOW)).map((q) => q.entryId),
          [e.entryId],
        );
      }
      assert.equal(new Set(outcome.entries.map((e) => e.entryId)).size, 49);
    });

    it("keeps no send key for a send that reaches nobody", async () => {
      const send = sendTo([id(), id()]);
      const outcome = stored(await sendOne(send));
      assert.deepEqual(outcome.entries, []);
      assert.equal(outcome.gone.length, 2);
      assert.equal(await fixture().peekSend(send.sendKey), undefined);
    });

    it("stores a message id once, within a batch and across batches", async () => {
      const [a, b] = await devices(2);
      const send = sendTo([a!.mailboxId]);
      const again = { ...send, parts: [entriesFor([b!.mailboxId])] };
      const result = await store().commitBatch({ sends: [send, again], acks: [] });
      stored(result.sends[0]);
      assert.deepEqual(result.sends[1], { kind: "duplicate" });
      assert.deepEqual(await sendOne(send), { kind: "duplicate" });
      assert.equal((await store().fetchQueue([a!.mailboxId, b!.mailboxId], 0, 10, NOW)).length, 1);
    });

    it("does not let a bad send abort the other sends of its batch", async () => {
      const [a] = await devices(1);
      const groupId = id();
      stored(await sendOne(commit([a!.mailboxId], groupId, 0n)));
      const dup = sendTo([a!.mailboxId]);
      stored(await sendOne(dup));
      const result = await store().commitBatch({
        sends: [
          dup,
          commit([a!.mailboxId], groupId, 0n),
          commit([a!.mailboxId], id(), 2n ** 64n - 1n),
          sendTo([id()]),
          sendTo([a!.mailboxId]),
        ],
        acks: [{ mailboxIds: [a!.mailboxId], entryIds: [2 ** 60, -1, 0.5] }],
      });
      assert.deepEqual(
        result.sends.map((o) => o.kind),
        ["duplicate", "stale_epoch", "stale_epoch", "stored", "stored"],
      );
      assert.deepEqual(result.acked, [0]);
      assert.equal(stored(result.sends[4]).entries.length, 1);
    });
  });

  describe("commitBatch acks", () => {
    it("deletes only entries of the acknowledging mailboxes; the send key stays to catch resends", async () => {
      const [a, b] = await devices(2);
      const send = sendTo([a!.mailboxId, b!.mailboxId]);
      const outcome = stored(await sendOne(send));
      const [ea, eb] = outcome.entries.map((e) => e.entryId) as [number, number];

      const foreign = await store().commitBatch({ sends: [], acks: [{ mailboxIds: [a!.mailboxId], entryIds: [eb] }] });
      assert.deepEqual(foreign.acked, [0]);
      assert.equal((await store().fetchQueue([b!.mailboxId], 0, 10, NOW)).length, 1);

      const first = await store().commitBatch({
        sends: [],
        acks: [
          { mailboxIds: [a!.mailboxId], entryIds: [ea, ea] },
          { mailboxIds: [a!.mailboxId], entryIds: [ea] },
        ],
      });
      assert.deepEqual(first.acked, [1, 0]);
      assert.equal((await store().fetchQueue([b!.mailboxId], 0, 10, NOW)).length, 1);

      const last = await store().commitBatch({
        sends: [],
        acks: [{ mailboxIds: [id(), b!.mailboxId], entryIds: [eb] }],
      });
      assert.deepEqual(last.acked, [1]);
      assert.deepEqual(await store().fetchQueue([a!.mailboxId, b!.mailboxId], 0, 10, NOW), []);
      assert.equal(await fixture().peekSend(send.sendKey), send.expiresAt);
      assert.deepEqual(await sendOne(send), { kind: "duplicate" });
    });
  });

  describe("fetchQueue", () => {
    it("pages through a mailbox in seq order, and a rotated device's mailboxes on one seq line", async () => {
      const [d] = await devices(1);
      const first = await store().commitBatch({
        sends: Array.from({ length: 6 }, () => sendTo([d!.mailboxId])),
        acks: [],
      });
      const next = id();
      await store().rotateMailbox(d!.deviceId, next);
      const second = await store().commitBatch({
        sends: [sendTo([d!.mailboxId]), ...Array.from({ length: 6 }, () => sendTo([next]))],
        acks: [],
      });
      // The retired mailbox takes nothing new; the new one counts on from it.
      assert.deepEqual(stored(second.sends[0]).gone, [{ part: 0, index: 0 }]);
      const expected = [...first.sends, ...second.sends.slice(1)].map((o) => stored(o).entries[0]!);
      const start = expected[0]!.seq;
      assert.deepEqual(
        expected.map((e) => e.seq - start),
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
      );

      const mailboxIds = [next, d!.mailboxId];
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const page = await store().fetchQueue(mailboxIds, after, 5, NOW);
        if (page.length === 0) break;
        assert.ok(page.length <= 5);
        seen.push(...page.map((e) => e.entryId));
        after = page.at(-1)!.seq;
      }
      assert.deepEqual(
        seen,
        expected.map((e) => e.entryId),
      );
      const last = await store().fetchQueue(mailboxIds, start + 9, 100, NOW);
      assert.deepEqual(
        last.map((e) => e.seq - start),
        [10, 11],
      );
      assert.deepEqual(hexes(last.map((e) => e.mailboxId)), hexes([next, next]));

      const acked = await store().commitBatch({
        sends: [],
        acks: [{ mailboxIds, entryIds: expected.map((e) => e.entryId) }],
      });
      assert.deepEqual(acked.acked, [12]);
      assert.deepEqual(await store().fetchQueue(mailboxIds, 0, 100, NOW), []);
      assert.deepEqual(await store().fetchQueue([], 0, 100, NOW), []);
    });

    it("starts each mailbox's seq line at random, and counts each on its own", async () => {
      const [a, b] = await devices(2);
      const before = stored(await sendOne(sendTo([a!.mailboxId, b!.mailboxId])));
      await store().commitBatch({ sends: [sendTo([a!.mailboxId]), sendTo([a!.mailboxId])], acks: [] });
      const after = stored(await sendOne(sendTo([a!.mailboxId, b!.mailboxId])));
      const [sa, sb] = before.entries.map((e) => e.seq) as [number, number];
      assert.ok(Math.abs(sa - sb) > 2 ** 20, "two new mailboxes start far apart");
      assert.deepEqual(
        after.entries.map((e) => e.seq),
        [sa + 3, sb + 1],
      );
    });
  });

  describe("group epochs", () => {
    it("accepts one commit per epoch and reports the current epoch to the loser", async () => {
      const [a] = await devices(1);
      const groupId = id();
      const first = commit([a!.mailboxId], groupId, 5n);
      stored(await sendOne(first));
      const loser = commit([a!.mailboxId], groupId, 5n);
      assert.deepEqual(await sendOne(loser), { kind: "stale_epoch", currentEpoch: 6n });
      assert.equal(await fixture().peekSend(loser.sendKey), undefined);
      // A resend of the winning commit is a duplicate, not a stale commit.
      assert.deepEqual(await sendOne(first), { kind: "duplicate" });
      stored(await sendOne(commit([a!.mailboxId], groupId, 6n)));
      assert.deepEqual(await sendOne(commit([a!.mailboxId], groupId, 5n)), { kind: "stale_epoch", currentEpoch: 7n });

      // Within one batch, each commit sees the ones before it.
      const [seven, again, eight] = (
        await store().commitBatch({
          sends: [
            commit([a!.mailboxId], groupId, 7n),
            commit([a!.mailboxId], groupId, 7n),
            commit([a!.mailboxId], groupId, 8n),
          ],
          acks: [],
        })
      ).sends;
      stored(seven);
      assert.deepEqual(again, { kind: "stale_epoch", currentEpoch: 8n });
      stored(eight);
    });

    it("delivers a Welcome with its commit, and never with a losing one", async () => {
      const [member, joiner, late] = await devices(3);
      const groupId = id();
      const winner = commit([member!.mailboxId], groupId, 0n, [joiner!.mailboxId]);
      const outcome = stored(await sendOne(winner));
      assert.deepEqual(
        outcome.entries.map((e) => [e.part, e.index]),
        [
          [0, 0],
          [1, 0],
        ],
      );
      assertBytes((await store().fetchQueue([joiner!.mailboxId], 0, 10, NOW))[0]?.sealed, winner.parts[1]![0]!.sealed);

      const loser = commit([member!.mailboxId], groupId, 0n, [late!.mailboxId]);
      assert.deepEqual(await sendOne(loser), { kind: "stale_epoch", currentEpoch: 1n });
      assert.deepEqual(await store().fetchQueue([late!.mailboxId], 0, 10, NOW), []);
      assert.equal(await fixture().peekSend(loser.sendKey), undefined);
    });

    it("lets exactly one of two nodes committing the same epoch at once win", async () => {
      const [a, b] = await devices(2);
      const peer = await fixture().openPeer();
      try {
        const groupId = id();
        for (let epoch = 0n; epoch < 10n; epoch++) {
          // Disjoint recipients, as two members committing would have (each leaves itself out),
          // so that nothing but the epoch guard orders the two transactions.
          const batch = (to: Bytes) => ({
            sends: [sendTo([to]), commit([to], groupId, epoch), sendTo([to])],
            acks: [],
          });
          const results = await Promise.all([
            store().commitBatch(batch(a!.mailboxId)),
            peer.commitBatch(batch(b!.mailboxId)),
          ]);
          const kinds = results.map((r) => r.sends[1]?.kind).sort();
          assert.deepEqual(kinds, ["stale_epoch", "stored"], `epoch ${epoch}`);
          const lost = results.map((r) => r.sends[1]).find((o) => o?.kind === "stale_epoch");
          assert.deepEqual(lost, { kind: "stale_epoch", currentEpoch: epoch + 1n });
          // The other sends of the losing batch are stored all the same.
          for (const r of results) for (const i of [0, 2]) stored(r.sends[i]);
        }
      } finally {
        await peer.close();
      }
    });
  });

  describe("sweep", () => {
    it("deletes what expired and keeps the rest", async () => {
      const own = await open();
      try {
        const s = own.store;
        const orgId = await seedOrganisation(s);
        const a = await seedDevice(s, orgId);
        const soon = T + 1000;
        const expiring = sendTo([a.mailboxId], { expiresAt: soon });
        const lasting = sendTo([a.mailboxId], { expiresAt: T + DAY });
        const acked = sendTo([a.mailboxId], { expiresAt: soon });
        const result = await s.commitBatch({ sends: [expiring, lasting, acked], acks: [] });
        await s.commitBatch({
          sends: [],
          acks: [{ mailboxIds: [a.mailboxId], entryIds: [stored(result.sends[2]).entries[0]!.entryId] }],
        });
        const session = id(32);
        await s.createSession(session, a.deviceId, soon);
        const challenge = id(32);
        await s.createChallenge(challenge, a.deviceId, soon);
        const invitation = await seedInvitation(s, orgId, { expiresAt: soon });
        const blobId = id(32);
        await s.createBlob({ id: blobId, size: 1, expiresAt: soon, orgId: undefined });
        const keptBlob = id(32);
        await s.createBlob({ id: keptBlob, size: 1, expiresAt: T + DAY, orgId: undefined });

        // An expired entry is not handed out even before the sweeper has deleted it.
        assert.equal((await s.fetchQueue([a.mailboxId], 0, 10, soon - 1)).length, 2);
        const live = await s.fetchQueue([a.mailboxId], 0, 10, soon);
        assert.deepEqual(
          live.map((q) => q.entryId),
          [stored(result.sends[1]).entries[0]!.entryId],
        );

        const swept = await s.sweep(soon);
        assert.equal(swept.entries, 1);
        assert.equal(swept.sends, 2);
        assert.deepEqual(hexes(swept.blobs), hexes([blobId]));

        const left = await s.fetchQueue([a.mailboxId], 0, 10, NOW);
        assert.deepEqual(
          left.map((e) => e.entryId),
          [stored(result.sends[1]).entries[0]!.entryId],
        );
        assert.equal(await own.peekSend(expiring.sendKey), undefined);
        assert.equal(await own.peekSend(acked.sendKey), undefined);
        assert.equal(await own.peekSend(lasting.sendKey), T + DAY);
        // What is gone stays gone even when asked about an earlier moment.
        assert.equal(await s.getSession(session, T), undefined);
        assert.equal(await s.consumeChallenge(challenge, a.deviceId, T), false);
        const redeem = await s.redeemInvitation(redeemRequest(invitation));
        assert.deepEqual(redeem, { ok: false, code: "invitation_invalid" });
        assert.ok(await s.getBlob(keptBlob, T));
        assert.deepEqual(await s.sweep(soon), { entries: 0, sends: 0, blobs: [] });
        // The send key is gone, so the message id may be used again.
        stored((await s.commitBatch({ sends: [acked], acks: [] })).sends[0]);
      } finally {
        await own.cleanup();
      }
    });
  });
}
