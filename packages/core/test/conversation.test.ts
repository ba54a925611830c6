import { it } from "node:test";
import assert from "node:assert/strict";
import {
  addMembers,
  ConversationError,
  createConversation,
  encodeConversation,
  encryptMessage,
  joinConversation,
  POST_QUANTUM_CIPHERSUITE,
  processIncoming,
  readConversationAddressBook,
  readEpoch,
  restoreConversation,
  type AuthenticationPort,
  type Conversation,
  type DeliveryAddress,
  type KeyPackageBundle,
  zeroSecrets,
} from "@bote/core";
import {
  createCommit,
  decodeMlsMessage,
  defaultCapabilities,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
} from "ts-mls";
import { makeBoteCapabilities, makeMlsCredential, makeDeliveryAddressExtension, DEFAULT_CIPHERSUITE } from "@bote/core";
import { acceptAllForTests, makePerson, text, untext, type TestPerson } from "./support.js";

const auth = acceptAllForTests;

/** Sends `body` from one side and returns both sides' new conversations and the decrypted text. */
async function exchange(from: Conversation, to: Conversation, body: string) {
  const sent = await encryptMessage(from, text(body));
  const received = await processIncoming(to, sent.message, auth);
  assert.equal(received.kind, "application");
  assert.ok(received.kind === "application");
  return {
    from: sent.conversation,
    to: received.conversation,
    text: untext(received.plaintext),
    sender: received.sender.credential.displayName,
  };
}

function addressOf(conversation: Conversation, signatureKey: Uint8Array): DeliveryAddress | undefined {
  const book = readConversationAddressBook(conversation);
  assert.equal(book.unreachable.length, 0);
  return book.reachable.find((m) => Buffer.from(m.signaturePublicKey).equals(signatureKey))?.address;
}

it("Alice adds Bob, Bob joins from the Welcome, messages flow both ways", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  let a = await createConversation(alice.device, auth);
  const added = await addMembers(a, [bob.bundle.keyPackage], auth);
  a = added.conversation;
  // The server accepted the commit: the old epoch's secrets can go.
  zeroSecrets(added.consumedSecrets);
  let b = await joinConversation(added.welcome, bob.bundle, auth);
  assert.equal(readEpoch(a), 1n);
  assert.equal(readEpoch(b), 1n);

  let r = await exchange(a, b, "Moin Bob");
  assert.equal(r.text, "Moin Bob");
  assert.equal(r.sender, "Alice");
  [a, b] = [r.from, r.to];
  r = await exchange(b, a, "Moin Alice");
  assert.equal(r.text, "Moin Alice");
  assert.equal(r.sender, "Bob");
  [b, a] = [r.from, r.to];
  r = await exchange(a, b, "Zweite Nachricht");
  assert.equal(r.text, "Zweite Nachricht");

  // The ratchet tree is the address book: each side reaches the other without asking the server.
  assert.deepEqual(addressOf(a, bob.device.signatureKeyPair.publicKey), bob.device.deliveryAddress);
  assert.deepEqual(addressOf(b, alice.device.signatureKeyPair.publicKey), alice.device.deliveryAddress);
  assert.equal(readConversationAddressBook(a).reachable.length, 2);
});

it("keeps working after both sides serialise and restore mid-conversation", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const added = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  let a = added.conversation;
  let b = await joinConversation(added.welcome, bob.bundle, auth);
  let r = await exchange(a, b, "vor dem Neustart");
  [a, b] = [r.from, r.to];

  a = restoreConversation(encodeConversation(a));
  b = restoreConversation(encodeConversation(b));
  r = await exchange(a, b, "nach dem Neustart");
  assert.equal(r.text, "nach dem Neustart");
  [a, b] = [r.from, r.to];
  r = await exchange(b, a, "Antwort nach dem Neustart");
  assert.equal(r.text, "Antwort nach dem Neustart");
  assert.deepEqual(addressOf(r.to, bob.device.signatureKeyPair.publicKey), bob.device.deliveryAddress);

  assert.throws(
    () => restoreConversation(Uint8Array.of(7, 1, 2, 3)),
    (e) => e instanceof ConversationError && e.code === "invalid_state",
  );
  const truncated = encodeConversation(a).subarray(0, 100);
  assert.throws(
    () => restoreConversation(truncated),
    (e) => e instanceof ConversationError && e.code === "invalid_state",
  );
});

