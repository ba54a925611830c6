/** Contract: the organisation's key, invitations by certificate, statements applied all or nothing, the log, tombstones. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServerStore } from "../../src/store/ServerStore.js";
import {
  DAY,
  T,
  assertBytes,
  hexes,
  id,
  organisationKeyOf,
  redeemRequest,
  seedDevice,
  seedInvitation,
  seedOrganisation,
  sendTo,
  tokenHash,
  type StoreFixture,
} from "./fixtures.js";

export function statementsContract(fixture: () => StoreFixture): void {
  const store = (): ServerStore => fixture().store;

  describe("invitations by certificate", () => {
    it("refuses an account id in use or invited, and a reused invitation key; lists with certificates", async () => {
      const orgId = await seedOrganisation(store());
      const device = await seedDevice(store(), orgId);
      const open = await seedInvitation(store(), orgId);
      const base = { orgId, role: "member" as const, expiresAt: T + DAY, createdAt: T };
      const certified = (accountId: Buffer, invitationKey = id(32)) => ({
        ...base,
        id: id(),
        tokenHash: tokenHash(id(32)),
        certified: { accountId, invitationKey, displayName: "X", certificate: id(100) },
      });
      assert.deepEqual(await store().createInvitation(certified(device.accountId)), { ok: false, code: "taken" });
      assert.deepEqual(await store().createInvitation(certified(open.accountId!)), { ok: false, code: "taken" });
      assert.deepEqual(await store().createInvitation(certified(id(), open.invitationKey)), {
        ok: false,
        code: "taken",
      });
      const listed = await store().listInvitations(orgId);
      // Newest first; the device's own (redeemed) invitation is listed too.
      assert.equal(listed.length, 2);
      const found = listed.find((i) => Buffer.from(i.certified!.accountId).equals(open.accountId!));
      assertBytes(found?.certified?.certificate, open.certificate);
      assert.equal(found?.redeemedAt, undefined);
      assert.equal(found?.revokedAt, undefined);
      const fetched = await store().getInvitation(open.tokenHash);
      assertBytes(fetched?.certified?.invitationKey, open.invitationKey);
    });
  });

  describe("invitation batches", () => {
    it("makes every invitation of a batch with its statements, or none when one is taken", async () => {
      const orgId = await seedOrganisation(store());
      const device = await seedDevice(store(), orgId);
      const certified = (accountId: Buffer) => ({
        orgId,
        role: "member" as const,
        expiresAt: T + DAY,
        createdAt: T,
        id: id(),
        tokenHash: tokenHash(id(32)),
        certified: { accountId, invitationKey: id(32), displayName: "X", certificate: id(100) },
        statement: Buffer.concat([Buffer.of(4), id(100)]),
        directoryStatement: Buffer.concat([Buffer.of(7), id(60)]),
      });
      const before = (await store().listStatements(orgId, 0, 1000)).length;
      const refused = await store().createInvitations([certified(id()), certified(id()), certified(device.accountId)]);
      assert.deepEqual(refused, { ok: false, code: "taken", index: 2 });
      assert.equal((await store().listInvitations(orgId)).length, 1, "only the seeded device's own");
      assert.equal((await store().listStatements(orgId, 0, 1000)).length, before);

      const made = await store().createInvitations([certified(id()), certified(id())]);
      assert.equal(made.ok, true);
      const log = await store().listStatements(orgId, 0, 1000);
      assert.equal(log.length, before + 4);
      assert.deepEqual(
        log.slice(-4).map((s) => s.statement[0]),
        [4, 7, 4, 7],
      );
      assert.equal(made.ok && made.seq, log.at(-1)?.seq);
      assert.equal((await store().listInvitations(orgId)).length, 3);
    });
  });

  describe("applyStatements", () => {
    it("updates a certificate only for the same account key and a newer issue time", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      const key = organisationKeyOf(orgId);
      const update = (over: object = {}) => ({
        kind: "account" as const,
        accountId: d.accountId,
        accountKey: d.accountKey,
        role: "admin" as const,
        displayName: "Neu",
        certificate: id(90),
        issuedAt: T / 1000 + 10,
        statement: id(91),
        ...over,
      });
      assert.deepEqual(await store().applyStatements(orgId, key, [update({ accountKey: id(32) })], T), {
        ok: false,
        index: 0,
      });
      assert.deepEqual(await store().applyStatements(orgId, key, [update({ issuedAt: T / 1000 - 1 })], T), {
        ok: false,
        index: 0,
      });
      assert.deepEqual(await store().applyStatements(orgId, id(32), [update()], T), { ok: false, index: 0 });
      const applied = await store().applyStatements(orgId, key, [update()], T);
      assert.ok(applied.ok);
      const account = await store().getAccount(d.accountId);
      assert.equal(account?.role, "admin");
      assert.equal(account?.displayName, "Neu");
      assert.equal((await store().getDevice(d.deviceId))?.role, "admin");
    });

    it("rolls back every change when a later one fails", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      const key = organisationKeyOf(orgId);
      const logBefore = (await store().listStatements(orgId, 0, 100)).length;
      const result = await store().applyStatements(
        orgId,
        key,
        [
          { kind: "revokeAccount", accountId: d.accountId, statement: id(50) },
          { kind: "rotate", nextKey: id(32), statement: id(50) },
          { kind: "revokeAccount", accountId: id(), statement: id(50) },
        ],
        T,
      );
      assert.deepEqual(result, { ok: false, index: 2 });
      assert.ok(await store().getDevice(d.deviceId));
      assertBytes(await store().getOrganisationKey(orgId), key);
      assert.equal((await store().listStatements(orgId, 0, 100)).length, logBefore);
      assert.equal(await store().revokedDeviceKey(d.deviceId), undefined);
    });

    it("revokes an account: deactivated, devices and their data gone, tombstones kept, key never again", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      const other = await seedDevice(store(), orgId);
      await store().addKeyPackages(d.deviceId, [id()], id(), 10);
      await store().createSession(id(32), d.deviceId, T + DAY);
      await store().createChallenge(id(32), d.deviceId, T + DAY);
      const sent = await store().commitBatch({
        sends: [sendTo([d.mailboxId], { expiresAt: T + DAY })],
        acks: [],
      });
      assert.equal(sent.sends[0]?.kind, "stored");
      const key = organisationKeyOf(orgId);
      const result = await store().applyStatements(
        orgId,
        key,
        [{ kind: "revokeAccount", accountId: d.accountId, statement: id(60) }],
        T,
      );
      assert.ok(result.ok);
      assert.deepEqual(hexes(result.revokedDevices), hexes([d.deviceId]));
      assert.equal(await store().getDevice(d.deviceId), undefined);
      assert.deepEqual(await store().listMailboxes(d.deviceId), []);
      assert.deepEqual(await store().fetchQueue([d.mailboxId], 0, 10, T), []);
      assert.deepEqual(await store().countKeyPackages(d.deviceId), { oneTime: 0, lastResort: false });
      assert.equal((await store().getAccount(d.accountId))?.deactivatedAt, T);
      assertBytes(await store().revokedDeviceKey(d.deviceId), d.publicKey);
      const members = await store().listMembers(orgId);
      assert.deepEqual(hexes(members.map((m) => m.id)), hexes([other.accountId]));
      // The revoked device key cannot register again.
      const invitation = await seedInvitation(store(), orgId);
      assert.deepEqual(await store().redeemInvitation(redeemRequest(invitation, { publicKey: d.publicKey })), {
        ok: false,
        code: "device_key_taken",
      });
    });

    it("revokes one device, an invitation, and rotates the key; the log keeps their order", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      const open = await seedInvitation(store(), orgId);
      const key = organisationKeyOf(orgId);
      const next = id(32);
      const statements = [id(70), id(71), id(72)];
      const before = (await store().listStatements(orgId, 0, 100)).length;
      const result = await store().applyStatements(
        orgId,
        key,
        [
          { kind: "revokeDevice", accountId: d.accountId, deviceKey: d.publicKey, statement: statements[0]! },
          { kind: "revokeInvitation", invitationKey: open.invitationKey, statement: statements[1]! },
          { kind: "rotate", nextKey: next, statement: statements[2]! },
        ],
        T,
      );
      assert.ok(result.ok);
      assert.equal(result.seq, before + 3);
      assert.equal(await store().getDevice(d.deviceId), undefined);
      assert.equal((await store().getAccount(d.accountId))?.deactivatedAt, undefined);
      assert.equal((await store().getInvitation(open.tokenHash))?.revokedAt, T);
      assert.deepEqual(await store().redeemInvitation(redeemRequest(open, { organisationKey: next })), {
        ok: false,
        code: "invitation_invalid",
      });
      assertBytes(await store().getOrganisationKey(orgId), next);
      const tail = await store().listStatements(orgId, before, 100);
      assert.deepEqual(hexes(tail.map((l) => l.statement)), hexes(statements));
      assert.deepEqual(
        tail.map((l) => l.seq),
        [before + 1, before + 2, before + 3],
      );
      // Revoking the same device again, or an account of another organisation, does not hold.
      const elsewhere = await seedDevice(store(), await seedOrganisation(store()));
      assert.deepEqual(
        await store().applyStatements(
          orgId,
          next,
          [{ kind: "revokeAccount", accountId: elsewhere.accountId, statement: id(10) }],
          T,
        ),
        { ok: false, index: 0 },
      );
    });
  });
}
