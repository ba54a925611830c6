// The organisation's policy in a device's view: only the current key's
// signature counts, the newest wins, and the view keeps it across a restart.
import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  applyStatement,
  createOrganisationView,
  createPolicyStatement,
  createSigningKey,
  decodeOrganisationView,
  encodeOrganisationView,
} from "@bote/core";
import { DEFAULT_POLICY_RULES } from "@bote/protocol";

const NOW = new Date("2026-12-04T12:00:00Z");
const issuedBy = new Uint8Array(randomBytes(16));

it("keeps the newest policy signed by the current key, and keeps it in the stored view", () => {
  const key = createSigningKey();
  let view = createOrganisationView(key.publicKey);
  assert.equal(view.policy, undefined);
  const rules = { ...DEFAULT_POLICY_RULES, maxAttachmentBytes: 25_000_000, appLockRequired: true };
  const newer = createPolicyStatement(key, rules, { issuedBy, now: NOW });
  view = applyStatement(view, { kind: "policy", policy: newer }, NOW).view;
  assert.equal(view.policy?.maxAttachmentBytes, 25_000_000);
  // An older one arriving later changes nothing.
  const older = createPolicyStatement(key, DEFAULT_POLICY_RULES, { issuedBy, now: new Date(NOW.getTime() - 60_000) });
  const applied = applyStatement(view, { kind: "policy", policy: older }, NOW);
  assert.equal(applied.fault, undefined);
  assert.equal(applied.view.policy, newer);
  const restored = decodeOrganisationView(encodeOrganisationView(applied.view));
  assert.deepEqual(restored.policy, newer);
});

it("refuses a policy of another key or one changed after signing", () => {
  const key = createSigningKey();
  const view = createOrganisationView(key.publicKey);
  const foreign = createPolicyStatement(createSigningKey(), DEFAULT_POLICY_RULES, { issuedBy, now: NOW });
  assert.equal(applyStatement(view, { kind: "policy", policy: foreign }, NOW).fault, "wrong_organisation_key");
  const signed = createPolicyStatement(key, DEFAULT_POLICY_RULES, { issuedBy, now: NOW });
  const tampered = { ...signed, wipeOnDeactivation: true };
  const applied = applyStatement(view, { kind: "policy", policy: tampered }, NOW);
  assert.equal(applied.fault, "bad_signature");
  assert.equal(applied.view.policy, undefined);
});