it("a member added later (Carol) joins, processes nothing old, and reads what follows", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const carol = await makePerson("Carol");
  const withBob = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  let a = withBob.conversation;
  let b = await joinConversation(withBob.welcome, bob.bundle, auth);
  const before = await encryptMessage(a, text("nur für Bob"));
  a = before.conversation;
  b = (await processIncoming(b, before.message, auth)).conversation;
  // Bob writes in epoch 1; Alice reads it only after she has moved to epoch 2.
  const late = await encryptMessage(b, text("spät zugestellt"));
  b = late.conversation;

  // Bob's state goes through storage between the epochs, as it would on a real device.
  b = restoreConversation(encodeConversation(b));
  const withCarol = await addMembers(a, [carol.bundle.keyPackage], auth);
  a = withCarol.conversation;
  const commit = await processIncoming(b, withCarol.commit, auth);
  assert.equal(commit.kind, "commit");
  assert.equal(commit.sender.credential.displayName, "Alice");
  const lateAtAlice = await processIncoming(a, late.message, auth);
  assert.ok(lateAtAlice.kind === "application");
  assert.equal(untext(lateAtAlice.plaintext), "spät zugestellt");
  assert.equal(lateAtAlice.sender.credential.displayName, "Bob");
  a = lateAtAlice.conversation;
  b = commit.conversation;
  let c = await joinConversation(withCarol.welcome, carol.bundle, auth);
  assert.equal(readEpoch(a), 2n);
  assert.equal(readEpoch(b), 2n);
  assert.equal(readEpoch(c), 2n);

  // Carol cannot read what was sent before she joined.
  await assert.rejects(processIncoming(c, before.message, auth), ConversationError);

  const fromAlice = await encryptMessage(a, text("Willkommen Carol"));
  a = fromAlice.conversation;
  const atCarol = await processIncoming(c, fromAlice.message, auth);
  assert.ok(atCarol.kind === "application");
  assert.equal(untext(atCarol.plaintext), "Willkommen Carol");
  c = atCarol.conversation;
  const atBob = await processIncoming(b, fromAlice.message, auth);
  assert.ok(atBob.kind === "application");
  b = atBob.conversation;

  const fromCarol = await encryptMessage(c, text("Danke!"));
  for (const reader of [a, b]) {
    const got = await processIncoming(reader, fromCarol.message, auth);
    assert.ok(got.kind === "application");
    assert.equal(untext(got.plaintext), "Danke!");
    assert.equal(got.sender.credential.displayName, "Carol");
    assert.equal(got.sender.leafIndex, 2);
  }
  // Bob learned Carol's address from the commit alone.
  assert.deepEqual(addressOf(b, carol.device.signatureKeyPair.publicKey), carol.device.deliveryAddress);
  assert.deepEqual(addressOf(c, bob.device.signatureKeyPair.publicKey), bob.device.deliveryAddress);
});

it("an authentication port that refuses a member makes joining and processing fail with a typed error", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const mallory = await makePerson("Mallory");
  const refuse = (name: string): AuthenticationPort => ({
    authenticate: (credential) =>
      Promise.resolve(
        credential.displayName === name
          ? { accepted: false, reason: "unknown_contact" }
          : { accepted: true, basis: "verified" },
      ),
  });
  const isRejected = (e: unknown) => e instanceof ConversationError && e.code === "authentication_rejected";

  // Alice refuses to add Mallory.
  const a0 = await createConversation(alice.device, auth);
  await assert.rejects(addMembers(a0, [mallory.bundle.keyPackage], refuse("Mallory")), isRejected);

  // Bob refuses to join a group with Alice in it.
  const added = await addMembers(a0, [bob.bundle.keyPackage], auth);
  await assert.rejects(joinConversation(added.welcome, bob.bundle, refuse("Alice")), isRejected);

  // Bob joins, then refuses the commit that adds Mallory; his state is unchanged and still works.
  let a = added.conversation;
  const b = await joinConversation(added.welcome, bob.bundle, auth);
  const withMallory = await addMembers(a, [mallory.bundle.keyPackage], auth);
  await assert.rejects(processIncoming(b, withMallory.commit, refuse("Mallory")), isRejected);
  assert.equal(readEpoch(b), 1n);
  const sameEpoch = await encryptMessage(b, text("noch da"));
  a = added.conversation;
  const got = await processIncoming(a, sameEpoch.message, auth);
  assert.ok(got.kind === "application");
  assert.equal(untext(got.plaintext), "noch da");
});

