import { it } from "node:test";
import assert from "node:assert/strict";
import {
  addMembers,
  computeKeyPackageRef,
  createConversation,
  decodeDevice,
  decodeKeyPackageBundle,
  encodeDevice,
  encodeKeyPackageBundle,
  encryptMessage,
  inspectEnvelope,
  joinConversation,
  readKeyPackageAddress,
  readRoster,
} from "@bote/core";
import { acceptAllForTests, makePerson, text } from "./support.js";

it("a device and a key package bundle survive storage byte for byte", async () => {
  const anna = await makePerson("Anna");
  const device = decodeDevice(encodeDevice(anna.device));
  assert.ok(device.ok);
  assert.deepEqual(device.value, anna.device);
  const bundle = decodeKeyPackageBundle(encodeKeyPackageBundle(anna.bundle));
  assert.ok(bundle.ok);
  assert.deepEqual(bundle.value, anna.bundle);
  assert.equal(decodeDevice(new TextEncoder().encode('{"v":2}')).ok, false);
  assert.equal(decodeKeyPackageBundle(new Uint8Array([0xff])).ok, false);
});

it("a Welcome names the key package it was made for, and the roster shows everyone's address", async () => {
  const anna = await makePerson("Anna");
  const bernd = await makePerson("Bernd");
  const address = readKeyPackageAddress(bernd.bundle.keyPackage, bernd.device.ciphersuite);
  assert.ok(address.ok);
  assert.deepEqual(address.value, bernd.device.deliveryAddress);
  const group = await createConversation(anna.device, acceptAllForTests);
  const added = await addMembers(group, [bernd.bundle.keyPackage], acceptAllForTests);
  const welcome = inspectEnvelope(added.welcome);
  assert.equal(welcome.kind, "welcome");
  const ref = await computeKeyPackageRef(bernd.bundle.keyPackage, bernd.device.ciphersuite);
  assert.ok(welcome.kind === "welcome" && welcome.keyPackageRefs.some((r) => Buffer.from(r).equals(ref)));
  const joined = await joinConversation(added.welcome, bernd.bundle, acceptAllForTests);
  const roster = readRoster(joined);
  assert.deepEqual(
    roster.map((m) => [m.credential.displayName, m.self]),
    [
      ["Anna", false],
      ["Bernd", true],
    ],
  );
  assert.deepEqual(roster[0]!.address, anna.device.deliveryAddress);
  const message = await encryptMessage(added.conversation, text("hallo"));
  const framing = inspectEnvelope(message.message);
  assert.ok(framing.kind === "group_message" && framing.epoch === 1n && framing.contentType === "application");
  assert.throws(() => inspectEnvelope(new Uint8Array([1, 2, 3])));
});
