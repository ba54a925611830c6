import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  decodeBoteCredential,
  decodeDeliveryAddress,
  decodeKeyPackage,
  DEFAULT_CIPHERSUITE,
  DELIVERY_ADDRESS_EXTENSION_TYPE,
  encodeBoteCredential,
  encodeDeliveryAddress,
  makeMlsCredential,
  POST_QUANTUM_CIPHERSUITE,
  readDeliveryAddressExtension,
  readMlsCredential,
  type BoteCredential,
} from "@bote/core";
import { makeMember, makePerson, randomAddress } from "./support.js";

const credential = async (): Promise<BoteCredential> => (await makeMember("Jürgen Müller 🔧")).device.credential;

it("round-trips a delivery address", () => {
  const address = randomAddress();
  const bytes = encodeDeliveryAddress(address);
  assert.equal(bytes.length, 50);
  const decoded = decodeDeliveryAddress(bytes);
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, address);
});

it("rejects malformed delivery addresses with a typed reason", () => {
  const bytes = encodeDeliveryAddress(randomAddress());
  const reasonOf = (b: Uint8Array) => {
    const r = decodeDeliveryAddress(b);
    return r.ok ? "ok" : r.error.reason;
  };
  assert.equal(reasonOf(new Uint8Array(0)), "empty");
  assert.equal(reasonOf(Uint8Array.of(2, ...bytes.subarray(1))), "unknown_version");
  assert.equal(reasonOf(bytes.subarray(0, 49)), "wrong_length");
  assert.equal(reasonOf(Uint8Array.of(...bytes, 0)), "wrong_length");
  assert.throws(
    () => encodeDeliveryAddress({ mailboxId: new Uint8Array(15), capability: new Uint8Array(33) }),
    RangeError,
  );
  assert.throws(
    () => encodeDeliveryAddress({ mailboxId: new Uint8Array(16), capability: new Uint8Array(32) }),
    RangeError,
  );
});

it("finds exactly one delivery address among leaf extensions", () => {
  const ext = { extensionType: DELIVERY_ADDRESS_EXTENSION_TYPE, extensionData: encodeDeliveryAddress(randomAddress()) };
  assert.ok(readDeliveryAddressExtension([ext]).ok);
  const none = readDeliveryAddressExtension([]);
  assert.ok(!none.ok && none.error.reason === "empty");
  const twice = readDeliveryAddressExtension([ext, ext]);
  assert.ok(!twice.ok && twice.error.reason === "invalid_field");
});

it("round-trips a credential through an MLS basic credential", async () => {
  const c = await credential();
  const decoded = readMlsCredential(makeMlsCredential(c));
  assert.ok(decoded.ok);
  assert.deepEqual(decoded.value, c);
  assert.equal(decoded.value.displayName, "Jürgen Müller 🔧");
});

it("rejects malformed credentials with a typed reason", async () => {
  const c = await credential();
  const bytes = encodeBoteCredential(c);
  const reasonOf = (b: Uint8Array) => {
    const r = decodeBoteCredential(b);
    return r.ok ? "ok" : r.error.reason;
  };
  assert.equal(reasonOf(bytes), "ok");
  assert.equal(reasonOf(new Uint8Array(0)), "empty");
  assert.equal(reasonOf(Uint8Array.of(9, ...bytes.subarray(1))), "unknown_version");
  // Version 2 (endorsements by the organisation or an invitation key) is not read: its trust model is gone.
  assert.equal(reasonOf(Uint8Array.of(2, ...bytes.subarray(1))), "unknown_version");
  assert.equal(reasonOf(bytes.subarray(0, 10)), "wrong_length");
  assert.equal(reasonOf(bytes.subarray(0, bytes.length - 1)), "wrong_length");
  assert.equal(reasonOf(Uint8Array.of(...bytes, 0)), "trailing_bytes");
  // A device certificate of another account does not make a credential.
  const other = await credential();
  const mixed = encodeBoteCredential({ ...c, deviceCertificate: other.deviceCertificate });
  assert.equal(reasonOf(mixed), "invalid_field");
  // A flipped byte inside the account certificate's name length makes it undecodable.
  const damaged = bytes.slice();
  damaged[3 + 1 + 32 + 16 + 32 + 1 + 8] = 0xff;
  assert.equal(reasonOf(damaged), "invalid_field");
  const x509 = readMlsCredential({ credentialType: "x509", certificates: [] });
  assert.ok(!x509.ok && x509.error.field === "credential.type");
});

it("puts the delivery address and device key into key packages", async () => {
  const { device, bundle } = await makePerson("Alice");
  const decoded = decodeKeyPackage(bundle.keyPackage, DEFAULT_CIPHERSUITE);
  assert.ok(decoded.ok);
  const leaf = decoded.value.leafNode;
  assert.deepEqual(leaf.signaturePublicKey, device.signatureKeyPair.publicKey);
  assert.ok(leaf.capabilities.extensions.includes(DELIVERY_ADDRESS_EXTENSION_TYPE));
  const address = readDeliveryAddressExtension(leaf.extensions);
  assert.ok(address.ok);
  assert.deepEqual(address.value, device.deliveryAddress);
  const cred = readMlsCredential(leaf.credential);
  assert.ok(cred.ok);
  assert.deepEqual(cred.value, device.credential);
  const wrongSuite = decodeKeyPackage(bundle.keyPackage, POST_QUANTUM_CIPHERSUITE);
  assert.ok(!wrongSuite.ok && wrongSuite.error.field === "keyPackage.cipherSuite");
  const trailing = decodeKeyPackage(Uint8Array.of(...bundle.keyPackage, 0), DEFAULT_CIPHERSUITE);
  assert.ok(!trailing.ok && trailing.error.reason === "trailing_bytes");
  const garbage = decodeKeyPackage(new Uint8Array(randomBytes(40)), DEFAULT_CIPHERSUITE);
  assert.ok(!garbage.ok);
});