it("refuses garbage, Welcomes and other groups' messages with typed errors", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const a = await createConversation(alice.device, auth);
  await assert.rejects(
    addMembers(a, [Uint8Array.of(1, 2, 3)], auth),
    (e) => e instanceof ConversationError && e.code === "invalid_key_package",
  );
  await assert.rejects(
    processIncoming(a, Uint8Array.of(0, 1, 0, 2, 9, 9), auth),
    (e) => e instanceof ConversationError && e.code === "malformed_message",
  );
  // A Welcome is not an incoming group message.
  const added = await addMembers(a, [bob.bundle.keyPackage], auth);
  await assert.rejects(
    processIncoming(added.conversation, added.welcome, auth),
    (e) => e instanceof ConversationError && e.code === "malformed_message",
  );
  const other = await createConversation(bob.device, auth);
  const foreign = await encryptMessage(other, text("falsche Gruppe"));
  await assert.rejects(
    processIncoming(added.conversation, foreign.message, auth),
    (e) => e instanceof ConversationError && e.code === "wrong_group",
  );
});

it("works with the X-Wing post-quantum suite", async () => {
  const alice = await makePerson("Alice", POST_QUANTUM_CIPHERSUITE);
  const bob = await makePerson("Bob", POST_QUANTUM_CIPHERSUITE);
  const added = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  const b = await joinConversation(added.welcome, bob.bundle, auth);
  assert.equal(b.ciphersuite, POST_QUANTUM_CIPHERSUITE);
  const r = await exchange(added.conversation, b, "quantensicher");
  assert.equal(r.text, "quantensicher");
  const restored = restoreConversation(encodeConversation(r.to));
  const back = await exchange(restored, r.from, "zurück");
  assert.equal(back.text, "zurück");
});

/** A key package built around Bote's helpers but with one deliberate fault. */
async function forgeKeyPackage(
  person: TestPerson,
  fault: "no_address" | "address_omitted" | "foreign_device_key",
): Promise<KeyPackageBundle> {
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName(DEFAULT_CIPHERSUITE));
  const other = await cs.signature.keygen();
  const credential =
    fault === "foreign_device_key"
      ? {
          ...person.device.credential,
          deviceCertificate: { ...person.device.credential.deviceCertificate, deviceKey: other.publicKey },
        }
      : person.device.credential;
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    makeMlsCredential(credential),
    fault === "no_address" ? defaultCapabilities() : makeBoteCapabilities(DEFAULT_CIPHERSUITE),
    { notBefore: 0n, notAfter: BigInt(Math.floor(Date.now() / 1000) + 86400) },
    [],
    person.device.signatureKeyPair,
    cs,
    fault === "foreign_device_key" ? [makeDeliveryAddressExtension(person.device.deliveryAddress)] : [],
  );
  return {
    keyPackage: encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: publicPackage }),
    privateKeys: privatePackage,
  };
}

it("refuses a key package without a delivery address", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const a = await createConversation(alice.device, auth);
  await assert.rejects(
    addMembers(a, [(await forgeKeyPackage(bob, "no_address")).keyPackage], auth),
    (e) =>
      e instanceof ConversationError &&
      e.code === "invalid_key_package" &&
      e.decodeFailure?.field === "leafNode.deliveryAddress",
  );
});

it("refuses a credential that names another device key than the leaf signs with", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const a = await createConversation(alice.device, auth);
  await assert.rejects(
    addMembers(a, [(await forgeKeyPackage(bob, "foreign_device_key")).keyPackage], auth),
    (e) =>
      e instanceof ConversationError && e.code === "authentication_rejected" && /device_key_mismatch/.test(e.message),
  );
});

