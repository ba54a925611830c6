/** The directory entry (kind 7): bytes, signature label, the text rule and the tag in the organisation log. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import {
  checkDirectoryEntry,
  decodeDirectoryEntry,
  decodeOrganisationStatement,
  directoryEntryBody,
  encodeDirectoryEntry,
  encodeOrganisationStatement,
  isDirectoryText,
  signedMessage,
  STATEMENT_LABELS,
  type DirectoryEntryStatement,
} from "@bote/protocol";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

function keyPair(): { publicKey: Uint8Array; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return { publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32)), privateKey };
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

function entry(overrides: Partial<DirectoryEntryStatement> = {}, key = org): DirectoryEntryStatement {
  const unsigned = {
    organisationKey: org.publicKey,
    accountId: bytes(16),
    department: "Geschäftsführung",
    title: "Bauleiterin",
    issuedAtSeconds: 1_780_000_000,
    issuedBy: bytes(16),
    ...overrides,
  };
  const message = signedMessage(STATEMENT_LABELS.directoryEntry, directoryEntryBody(unsigned));
  return { ...unsigned, signature: new Uint8Array(sign(null, message, key.privateKey)) };
}

it("round-trips, alone and tagged 7 in the organisation log", () => {
  const e = entry();
  const decoded = decodeDirectoryEntry(encodeDirectoryEntry(e));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, e);
  const tagged = encodeOrganisationStatement({ kind: "directoryEntry", entry: e });
  assert.equal(tagged[0], 7);
  const logged = decodeOrganisationStatement(tagged);
  assert.ok(logged.ok && logged.value.kind === "directoryEntry");
  assert.deepEqual(logged.value.entry, e);
  assert.ok(decodeDirectoryEntry(encodeDirectoryEntry(entry({ department: "", title: "" }))).ok);
});

it("verifies only under the organisation key and its own label", () => {
  const e = entry();
  assert.equal(checkDirectoryEntry(e, org.publicKey, verifyEd25519), undefined);
  assert.equal(checkDirectoryEntry(entry({}, keyPair()), org.publicKey, verifyEd25519), "bad_signature");
  assert.equal(checkDirectoryEntry(e, keyPair().publicKey, verifyEd25519), "wrong_organisation_key");
  assert.equal(checkDirectoryEntry({ ...e, department: "Vertrieb" }, org.publicKey, verifyEd25519), "bad_signature");
  // The organisation key's signature over the same bytes for another purpose is no directory entry.
  const otherLabel = signedMessage(STATEMENT_LABELS.account, directoryEntryBody(e));
  const misused = { ...e, signature: new Uint8Array(sign(null, otherLabel, org.privateKey)) };
  assert.equal(checkDirectoryEntry(misused, org.publicKey, verifyEd25519), "bad_signature");
});

it("takes empty or canonical texts only", () => {
  assert.ok(isDirectoryText(""));
  assert.ok(isDirectoryText("Büro"));
  assert.equal(isDirectoryText(" Büro"), false);
  assert.equal(isDirectoryText("A\u0007B"), false);
  assert.equal(isDirectoryText("x".repeat(65)), false);
  assert.throws(() => entry({ department: "Büro\n" }), RangeError);
  // A non-canonical text smuggled into the bytes is refused on decode.
  const good = encodeDirectoryEntry(entry({ department: "Lager" }));
  const bad = Buffer.from(good);
  bad.set(Buffer.from("Lage "), bad.indexOf(Buffer.from("Lager")));
  assert.deepEqual(decodeDirectoryEntry(bad), { ok: false, field: "directoryEntry.department" });
});
