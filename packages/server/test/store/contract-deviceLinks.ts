/** Contract: device links — create, claim once, key once, reveal, complete atomically, take once, expire. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { NewDeviceLink, ServerStore } from "../../src/store/ServerStore.js";
import { DAY, T, assertBytes, hexes, id, seedDevice, seedOrganisation, type SeededDevice } from "./fixtures.js";

const TTL = 10 * 60_000;

function newLink(device: SeededDevice, overrides: Partial<NewDeviceLink> = {}): NewDeviceLink {
  return {
    id: id(),
    deviceId: device.deviceId,
    codeHash: id(32),
    commitment: id(32),
    createdAt: T,
    expiresAt: T + TTL,
    maxOpen: 3,
    ...overrides,
  };
}

function claimOf(link: NewDeviceLink, overrides: { deviceKey?: Buffer; now?: number } = {}) {
  return {
    codeHash: link.codeHash,
    now: overrides.now ?? T + 1000,
    deviceKey: overrides.deviceKey ?? id(32),
    claimTokenHash: id(32),
  };
}

/** B's ephemeral key for a claimed link, presented with the claim's token hash. */
function keyOf(link: NewDeviceLink, claim: { claimTokenHash: Buffer }, overrides: { now?: number } = {}) {
  return {
    linkId: link.id,
    claimTokenHash: claim.claimTokenHash,
    ephemeralKey: id(32),
    now: overrides.now ?? T + 1500,
  };
}

