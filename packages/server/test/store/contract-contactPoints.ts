/**
 * Contract: contact points (newest statement per id, slug unique on the
 * server, staff current members) and their guests (no members, counted,
 * swept when idle), also when two nodes race.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Bytes, CreateGuest, ServerStore, StatementChange } from "../../src/store/ServerStore.js";
import {
  DAY,
  T,
  assertBytes,
  id,
  organisationKeyOf,
  seedDevice,
  seedOrganisation,
  type StoreFixture,
} from "./fixtures.js";

let slugs = 0;
const newSlug = () => `contract-${process.pid}-${++slugs}`;

function contactPointChange(
  fields: Partial<Extract<StatementChange, { kind: "contactPoint" }>> & { staff: Bytes[] },
): Extract<StatementChange, { kind: "contactPoint" }> {
  return {
    kind: "contactPoint",
    contactPointId: id(),
    slug: newSlug(),
    open: true,
    issuedAt: 1_700_000_000,
    contactPoint: id(200),
    statement: id(210),
    ...fields,
  };
}

function guestRequest(contactPointId: Bytes, orgId: Bytes, fields: Partial<CreateGuest> = {}): CreateGuest {
  return {
    contactPointId,
    organisationKey: organisationKeyOf(orgId),
    now: T,
    accountId: id(),
    accountKey: id(32),
    displayName: "Kunde",
    accountCertificate: id(150),
    certificateIssuedAt: 1_700_000_000,
    deviceId: id(),
    publicKey: id(32),
    deviceCertificate: id(120),
    mailboxId: id(),
    ...fields,
  };
}

export function contactPointsContract(fixture: () => StoreFixture): void {
  const store = (): ServerStore => fixture().store;

  /** An organisation with one staff member and an open contact point. */
  async function seeded(s: ServerStore = store()) {
    const orgId = await seedOrganisation(s);
    const staff = await seedDevice(s, orgId);
    const change = contactPointChange({ staff: [staff.accountId] });
    const result = await s.applyStatements(orgId, organisationKeyOf(orgId), [change], T);
    assert.equal(result.ok, true, JSON.stringify(result));
    return { orgId, staff, change };
  }

  describe("contact points and guests", () => {
    it("keeps the newest statement of a contact point, found by id and slug", async () => {
      const { orgId, change } = await seeded();
      const found = await store().getContactPointBySlug(change.slug);
      assertBytes(found?.id, change.contactPointId);
      assertBytes(found?.orgId, orgId);
      assertBytes(found?.contactPoint, change.contactPoint);
      assert.equal(found?.open, true);
      const newer = { ...change, open: false, slug: newSlug(), issuedAt: change.issuedAt + 1, contactPoint: id(200) };
      assert.equal((await store().applyStatements(orgId, organisationKeyOf(orgId), [newer], T)).ok, true);
      assert.equal(await store().getContactPointBySlug(change.slug), undefined, "the old slug is free again");
      const replaced = await store().getContactPoint(change.contactPointId);
      assert.equal(replaced?.open, false);
      assertBytes(replaced?.contactPoint, newer.contactPoint);
      const older = { ...change, issuedAt: change.issuedAt - 1 };
      assert.deepEqual(await store().applyStatements(orgId, organisationKeyOf(orgId), [older], T), {
        ok: false,
        index: 0,
      });
    });

    it("holds a slug for one contact point on the whole server", async () => {
      const a = await seeded();
      const other = await seedOrganisation(store());
      const staff = await seedDevice(store(), other);
      const clash = contactPointChange({ staff: [staff.accountId], slug: a.change.slug });
      const result = await store().applyStatements(other, organisationKeyOf(other), [clash], T);
      assert.deepEqual(result, { ok: false, index: 0, code: "contact_point_slug_taken" });
      assert.equal(await store().getContactPoint(clash.contactPointId), undefined);
    });

    it("refuses staff that are not current members of the organisation, naming the one at fault", async () => {
      const orgId = await seedOrganisation(store());
      const member = await seedDevice(store(), orgId);
      const stranger = await seedDevice(store(), await seedOrganisation(store()));
      const change = contactPointChange({ staff: [member.accountId, stranger.accountId] });
      const result = await store().applyStatements(orgId, organisationKeyOf(orgId), [change], T);
      assert.deepEqual(result, { ok: false, index: 0, path: "staff.1" });
    });

    it("makes a guest that is no member, and refuses taken ids and keys and closed contact points", async () => {
      const { orgId, staff, change } = await seeded();
      const request = guestRequest(change.contactPointId, orgId);
      assert.deepEqual(await store().createGuest(request), { ok: true });
      const device = await store().getDevice(request.deviceId);
      assertBytes(device?.guestOf, change.contactPointId);
      assertBytes((await store().getAccount(request.accountId))?.guestOf, change.contactPointId);
      assert.equal((await store().getAccount(staff.accountId))?.guestOf, undefined);
      assert.equal((await store().getDevice(staff.deviceId))?.guestOf, undefined);
      const members = await store().listMembers(orgId);
      assert.deepEqual(
        members.map((m) => m.id.toString()),
        [staff.accountId.toString()],
      );
      assert.equal((await store().listMailboxes(request.deviceId)).length, 1);
      const again = (fields: Partial<CreateGuest>) =>
        store().createGuest(guestRequest(change.contactPointId, orgId, fields));
      assert.deepEqual(await again({ accountId: request.accountId }), { ok: false, code: "account_taken" });
      assert.deepEqual(await again({ accountId: staff.accountId }), { ok: false, code: "account_taken" });
      assert.deepEqual(await again({ publicKey: staff.publicKey }), { ok: false, code: "device_key_taken" });
      assert.deepEqual(await again({ organisationKey: id(32) }), { ok: false, code: "organisation_key_changed" });
      const closed = { ...change, open: false, issuedAt: change.issuedAt + 1 };
      assert.equal((await store().applyStatements(orgId, organisationKeyOf(orgId), [closed], T)).ok, true);
      assert.deepEqual(await again({}), { ok: false, code: "contact_point_closed" });
    });

    it("refuses an org-signed certificate for a guest account", async () => {
      const { orgId, change } = await seeded();
      const request = guestRequest(change.contactPointId, orgId);
      await store().createGuest(request);
      const promote: StatementChange = {
        kind: "account",
        accountId: request.accountId,
        accountKey: request.accountKey,
        role: "admin",
        displayName: "Kunde",
        certificate: id(150),
        issuedAt: request.certificateIssuedAt + 1,
        statement: id(160),
      };
      assert.deepEqual(await store().applyStatements(orgId, organisationKeyOf(orgId), [promote], T), {
        ok: false,
        index: 0,
      });
      // Nor can a guest be staff.
      const staffed = contactPointChange({ staff: [request.accountId] });
      assert.deepEqual(await store().applyStatements(orgId, organisationKeyOf(orgId), [staffed], T), {
        ok: false,
        index: 0,
        path: "staff.0",
      });
    });

    it("counts a guest's key package fetches and blobs against its caps", async () => {
      const { orgId, staff, change } = await seeded();
      const request = guestRequest(change.contactPointId, orgId);
      await store().createGuest(request);
      assert.equal(await store().countGuestKeyPackageFetch(request.accountId, 2), true);
      assert.equal(await store().countGuestKeyPackageFetch(request.accountId, 2), true);
      assert.equal(await store().countGuestKeyPackageFetch(request.accountId, 2), false);
      assert.equal(await store().countGuestKeyPackageFetch(staff.accountId, 2), false, "a member has no such row");
      assert.equal(await store().reserveGuestBlob(request.accountId, 3, 1000), 0);
      await store().addGuestBlobBytes(request.accountId, 700);
      assert.equal(await store().reserveGuestBlob(request.accountId, 3, 1000), 700);
      await store().addGuestBlobBytes(request.accountId, 300);
      assert.equal(await store().reserveGuestBlob(request.accountId, 3, 1000), undefined, "bytes used up");
      assert.equal(await store().reserveGuestBlob(staff.accountId, 3, 1000), undefined);
    });

    it("sweeps guests idle since before the cut, with their devices and mailboxes, and only them", async () => {
      const { orgId, staff, change } = await seeded();
      const idle = guestRequest(change.contactPointId, orgId, { now: T });
      const active = guestRequest(change.contactPointId, orgId, { now: T });
      await store().createGuest(idle);
      await store().createGuest(active);
      await store().touchGuest(active.accountId, T + 100 * DAY);
      await store().touchGuest(staff.accountId, T + 100 * DAY);
      const swept = await store().sweepGuests(T + 1);
      assert.ok(swept >= 1);
      assert.equal(await store().getAccount(idle.accountId), undefined);
      assert.equal(await store().getDevice(idle.deviceId), undefined);
      assert.deepEqual(await store().listMailboxes(idle.deviceId), []);
      assert.ok((await store().getAccount(active.accountId)) !== undefined);
      assert.ok((await store().getAccount(staff.accountId)) !== undefined);
    });

    it("settles two nodes racing for one slug or one device key", async () => {
      const peer = await fixture().openPeer();
      try {
        const a = await seedOrganisation(store());
        const b = await seedOrganisation(store());
        const staffA = await seedDevice(store(), a);
        const staffB = await seedDevice(store(), b);
        const slug = newSlug();
        const results = await Promise.all([
          store().applyStatements(
            a,
            organisationKeyOf(a),
            [contactPointChange({ staff: [staffA.accountId], slug })],
            T,
          ),
          peer.applyStatements(b, organisationKeyOf(b), [contactPointChange({ staff: [staffB.accountId], slug })], T),
        ]);
        assert.deepEqual(results.map((r) => r.ok).sort(), [false, true], JSON.stringify(results));
        const cp = (await store().getContactPointBySlug(slug))!;
        const publicKey = id(32);
        const guests = await Promise.all([
          store().createGuest(guestRequest(cp.id, cp.orgId, { publicKey })),
          peer.createGuest(guestRequest(cp.id, cp.orgId, { publicKey })),
        ]);
        assert.deepEqual(
          guests.map((g) => (g.ok ? "ok" : g.code)).sort(),
          ["device_key_taken", "ok"],
          JSON.stringify(guests),
        );
      } finally {
        await peer.close();
      }
    });
  });
}
