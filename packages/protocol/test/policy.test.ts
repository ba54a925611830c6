import { it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import {
  checkPolicy,
  decodeOrganisationStatement,
  decodePolicy,
  DEFAULT_POLICY_RULES,
  encodeOrganisationStatement,
  encodePolicy,
  policyBody,
  signedMessage,
  STATEMENT_LABELS,
  type Policy,
} from "@bote/protocol";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

function keyPair(): { publicKey: Uint8Array; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { publicKey: new Uint8Array(raw), privateKey };
}

const verifyEd25519 = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  const der = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]);
  try {
    return verify(null, message, { key: der, format: "der", type: "spki" }, signature);
  } catch {
    return false;
  }
};

const org = keyPair();

function policy(overrides: Partial<Policy> = {}, label: string = STATEMENT_LABELS.policy): Policy {
  const unsigned = {
    ...DEFAULT_POLICY_RULES,
    organisationKey: org.publicKey,
    disappearingSeconds: 7 * 24 * 3600,
    maxAttachmentBytes: 25_000_000,
    externalChats: false,
    appLockRequired: true,
    minPinLength: 8,
    postQuantum: true,
    wipeOnDeactivation: true,
    language: "en" as const,
    issuedAtSeconds: 1_780_000_000,
    issuedBy: bytes(16),
    ...overrides,
  };
  const message = signedMessage(label as typeof STATEMENT_LABELS.policy, policyBody(unsigned));
  return { ...unsigned, signature: new Uint8Array(sign(null, message, org.privateKey)) };
}

it("round-trips a policy, alone and as statement kind 6 of the organisation's log", () => {
  for (const p of [policy(), policy({ ...DEFAULT_POLICY_RULES })]) {
    const decoded = decodePolicy(encodePolicy(p));
    assert.ok(decoded.ok);
    assert.deepEqual(decoded.value, p);
    const encoded = encodeOrganisationStatement({ kind: "policy", policy: p });
    assert.equal(encoded[0], 6);
    const logged = decodeOrganisationStatement(encoded);
    assert.ok(logged.ok && logged.value.kind === "policy");
    assert.deepEqual(logged.value.policy, p);
    assert.equal(checkPolicy(p, org.publicKey, verifyEd25519), undefined);
  }
});

it("refuses a forged, foreign or relabelled policy", () => {
  const p = policy();
  // A member who flips a rule cannot re-sign it.
  assert.equal(checkPolicy({ ...p, maxAttachmentBytes: 1 }, org.publicKey, verifyEd25519), "bad_signature");
  assert.equal(checkPolicy(p, keyPair().publicKey, verifyEd25519), "wrong_organisation_key");
  // A signature made for a contact point never verifies as a policy.
  assert.equal(checkPolicy(policy({}, STATEMENT_LABELS.contactPoint), org.publicKey, verifyEd25519), "bad_signature");
});

it("refuses rules out of range when signing and when decoding, naming the field", () => {
  for (const [field, value] of [
    ["minPinLength", 3],
    ["minPinLength", 13],
    ["maxAttachmentBytes", 0],
    ["disappearingSeconds", 400 * 24 * 3600],
    ["disappearingSeconds", 1.5],
  ] as const) {
    assert.throws(() => policy({ [field]: value }), RangeError, `${field}=${value}`);
  }
  assert.throws(() => policy({ language: "fr" as "de" }), RangeError);
  const encoded = encodePolicy(policy());
  // version, key (32), disappearing (8), attachment (8), then flags, min PIN, language.
  const at = 1 + 32 + 8 + 8;
  const broken = (offset: number, value: number) => {
    const copy = encoded.slice();
    copy[offset] = value;
    return decodePolicy(copy);
  };
  assert.deepEqual(broken(0, 2), { ok: false, field: "policy.version" });
  assert.deepEqual(broken(at, 16), { ok: false, field: "policy.flags" });
  assert.deepEqual(broken(at + 1, 2), { ok: false, field: "policy.minPinLength" });
  assert.deepEqual(broken(at + 2, 3), { ok: false, field: "policy.language" });
  assert.equal(decodePolicy(encoded.subarray(0, encoded.length - 1)).ok, false);
  assert.equal(decodePolicy(new Uint8Array([...encoded, 0])).ok, false);
});
