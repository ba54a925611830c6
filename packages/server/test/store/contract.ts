/**
 * The one storage contract every ServerStore backend passes. A backend's test
 * file calls storeContract with a way to open a fresh, empty store; the
 * suite shares one store across its tests (each test makes its own
 * organisation and ids) and opens a fresh one where a test needs the whole
 * database to itself.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { accountsContract } from "./contract-accounts.js";
import { deviceLinksContract } from "./contract-deviceLinks.js";
import { pushContract } from "./contract-push.js";
import { contactPointsContract } from "./contract-contactPoints.js";
import { relayContract } from "./contract-relay.js";
import { statementsContract } from "./contract-statements.js";
import type { StoreFixture } from "./fixtures.js";

export type { StoreFixture } from "./fixtures.js";

/** skip: the reason the backend is unavailable here, if it is. */
export function storeContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`ServerStore contract: ${name}`, skip === undefined ? {} : { skip }, () => {
    let fixture: StoreFixture | undefined;
    const current = (): StoreFixture => {
      assert.ok(fixture, "store not open");
      return fixture;
    };
    before(async () => {
      fixture = await open();
    });
    after(async () => {
      await fixture?.cleanup();
    });

    it("migrates idempotently", async () => {
      assert.equal(current().store.kind, name);
      await current().store.migrate();
      await current().store.migrate();
      const peer = await current().openPeer();
      await peer.close();
    });

    accountsContract(current);
    statementsContract(current);
    deviceLinksContract(current);
    relayContract(current, open);
    pushContract(current);
    contactPointsContract(current);
  });
}