it("a losing committer goes back to its old state, processes the winner and retries", async () => {
  const [alice, bob, carol, dave] = await Promise.all([
    makePerson("Alice"),
    makePerson("Bob"),
    makePerson("Carol"),
    makePerson("Dave"),
  ]);
  const start = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  zeroSecrets(start.consumedSecrets);
  let a = start.conversation;
  let b = await joinConversation(start.welcome, bob.bundle, auth);

  // Both commit in epoch 1; the server takes Bob's and answers Alice "stale epoch".
  const aliceLoses = await addMembers(a, [carol.bundle.keyPackage], auth);
  const bobWins = await addMembers(b, [dave.bundle.keyPackage], auth);
  assert.equal(readEpoch(aliceLoses.conversation), 2n);
  b = bobWins.conversation;
  zeroSecrets(bobWins.consumedSecrets);

  // Alice discards her commit (not zeroing its secrets: her old state needs them) and processes Bob's.
  const processed = await processIncoming(a, bobWins.commit, auth);
  assert.equal(processed.kind, "commit");
  a = processed.conversation;
  assert.equal(readEpoch(a), 2n);
  let d = await joinConversation(bobWins.welcome, dave.bundle, auth);

  const retry = await addMembers(a, [carol.bundle.keyPackage], auth);
  zeroSecrets(retry.consumedSecrets);
  a = retry.conversation;
  b = (await processIncoming(b, retry.commit, auth)).conversation;
  d = (await processIncoming(d, retry.commit, auth)).conversation;
  const c = await joinConversation(retry.welcome, carol.bundle, auth);
  for (const member of [a, b, c, d]) assert.equal(readEpoch(member), 3n);

  const hello = await encryptMessage(d, text("Hallo zusammen"));
  for (const reader of [a, b, c]) {
    const got = await processIncoming(reader, hello.message, auth);
    assert.ok(got.kind === "application");
    assert.equal(untext(got.plaintext), "Hallo zusammen");
    assert.equal(got.sender.credential.displayName, "Dave");
  }
  assert.equal(readConversationAddressBook(c).reachable.length, 4);
});

it("refuses a commit or Welcome that adds a member without a delivery address", async () => {
  const alice = await makePerson("Alice");
  const bob = await makePerson("Bob");
  const carol = await makePerson("Carol");
  const added = await addMembers(await createConversation(alice.device, auth), [bob.bundle.keyPackage], auth);
  const a = added.conversation;
  const b = await joinConversation(added.welcome, bob.bundle, auth);

  // A client that skips Bote's checks commits an address-less key package through ts-mls directly.
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName(DEFAULT_CIPHERSUITE));
  let forged: KeyPackageBundle | undefined;
  const rogueAdd = async (fault: "no_address" | "address_omitted") => {
    forged = await forgeKeyPackage(carol, fault);
    const decoded = decodeMlsMessage(forged.keyPackage, 0);
    assert.ok(decoded?.[0].wireformat === "mls_key_package");
    return createCommit(
      { state: a.group, cipherSuite: cs },
      {
        extraProposals: [{ proposalType: "add", add: { keyPackage: decoded[0].keyPackage } }],
        ratchetTreeExtension: true,
      },
    );
  };
  // Not even declaring the extension is caught by ts-mls itself: the group requires it (required_capabilities).
  await assert.rejects(rogueAdd("no_address"), /required capabilities/);
  // Declaring it but leaving the address out is caught by Bote's tree invariant.
  const rogue = await rogueAdd("address_omitted");

  const isMissing = (e: unknown) => e instanceof ConversationError && e.code === "missing_delivery_address";
  await assert.rejects(processIncoming(b, encodeMlsMessage(rogue.commit), auth), isMissing);
  assert.ok(rogue.welcome !== undefined);
  const welcome = encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: rogue.welcome });
  assert.ok(forged !== undefined);
  await assert.rejects(joinConversation(welcome, forged, auth), isMissing);

  // Bob's state is unchanged and still talks to Alice.
  assert.equal(readEpoch(b), 1n);
  const r = await exchange(b, a, "noch in Epoche 1");
  assert.equal(r.text, "noch in Epoche 1");
});
