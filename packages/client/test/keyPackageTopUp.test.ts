/** When a device tops up its one-time key packages and replaces its last-resort one (PROTOCOL.md §10). */
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  KEY_PACKAGE_TARGET,
  LAST_RESORT_GRACE_MS,
  LAST_RESORT_MAX_AGE_MS,
  LAST_RESORT_MIN_AGE_MS,
  planKeyPackageTopUp,
} from "@bote/client";
import { KEY_PACKAGES_LOW_WATERMARK } from "@bote/protocol";

const T = 1_800_000_000_000;
const day = 24 * 3_600_000;
const full = { oneTime: KEY_PACKAGE_TARGET, lastResort: true };

it("tops up the one-time stock early, below three quarters of the target", () => {
  assert.ok(KEY_PACKAGES_LOW_WATERMARK >= (3 * KEY_PACKAGE_TARGET) / 4);
  const held = [{ ref: "a", createdAt: T }];
  assert.equal(planKeyPackageTopUp({ ...full, oneTime: KEY_PACKAGES_LOW_WATERMARK }, held, {}, T).missing, 0);
  const low = planKeyPackageTopUp({ ...full, oneTime: KEY_PACKAGES_LOW_WATERMARK - 1 }, held, {}, T);
  assert.equal(low.missing, KEY_PACKAGE_TARGET - KEY_PACKAGES_LOW_WATERMARK + 1);
  assert.equal(low.needLastResort, false);
});

it("replaces the last-resort package when the server has none, when it is a week old, or after hand-out once an hour old", () => {
  const held = [{ ref: "a", createdAt: T }];
  assert.equal(planKeyPackageTopUp({ ...full, lastResort: false }, held, {}, T).needLastResort, true);
  assert.equal(planKeyPackageTopUp(full, [], {}, T).needLastResort, true, "none held here");
  assert.equal(planKeyPackageTopUp(full, held, {}, T + LAST_RESORT_MAX_AGE_MS - 1).needLastResort, false);
  assert.equal(planKeyPackageTopUp(full, held, {}, T + LAST_RESORT_MAX_AGE_MS).needLastResort, true);
  const handedOut = { ...full, lastResortHandedOutAt: new Date(T).toISOString() };
  // A draining colleague cannot make the device make one per fetch.
  assert.equal(planKeyPackageTopUp(handedOut, held, {}, T + LAST_RESORT_MIN_AGE_MS - 1).needLastResort, false);
  assert.equal(planKeyPackageTopUp(handedOut, held, {}, T + LAST_RESORT_MIN_AGE_MS).needLastResort, true);
  assert.equal(
    planKeyPackageTopUp(full, held, { lastResortHandedOut: true }, T + LAST_RESORT_MIN_AGE_MS).needLastResort,
    true,
    "the KeyPackagesLow notice counts as well",
  );
});

it("keeps a replaced last-resort package for the grace period after it was replaced, then deletes it", () => {
  const held = [
    { ref: "old", createdAt: T - 30 * day },
    { ref: "previous", createdAt: T - 8 * day },
    { ref: "current", createdAt: T },
  ];
  // "old" was replaced 8 days ago, "previous" just now (by "current").
  const plan = planKeyPackageTopUp(full, held, {}, T + 1);
  assert.deepEqual(plan.expired, ["old"]);
  assert.deepEqual(planKeyPackageTopUp(full, held, {}, T + LAST_RESORT_GRACE_MS).expired, ["old", "previous"]);
  // A package replaced now starts its grace period now.
  const single = [{ ref: "current", createdAt: T - LAST_RESORT_MAX_AGE_MS - 30 * day }];
  const rotating = planKeyPackageTopUp(full, single, {}, T);
  assert.equal(rotating.needLastResort, true);
  assert.deepEqual(rotating.expired, []);
});