export function deviceLinksContract(fixture: () => { store: ServerStore }): void {
  const store = (): ServerStore => fixture().store;

  /** A link of a fresh device, claimed, keyed and revealed. */
  async function revealedLink() {
    const a = await seedDevice(store(), await seedOrganisation(store()));
    const link = newLink(a);
    assert.deepEqual(await store().createDeviceLink(link), { ok: true });
    const claim = claimOf(link);
    assert.equal((await store().claimDeviceLink(claim)).ok, true);
    assert.deepEqual(await store().keyDeviceLink(keyOf(link, claim)), { ok: true });
    assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T + 2000), true);
    return { a, link, claim };
  }

  const completion = (a: SeededDevice, link: NewDeviceLink, deviceKey: Buffer) => ({
    linkId: link.id,
    initiatorDeviceId: a.deviceId,
    accountId: a.accountId,
    accountKey: a.accountKey,
    now: T + 3000,
    deviceId: id(),
    deviceKey,
    deviceCertificate: id(120),
    mailboxId: id(),
    sealed: id(1000),
  });

  describe("device links", () => {
    it("walks waiting → claimed → keyed → revealed → completed, creating device and mailbox, then is taken once", async () => {
      const a = await seedDevice(store(), await seedOrganisation(store()));
      const link = newLink(a);
      assert.deepEqual(await store().createDeviceLink(link), { ok: true });
      const waiting = await store().getDeviceLink(link.id, T);
      assert.equal(waiting?.state, "waiting");
      assertBytes(waiting?.commitment, link.commitment);
      assertBytes(waiting?.initiatorDeviceId, a.deviceId);
      assert.equal(waiting?.expiresAt, T + TTL);
      assert.equal(waiting?.claimantDeviceKey, undefined);

      const claim = claimOf(link);
      const claimed = await store().claimDeviceLink(claim);
      assert.ok(claimed.ok);
      assertBytes(claimed.id, link.id);
      assertBytes(claimed.commitment, link.commitment);
      const afterClaim = await store().getDeviceLink(link.id, T);
      assert.equal(afterClaim?.state, "claimed");
      assert.equal(afterClaim?.claimantEphemeralKey, undefined);
      assertBytes(afterClaim?.claimantDeviceKey, claim.deviceKey);
      assertBytes(afterClaim?.claimTokenHash, claim.claimTokenHash);

      const key = keyOf(link, claim);
      assert.deepEqual(await store().keyDeviceLink(key), { ok: true });
      const afterKey = await store().getDeviceLink(link.id, T);
      assert.equal(afterKey?.state, "keyed");
      assertBytes(afterKey?.claimantEphemeralKey, key.ephemeralKey);
      assert.equal(afterKey?.initiatorEphemeralKey, undefined);

      const ephemeralKey = id(32);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, ephemeralKey, T + 2000), true);
      assertBytes((await store().getDeviceLink(link.id, T))?.initiatorEphemeralKey, ephemeralKey);

      // Not before completion: the token fits, but nothing is taken.
      assert.equal(await store().takeCompletedDeviceLink(link.id, claim.claimTokenHash, T + 3000), undefined);
      const request = completion(a, link, claim.deviceKey);
      assert.deepEqual(await store().completeDeviceLink(request), { ok: true });
      const principal = await store().getDevice(request.deviceId);
      assertBytes(principal?.accountId, a.accountId);
      assertBytes(principal?.publicKey, claim.deviceKey);
      const mailboxes = await store().listMailboxes(request.deviceId);
      assert.deepEqual(hexes(mailboxes.map((m) => m.id)), hexes([request.mailboxId]));
      const members = await store().listMembers(a.orgId);
      const devices = members.find((m) => Buffer.from(m.id).equals(a.accountId))?.devices ?? [];
      assert.deepEqual(hexes(devices.map((d) => d.id)).sort(), hexes([a.deviceId, request.deviceId]).sort());
      assertBytes(
        devices.find((d) => Buffer.from(d.id).equals(request.deviceId))?.certificate,
        request.deviceCertificate,
      );

      assert.equal(await store().takeCompletedDeviceLink(link.id, id(32), T + 4000), undefined);
      const taken = await store().takeCompletedDeviceLink(link.id, claim.claimTokenHash, T + 4000);
      assert.equal(taken?.state, "completed");
      assertBytes(taken?.sealed, request.sealed);
      assertBytes(taken?.deviceId, request.deviceId);
      assertBytes(taken?.mailboxId, request.mailboxId);
      assert.equal(await store().takeCompletedDeviceLink(link.id, claim.claimTokenHash, T + 4000), undefined);
      assert.equal(await store().getDeviceLink(link.id, T + 4000), undefined);
    });

    it("claims once, refuses unknown or expired codes and registered or revoked device keys", async () => {
      const orgId = await seedOrganisation(store());
      const a = await seedDevice(store(), orgId);
      const link = newLink(a);
      await store().createDeviceLink(link);
      assert.deepEqual(await store().claimDeviceLink(claimOf(link, { deviceKey: a.publicKey })), {
        ok: false,
        code: "device_key_taken",
      });
      const other = await seedDevice(store(), orgId);
      await store().applyStatements(
        orgId,
        (await store().getOrganisationKey(orgId))!,
        [{ kind: "revokeDevice", accountId: other.accountId, deviceKey: other.publicKey, statement: id(50) }],
        T,
      );
      assert.deepEqual(await store().claimDeviceLink(claimOf(link, { deviceKey: other.publicKey })), {
        ok: false,
        code: "device_key_taken",
      });
      assert.deepEqual(await store().claimDeviceLink(claimOf(link, { now: T + TTL })), {
        ok: false,
        code: "device_link_invalid",
      });
      assert.deepEqual(await store().claimDeviceLink({ ...claimOf(link), codeHash: id(32) }), {
        ok: false,
        code: "device_link_invalid",
      });
      assert.equal((await store().claimDeviceLink(claimOf(link))).ok, true);
      assert.deepEqual(await store().claimDeviceLink(claimOf(link)), { ok: false, code: "device_link_used" });
    });

    it("keys only a claimed link, once, for the holder of its claim token", async () => {
      const a = await seedDevice(store(), await seedOrganisation(store()));
      const link = newLink(a);
      await store().createDeviceLink(link);
      const claim = claimOf(link);
      const invalid = { ok: false, code: "device_link_invalid" };
      // Waiting: no token exists yet, so none fits.
      assert.deepEqual(await store().keyDeviceLink(keyOf(link, claim)), invalid);
      await store().claimDeviceLink(claim);
      assert.deepEqual(await store().keyDeviceLink(keyOf(link, { claimTokenHash: id(32) })), invalid);
      assert.deepEqual(await store().keyDeviceLink({ ...keyOf(link, claim), linkId: id() }), invalid);
      assert.deepEqual(await store().keyDeviceLink(keyOf(link, claim, { now: T + TTL })), invalid);
      assert.equal((await store().getDeviceLink(link.id, T))?.state, "claimed");
      const first = keyOf(link, claim);
      assert.deepEqual(await store().keyDeviceLink(first), { ok: true });
      assert.deepEqual(await store().keyDeviceLink(keyOf(link, claim)), { ok: false, code: "device_link_state" });
      assertBytes((await store().getDeviceLink(link.id, T))?.claimantEphemeralKey, first.ephemeralKey);
    });

    it("reveals only a keyed link of the initiating device", async () => {
      const orgId = await seedOrganisation(store());
      const a = await seedDevice(store(), orgId);
      const other = await seedDevice(store(), orgId);
      const link = newLink(a);
      await store().createDeviceLink(link);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T), false);
      const claim = claimOf(link);
      await store().claimDeviceLink(claim);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T), false);
      assert.equal((await store().getDeviceLink(link.id, T))?.state, "claimed");
      await store().keyDeviceLink(keyOf(link, claim));
      assert.equal(await store().revealDeviceLink(link.id, other.deviceId, id(32), T), false);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T + TTL), false);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T), true);
      assert.equal(await store().revealDeviceLink(link.id, a.deviceId, id(32), T), false);
      assert.equal((await store().getDeviceLink(link.id, T))?.state, "revealed");
    });

    it("completes only a revealed link, for its device key, under the unchanged account, and never twice", async () => {
      const { a, link, claim } = await revealedLink();
      const other = await seedDevice(store(), a.orgId);
      const check = async (request: ReturnType<typeof completion>, code: string) => {
        assert.deepEqual(await store().completeDeviceLink(request), { ok: false, code });
        assert.equal(await store().getDevice(request.deviceId), undefined);
      };
      await check(
        { ...completion(a, link, claim.deviceKey), initiatorDeviceId: other.deviceId },
        "device_link_invalid",
      );
      await check({ ...completion(a, link, claim.deviceKey), now: T + TTL }, "device_link_invalid");
      await check(completion(a, link, id(32)), "device_link_state");
      await check({ ...completion(a, link, claim.deviceKey), accountKey: id(32) }, "account_changed");
      await check({ ...completion(a, link, claim.deviceKey), accountId: other.accountId }, "account_changed");
      assert.equal((await store().getDeviceLink(link.id, T))?.state, "revealed");
      assert.deepEqual(await store().completeDeviceLink(completion(a, link, claim.deviceKey)), { ok: true });
      await check(completion(a, link, claim.deviceKey), "device_link_state");
    });

    it("refuses a completion whose device key was registered meanwhile", async () => {
      const { a, link, claim } = await revealedLink();
      const second = await revealedLink();
      // Two links claimed with one key: the first completion takes it.
      const reused = newLink(second.a);
      await store().createDeviceLink(reused);
      const reusedClaim = { ...claimOf(reused), deviceKey: claim.deviceKey };
      await store().claimDeviceLink(reusedClaim);
      await store().keyDeviceLink(keyOf(reused, reusedClaim));
      await store().revealDeviceLink(reused.id, second.a.deviceId, id(32), T + 2000);
      assert.deepEqual(await store().completeDeviceLink(completion(a, link, claim.deviceKey)), { ok: true });
      const request = completion(second.a, reused, claim.deviceKey);
      assert.deepEqual(await store().completeDeviceLink(request), { ok: false, code: "device_key_taken" });
      assert.equal(await store().getDevice(request.deviceId), undefined);
    });

    it("refuses completion for a revoked account; revoking the initiating device removes its links", async () => {
      const { a, link, claim } = await revealedLink();
      const key = (await store().getOrganisationKey(a.orgId))!;
      const revoked = await store().applyStatements(
        a.orgId,
        key,
        [{ kind: "revokeAccount", accountId: a.accountId, statement: id(50) }],
        T + 2500,
      );
      assert.equal(revoked.ok, true);
      const request = completion(a, link, claim.deviceKey);
      assert.equal((await store().completeDeviceLink(request)).ok, false);
      assert.equal(await store().getDevice(request.deviceId), undefined);
      assert.equal(await store().getDeviceLink(link.id, T), undefined);
    });

    it("holds maxOpen open links per device, counting neither expired nor completed ones, and refuses a used code", async () => {
      const a = await seedDevice(store(), await seedOrganisation(store()));
      const first = newLink(a);
      assert.deepEqual(await store().createDeviceLink(first), { ok: true });
      assert.deepEqual(await store().createDeviceLink(newLink(a, { codeHash: first.codeHash })), {
        ok: false,
        code: "code_taken",
      });
      assert.deepEqual(await store().createDeviceLink(newLink(a)), { ok: true });
      assert.deepEqual(await store().createDeviceLink(newLink(a)), { ok: true });
      assert.deepEqual(await store().createDeviceLink(newLink(a)), { ok: false, code: "too_many" });
      // Ten minutes on, the three have expired.
      const later = newLink(a, { createdAt: T + TTL, expiresAt: T + 2 * TTL });
      assert.deepEqual(await store().createDeviceLink(later), { ok: true });
    });

    it("is swept once expired, whatever its state", async () => {
      const { a, link } = await revealedLink();
      const waiting = newLink(a, { expiresAt: T + 2 * TTL });
      await store().createDeviceLink(waiting);
      await store().sweep(T + TTL);
      assert.equal(await store().getDeviceLink(link.id, T), undefined);
      assert.equal((await store().getDeviceLink(waiting.id, T))?.state, "waiting");
      await store().sweep(T + DAY);
      assert.equal(await store().getDeviceLink(waiting.id, T), undefined);
    });
  });
}
