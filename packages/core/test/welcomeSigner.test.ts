/** readWelcomeSigner: who added this device, read from the Welcome's signed GroupInfo. */
import { it } from "node:test";
import assert from "node:assert/strict";
import { addMembers, createConversation, joinConversation, processIncoming, readWelcomeSigner } from "@bote/core";
import { acceptAllForTests, makePerson } from "./support.js";

const auth = acceptAllForTests;

it("names the member who added this device, not the group's creator", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const carol = await makePerson("Carol");
  const withBob = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  const atBob = await joinConversation(withBob.welcome, bob.bundle, auth);
  const byAlice = await readWelcomeSigner(withBob.welcome, bob.bundle, atBob);
  assert.equal(byAlice?.credential.displayName, "Alice");
  assert.equal(byAlice?.leafIndex, 0);

  // Bob (leaf 1) adds Carol: her Welcome is Bob's.
  const withCarol = await addMembers(atBob, [carol.bundle.keyPackage], auth);
  await processIncoming(withBob.conversation, withCarol.commit, auth);
  const atCarol = await joinConversation(withCarol.welcome, carol.bundle, auth);
  const byBob = await readWelcomeSigner(withCarol.welcome, carol.bundle, atCarol);
  assert.equal(byBob?.credential.displayName, "Bob");
  assert.equal(byBob?.leafIndex, 1);
  assert.deepEqual(byBob?.signaturePublicKey, bob.device.signatureKeyPair.publicKey);
});

it("tells nothing for a Welcome to another key package", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const eve = await makePerson("Eve");
  const added = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  const atBob = await joinConversation(added.welcome, bob.bundle, auth);
  assert.equal(await readWelcomeSigner(added.welcome, eve.bundle, atBob), undefined);
});
