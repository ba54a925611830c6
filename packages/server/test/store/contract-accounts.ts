/** Contract: organisations, invitations, devices, sessions, challenges, key packages, mailboxes, blob metadata. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServerStore } from "../../src/store/ServerStore.js";
import {
  DAY,
  T,
  assertBytes,
  hexes,
  id,
  redeemRequest,
  seedDevice,
  seedInvitation,
  seedOrganisation,
  sendTo,
  tokenHash,
  type StoreFixture,
} from "./fixtures.js";

export function accountsContract(fixture: () => StoreFixture): void {
  const store = (): ServerStore => fixture().store;

  describe("organisations", () => {
    it("creates, gets and lists", async () => {
      const orgId = await seedOrganisation(store());
      const org = await store().getOrganisation(orgId);
      assertBytes(org?.id, orgId);
      assert.equal(org?.createdAt, T);
      assert.ok(hexes((await store().listOrganisations()).map((o) => o.id)).includes(orgId.toString("hex")));
      assert.equal(await store().getOrganisation(id()), undefined);
    });

    it("starts in German and not set up; the setup sets name and language and when", async () => {
      const orgId = await seedOrganisation(store());
      const before = await store().getOrganisation(orgId);
      assert.equal(before?.language, "de");
      assert.equal(before?.setUpAt, undefined);
      await store().setUpOrganisation(orgId, { name: "Dachdecker Schmidt", language: "en", now: T + 5 });
      const after = await store().getOrganisation(orgId);
      assert.deepEqual([after?.name, after?.language, after?.setUpAt], ["Dachdecker Schmidt", "en", T + 5]);
      const listed = (await store().listOrganisations()).find((o) => hexes([o.id])[0] === orgId.toString("hex"));
      assert.equal(listed?.setUpAt, T + 5);
    });
  });

  describe("redeemInvitation", () => {
    it("creates account, device and current mailbox with the certified account id, role and name", async () => {
      const orgId = await seedOrganisation(store());
      const invitation = await seedInvitation(store(), orgId, { role: "admin" });
      const request = redeemRequest(invitation, { displayName: "Anna", role: "admin" });
      const result = await store().redeemInvitation(request);
      assert.ok(result.ok);
      assertBytes(result.orgId, orgId);
      assert.equal(result.role, "admin");

      const principal = await store().getDevice(request.deviceId);
      assertBytes(principal?.accountId, invitation.accountId!);
      assertBytes(principal?.orgId, orgId);
      assertBytes(principal?.publicKey, request.publicKey);
      assert.equal(principal?.role, "admin");
      assert.equal(principal?.displayName, "Anna");
      const account = await store().getAccount(request.accountId);
      assertBytes(account?.id, request.accountId);
      assertBytes(account?.orgId, orgId);
      assertBytes(account?.accountKey, request.accountKey);
      assertBytes(account?.certificate, request.accountCertificate);
      assert.equal(account?.certificateIssuedAt, request.certificateIssuedAt);
      assert.equal(account?.deactivatedAt, undefined);
      assert.equal(account?.displayName, "Anna");
      assert.equal(account?.role, "admin");
      assert.equal(account?.createdAt, T);
      const mailboxes = await store().listMailboxes(request.deviceId);
      assert.equal(mailboxes.length, 1);
      assertBytes(mailboxes[0]?.id, request.mailboxId);
      assert.equal(mailboxes[0]?.retired, false);
      assert.equal(await store().countAccounts(orgId), 1);
      const members = await store().listMembers(orgId);
      assert.equal(members.length, 1);
      assert.deepEqual(hexes(members[0]?.devices.map((d) => d.id) ?? []), hexes([request.deviceId]));
      assertBytes(members[0]?.devices[0]?.certificate, request.deviceCertificate);
      assertBytes(members[0]?.certificate, request.accountCertificate);
      // The invitation's statement, then the account certificate's.
      const log = await store().listStatements(orgId, 0, 10);
      assert.deepEqual(
        log.map((l) => l.seq),
        [1, 2],
      );
      assertBytes(log[1]?.statement, request.statement);
      assert.equal(await store().getDevice(id()), undefined);
      assert.equal(await store().getAccount(id()), undefined);
    });

    it("refuses unknown, expired and used invitations, and a taken device key", async () => {
      const orgId = await seedOrganisation(store());
      const unknown = await seedInvitation(store(), orgId);
      assert.deepEqual(await store().redeemInvitation(redeemRequest({ ...unknown, tokenHash: tokenHash(id()) })), {
        ok: false,
        code: "invitation_invalid",
      });

      const expired = await seedInvitation(store(), orgId, { expiresAt: T + 1000 });
      assert.deepEqual(await store().redeemInvitation(redeemRequest(expired, { now: T + 1000 })), {
        ok: false,
        code: "invitation_invalid",
      });

      const first = await seedDevice(store(), orgId);
      const invitation = await seedInvitation(store(), orgId);
      assert.deepEqual(await store().redeemInvitation(redeemRequest(invitation, { publicKey: first.publicKey })), {
        ok: false,
        code: "device_key_taken",
      });
      // The refused redeem changed nothing: the invitation still works, and only then is it used.
      assert.equal(await store().countAccounts(orgId), 1);
      assert.equal((await store().redeemInvitation(redeemRequest(invitation))).ok, true);
      assert.deepEqual(await store().redeemInvitation(redeemRequest(invitation)), {
        ok: false,
        code: "invitation_used",
      });
      assert.equal(await store().countAccounts(orgId), 2);
    });

    it("refuses an account id other than the invitation's, and a key the organisation no longer has", async () => {
      const orgId = await seedOrganisation(store());
      const invitation = await seedInvitation(store(), orgId);
      assert.deepEqual(await store().redeemInvitation(redeemRequest(invitation, { accountId: id() })), {
        ok: false,
        code: "invitation_invalid",
      });
      assert.deepEqual(await store().redeemInvitation(redeemRequest(invitation, { organisationKey: id(32) })), {
        ok: false,
        code: "organisation_key_changed",
      });
      assert.equal((await store().redeemInvitation(redeemRequest(invitation))).ok, true);
    });

    it("sets the organisation key with the first-admin invitation, once", async () => {
      const orgId = await seedOrganisation(store(), { withKey: false });
      assert.equal(await store().getOrganisationKey(orgId), undefined);
      const bootstrap = await seedInvitation(store(), orgId, { role: "admin", bootstrap: true });
      const request = redeemRequest(bootstrap, { role: "admin" });
      assert.equal((await store().redeemInvitation(request)).ok, true);
      assertBytes(await store().getOrganisationKey(orgId), request.organisationKey);
      assert.equal(await store().setOrganisationKey(orgId, id(32)), false);
      assertBytes(await store().getOrganisationKey(orgId), request.organisationKey);
      // A second bootstrap invitation cannot replace the key.
      const second = await seedInvitation(store(), orgId, { role: "admin", bootstrap: true });
      assert.deepEqual(await store().redeemInvitation(redeemRequest(second)), {
        ok: false,
        code: "organisation_key_changed",
      });
    });

    it("lets exactly one of several concurrent redeems of one invitation win", async () => {
      const orgId = await seedOrganisation(store());
      const invitation = await seedInvitation(store(), orgId);
      const peer = await fixture().openPeer();
      try {
        const stores = [store(), peer, store(), peer];
        const results = await Promise.all(stores.map((s) => s.redeemInvitation(redeemRequest(invitation))));
        assert.equal(results.filter((r) => r.ok).length, 1);
        for (const r of results) if (!r.ok) assert.equal(r.code, "invitation_used");
        assert.equal(await store().countAccounts(orgId), 1);
      } finally {
        await peer.close();
      }
    });
  });

  describe("sessions and challenges", () => {
    it("finds a session until it expires, and not after delete", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      const hash = id(32);
      await store().createSession(hash, device.deviceId, T + 1000);
      assertBytes((await store().getSession(hash, T + 999))?.deviceId, device.deviceId);
      assert.equal(await store().getSession(hash, T + 1000), undefined);
      await store().deleteSession(hash);
      assert.equal(await store().getSession(hash, T), undefined);
      assert.equal(await store().getSession(id(32), T), undefined);
    });

    it("keeps at most maxPerDevice sessions of a device, dropping the oldest", async () => {
      const orgId = await seedOrganisation(store());
      const device = await seedDevice(store(), orgId);
      const other = await seedDevice(store(), orgId);
      const otherSession = id(32);
      await store().createSession(otherSession, other.deviceId, T + 500, 2);
      const hashes = [id(32), id(32), id(32)];
      const dropped = [];
      for (const [i, hash] of hashes.entries()) {
        dropped.push(await store().createSession(hash, device.deviceId, T + 1000 + i, 2));
      }
      assert.deepEqual(dropped.map(hexes), [[], [], hexes([hashes[0]!])], "the dropped session is named");
      assert.equal(await store().getSession(hashes[0]!, T), undefined, "the oldest is gone");
      assert.equal((await store().getSession(hashes[1]!, T))?.expiresAt, T + 1001);
      assertBytes((await store().getSession(hashes[1]!, T))?.deviceId, device.deviceId);
      assertBytes((await store().getSession(hashes[2]!, T))?.deviceId, device.deviceId);
      assertBytes((await store().getSession(otherSession, T))?.deviceId, other.deviceId, "other devices keep theirs");
    });

    it("accepts a challenge once, for its device, before expiry", async () => {
      const orgId = await seedOrganisation(store());
      const device = await seedDevice(store(), orgId);
      const other = await seedDevice(store(), orgId);
      const challenge = id(32);
      await store().createChallenge(challenge, device.deviceId, T + 1000);
      assert.equal(await store().consumeChallenge(challenge, device.deviceId, T), true);
      assert.equal(await store().consumeChallenge(challenge, device.deviceId, T), false);

      const misused = id(32);
      await store().createChallenge(misused, device.deviceId, T + 1000);
      assert.equal(await store().consumeChallenge(misused, other.deviceId, T), false);
      // Presented by the wrong device, it is spent all the same.
      assert.equal(await store().consumeChallenge(misused, device.deviceId, T), false);

      const late = id(32);
      await store().createChallenge(late, device.deviceId, T + 1000);
      assert.equal(await store().consumeChallenge(late, device.deviceId, T + 1000), false);
    });
  });

  describe("key packages", () => {
    it("hands out one-time packages oldest first, then the kept last-resort one", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      const packages = [id(), id(), id()];
      const lastResort = id();
      assert.equal(await store().addKeyPackages(device.deviceId, packages, lastResort, 10), true);
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 3, lastResort: true });

      for (const [i, expected] of packages.entries()) {
        const { taken, unavailable } = await store().takeKeyPackages(device.accountId);
        assert.equal(unavailable.length, 0);
        assert.equal(taken.length, 1);
        assertBytes(taken[0]?.data, expected);
        assert.equal(taken[0]?.lastResort, false);
        assert.equal(taken[0]?.remaining, 2 - i);
        assertBytes(taken[0]?.deviceId, device.deviceId);
        assertBytes(taken[0]?.mailboxId, device.mailboxId);
      }
      for (let i = 0; i < 2; i++) {
        const { taken } = await store().takeKeyPackages(device.accountId);
        assertBytes(taken[0]?.data, lastResort);
        assert.equal(taken[0]?.lastResort, true);
        assert.equal(taken[0]?.remaining, 0);
      }
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 0, lastResort: true });

      const replacement = id();
      assert.equal(await store().addKeyPackages(device.deviceId, [], replacement, 10), true);
      assertBytes((await store().takeKeyPackages(device.accountId)).taken[0]?.data, replacement);
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 0, lastResort: true });
    });

    it("hands out the last-resort package, keeping the one-time ones, when mayTakeOneTime says no", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      const lastResort = id();
      await store().addKeyPackages(device.deviceId, [id(), id()], lastResort, 10);
      const asked: string[] = [];
      const { taken } = await store().takeKeyPackages(device.accountId, (deviceId) => {
        asked.push(Buffer.from(deviceId).toString("hex"));
        return false;
      });
      assert.deepEqual(asked, hexes([device.deviceId]));
      assertBytes(taken[0]?.data, lastResort);
      assert.equal(taken[0]?.lastResort, true);
      assert.equal(taken[0]?.remaining, 2);
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 2, lastResort: true });
    });

    it("reports a device with no package as unavailable", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 0, lastResort: false });
      const { taken, unavailable } = await store().takeKeyPackages(device.accountId);
      assert.equal(taken.length, 0);
      assert.deepEqual(hexes(unavailable), hexes([device.deviceId]));
      assert.deepEqual(await store().takeKeyPackages(id()), { taken: [], unavailable: [] });
    });

    it("refuses an upload that would exceed max, changing nothing", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      assert.equal(await store().addKeyPackages(device.deviceId, [id(), id(), id()], undefined, 4), true);
      assert.equal(await store().addKeyPackages(device.deviceId, [id(), id()], id(), 4), false);
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 3, lastResort: false });
      assert.equal(await store().addKeyPackages(device.deviceId, [id()], undefined, 4), true);
      assert.deepEqual(await store().countKeyPackages(device.deviceId), { oneTime: 4, lastResort: false });
    });

    it("never gives one package to two concurrent takers", async () => {
      const device = await seedDevice(store(), await seedOrganisation(store()));
      const packages = Array.from({ length: 8 }, () => id());
      await store().addKeyPackages(device.deviceId, packages, id(), 100);
      const peer = await fixture().openPeer();
      try {
        const results = await Promise.all(
          packages.map((_, i) => (i % 2 === 0 ? store() : peer).takeKeyPackages(device.accountId)),
        );
        const oneTime = results.flatMap((r) => r.taken).filter((t) => !t.lastResort);
        const distinct = new Set(hexes(oneTime.map((t) => t.data)));
        assert.equal(distinct.size, oneTime.length);
        assert.ok(oneTime.length >= 1);
        assert.deepEqual(await store().countKeyPackages(device.deviceId), {
          oneTime: packages.length - oneTime.length,
          lastResort: true,
        });
      } finally {
        await peer.close();
      }
    });
  });

  describe("mailboxes", () => {
    it("rotates: the old mailbox is retired, drains, and is deleted only when empty", async () => {
      const orgId = await seedOrganisation(store());
      const device = await seedDevice(store(), orgId);
      const sent = await store().commitBatch({
        sends: [sendTo([device.mailboxId], { expiresAt: T + DAY })],
        acks: [],
      });
      const newMailbox = id();
      await store().rotateMailbox(device.deviceId, newMailbox);
      const mailboxes = await store().listMailboxes(device.deviceId);
      assert.deepEqual(
        mailboxes.map((m) => [Buffer.from(m.id).toString("hex"), m.retired]),
        [
          [newMailbox.toString("hex"), false],
          [device.mailboxId.toString("hex"), true],
        ],
      );
      await store().addKeyPackages(device.deviceId, [id()], undefined, 5);
      const { taken } = await store().takeKeyPackages(device.accountId);
      assertBytes(taken[0]?.mailboxId, newMailbox);

      assert.equal(await store().deleteDrainedMailboxes(device.deviceId), 0);
      const outcome = sent.sends[0];
      assert.ok(outcome?.kind === "stored");
      const entryIds = outcome.entries.map((e) => e.entryId);
      const acked = await store().commitBatch({
        sends: [],
        acks: [{ mailboxIds: [newMailbox, device.mailboxId], entryIds }],
      });
      assert.deepEqual(acked.acked, [1]);
      assert.equal(await store().deleteDrainedMailboxes(device.deviceId), 1);
      assert.deepEqual(hexes((await store().listMailboxes(device.deviceId)).map((m) => m.id)), hexes([newMailbox]));
      assert.equal(await store().deleteDrainedMailboxes(device.deviceId), 0);
    });
  });

  describe("blob metadata", () => {
    it("finds a blob until it expires", async () => {
      const blobId = id(32);
      const orgId = id(16);
      await store().createBlob({ id: blobId, size: 1234, expiresAt: T + DAY, orgId });
      const meta = await store().getBlob(blobId, T);
      assertBytes(meta?.id, blobId);
      assertBytes(meta?.orgId, orgId);
      assert.equal(meta?.size, 1234);
      assert.equal(meta?.expiresAt, T + DAY);
      assert.equal(await store().getBlob(blobId, T + DAY), undefined);
      assert.equal(await store().getBlob(id(32), T), undefined);
    });
  });
}
