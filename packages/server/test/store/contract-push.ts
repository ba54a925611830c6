/** Contract: Web Push subscriptions, one per device, found by mailbox, gone with the device. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PushSubscription, ServerStore } from "../../src/store/ServerStore.js";
import { T, assertBytes, id, organisationKeyOf, seedDevice, seedOrganisation, type StoreFixture } from "./fixtures.js";

function subscription(): PushSubscription {
  return { endpoint: `https://push.example.net/${id().toString("hex")}`, p256dh: id(65), auth: id(16) };
}

export function pushContract(fixture: () => StoreFixture): void {
  const store = (): ServerStore => fixture().store;

  describe("push subscriptions", () => {
    it("keeps one per device, found through any of its mailboxes, replaced by the next", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      assert.equal(await store().pushSubscriptionOfMailbox(d.mailboxId), undefined);
      const first = subscription();
      await store().putPushSubscription(d.deviceId, first);
      const found = await store().pushSubscriptionOfMailbox(d.mailboxId);
      assert.equal(found?.endpoint, first.endpoint);
      assertBytes(found?.deviceId, d.deviceId);
      assertBytes(found?.p256dh, first.p256dh);
      assertBytes(found?.auth, first.auth);
      const second = subscription();
      await store().putPushSubscription(d.deviceId, second);
      assert.equal((await store().pushSubscriptionOfMailbox(d.mailboxId))?.endpoint, second.endpoint);
      // A retired mailbox still drains to the same device.
      await store().rotateMailbox(d.deviceId, id());
      assert.equal((await store().pushSubscriptionOfMailbox(d.mailboxId))?.endpoint, second.endpoint);
      assert.equal(await store().pushSubscriptionOfMailbox(id()), undefined);
    });

    it("moves an endpoint to the device that subscribes with it last", async () => {
      const orgId = await seedOrganisation(store());
      const a = await seedDevice(store(), orgId);
      const b = await seedDevice(store(), orgId);
      const shared = subscription();
      await store().putPushSubscription(a.deviceId, shared);
      await store().putPushSubscription(b.deviceId, shared);
      assert.equal(await store().pushSubscriptionOfMailbox(a.mailboxId), undefined);
      assert.equal((await store().pushSubscriptionOfMailbox(b.mailboxId))?.endpoint, shared.endpoint);
    });

    it("deletes only the endpoint named, or whatever the device has", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      const current = subscription();
      await store().putPushSubscription(d.deviceId, current);
      assert.equal(await store().deletePushSubscription(d.deviceId, "https://push.example.net/replaced"), false);
      assert.equal((await store().pushSubscriptionOfMailbox(d.mailboxId))?.endpoint, current.endpoint);
      assert.equal(await store().deletePushSubscription(d.deviceId, current.endpoint), true);
      assert.equal(await store().pushSubscriptionOfMailbox(d.mailboxId), undefined);
      await store().putPushSubscription(d.deviceId, subscription());
      assert.equal(await store().deletePushSubscription(d.deviceId), true);
      assert.equal(await store().deletePushSubscription(d.deviceId), false);
    });

    it("goes with its device when the device is revoked", async () => {
      const orgId = await seedOrganisation(store());
      const d = await seedDevice(store(), orgId);
      await store().putPushSubscription(d.deviceId, subscription());
      const result = await store().applyStatements(
        orgId,
        organisationKeyOf(orgId),
        [{ kind: "revokeDevice", accountId: d.accountId, deviceKey: d.publicKey, statement: id(50) }],
        T,
      );
      assert.equal(result.ok, true);
      assert.equal(await store().deletePushSubscription(d.deviceId), false);
    });
  });
}
