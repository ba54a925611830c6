import { it } from "node:test";
import assert from "node:assert/strict";
import {
  addMembers,
  commitPendingProposals,
  ConversationError,
  createConversation,
  decodeGroupName,
  encodeConversation,
  encodeGroupName,
  encryptMessage,
  hasPendingProposals,
  joinConversation,
  leaveConversation,
  moveDeviceToMailbox,
  processIncoming,
  readConversationAddressBook,
  readConversationName,
  readEpoch,
  removeMembers,
  renameConversation,
  restoreConversation,
  updateDeliveryAddress,
  zeroSecrets,
  type Conversation,
  type IncomingResult,
  makeGroupNameExtension,
  DEFAULT_CIPHERSUITE,
} from "@bote/core";
import { createProposal, encodeMlsMessage, getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { acceptAllForTests, makePerson, randomAddress, text, untext, type TestPerson } from "./support.js";

const auth = acceptAllForTests;

/** Alice creates a group with Bob and Carol; everyone is in epoch 1. */
async function threeMembers() {
  const [alice, bob, carol] = await Promise.all([makePerson("Alice"), makePerson("Bob"), makePerson("Carol")]);
  const added = await addMembers(
    await createConversation(alice.device, auth),
    [bob.bundle.keyPackage, carol.bundle.keyPackage],
    auth,
  );
  zeroSecrets(added.consumedSecrets);
  return {
    alice,
    bob,
    carol,
    a: added.conversation,
    b: await joinConversation(added.welcome, bob.bundle, auth),
    c: await joinConversation(added.welcome, carol.bundle, auth),
  };
}

function asCommit(result: IncomingResult) {
  assert.equal(result.kind, "commit");
  assert.ok(result.kind === "commit");
  return result;
}

async function read(reader: Conversation, message: Uint8Array): Promise<{ conversation: Conversation; text: string }> {
  const got = await processIncoming(reader, message, auth);
  assert.ok(got.kind === "application");
  return { conversation: got.conversation, text: untext(got.plaintext) };
}

const names = (members: readonly { credential: { displayName: string } }[]) =>
  members.map((m) => m.credential.displayName);
const hasCode = (code: string) => (e: unknown) => e instanceof ConversationError && e.code === code;

it("Alice removes Carol: Bob follows, Carol learns she was removed and cannot read what follows", async () => {
  const group = await threeMembers();
  let { a, b, c } = group;
  const { carol } = group;
  const removed = await removeMembers(a, [carol.device.credential], auth);
  a = removed.conversation;
  zeroSecrets(removed.consumedSecrets);

  const atBob = asCommit(await processIncoming(b, removed.commit, auth));
  assert.deepEqual(names(atBob.changes.removed), ["Carol"]);
  assert.deepEqual(atBob.changes.added, []);
  assert.equal(atBob.changes.renamedTo, undefined);
  assert.equal(atBob.sender.credential.displayName, "Alice");
  b = atBob.conversation;

  const atCarol = await processIncoming(c, removed.commit, auth);
  assert.equal(atCarol.kind, "removed");
  assert.equal(atCarol.sender.credential.displayName, "Alice");
  c = atCarol.conversation;
  // Carol's state goes through storage, as it would on her device.
  c = restoreConversation(encodeConversation(c));
  await assert.rejects(encryptMessage(c, text("bin ich noch da?")), hasCode("removed_from_conversation"));

  const secret = await encryptMessage(a, text("ohne Carol"));
  a = secret.conversation;
  await assert.rejects(processIncoming(c, secret.message, auth), ConversationError);
  const r = await read(b, secret.message);
  assert.equal(r.text, "ohne Carol");
  b = r.conversation;
  const reply = await encryptMessage(b, text("Antwort"));
  assert.equal((await read(a, reply.message)).text, "Antwort");
  await assert.rejects(processIncoming(c, reply.message, auth), ConversationError);
  assert.equal(readConversationAddressBook(a).reachable.length, 2);
  assert.equal(readEpoch(a), 2n);
  assert.equal(readEpoch(b), 2n);
});

it("removeMembers accepts leaf indexes and refuses unknown members and the committer itself", async () => {
  const { a, b, bob } = await threeMembers();
  await assert.rejects(removeMembers(a, [0], auth), hasCode("cannot_remove_self"));
  await assert.rejects(removeMembers(a, [7], auth), hasCode("unknown_member"));
  const stranger: TestPerson = await makePerson("Mallory");
  await assert.rejects(removeMembers(a, [stranger.device.credential], auth), hasCode("unknown_member"));
  const both = await removeMembers(a, [1, bob.device.credential, 2], auth);
  assert.equal(readConversationAddressBook(both.conversation).reachable.length, 1);
  const atBob = await processIncoming(b, both.commit, auth);
  assert.equal(atBob.kind, "removed");
});

it("Bob leaves with a Remove proposal that Alice commits; Carol and Alice carry on without him", async () => {
  let { a, b, c } = await threeMembers();
  const leaving = await leaveConversation(b);
  b = leaving.conversation;

  const proposalAtAlice = await processIncoming(a, leaving.proposal, auth);
  assert.ok(proposalAtAlice.kind === "proposal");
  assert.ok(proposalAtAlice.proposal.type === "remove");
  assert.equal(proposalAtAlice.proposal.member.credential.displayName, "Bob");
  assert.equal(proposalAtAlice.sender.credential.displayName, "Bob");
  a = proposalAtAlice.conversation;
  assert.equal(hasPendingProposals(a), true);
  // A rename now would bundle the pending Remove into a GroupContextExtensions commit (ts-mls #742).
  await assert.rejects(renameConversation(a, "Baustelle", auth), hasCode("pending_proposals"));
  c = (await processIncoming(c, leaving.proposal, auth)).conversation;

  const committed = await commitPendingProposals(a, auth);
  a = committed.conversation;
  assert.equal(hasPendingProposals(a), false);
  const atCarol = asCommit(await processIncoming(c, committed.commit, auth));
  assert.deepEqual(names(atCarol.changes.removed), ["Bob"]);
  c = atCarol.conversation;
  const atBob = await processIncoming(b, committed.commit, auth);
  assert.equal(atBob.kind, "removed");

  const after = await encryptMessage(c, text("tschüss Bob"));
  assert.equal((await read(a, after.message)).text, "tschüss Bob");
  await assert.rejects(processIncoming(atBob.conversation, after.message, auth), ConversationError);
  await assert.rejects(commitPendingProposals(a, auth), RangeError);
});

it("renameConversation puts the name into the group context; receivers and later joiners read it", async () => {
  let { a, b, c } = await threeMembers();
  assert.equal(readConversationName(a), undefined);
  const renamed = await renameConversation(a, "Baustelle Müller", auth);
  a = renamed.conversation;
  assert.equal(readConversationName(a), "Baustelle Müller");
  const atBob = asCommit(await processIncoming(b, renamed.commit, auth));
  assert.equal(atBob.changes.renamedTo, "Baustelle Müller");
  assert.deepEqual(atBob.changes.removed, []);
  b = atBob.conversation;
  assert.equal(readConversationName(restoreConversation(encodeConversation(b))), "Baustelle Müller");
  c = asCommit(await processIncoming(c, renamed.commit, auth)).conversation;
  assert.equal(readConversationName(c), "Baustelle Müller");

  // A second rename keeps the other extensions: adding a member still works and the newcomer sees the name.
  const again = await renameConversation(a, "Baustelle Meyer", auth);
  a = again.conversation;
  b = (await processIncoming(b, again.commit, auth)).conversation;
  const dave = await makePerson("Dave");
  const withDave = await addMembers(a, [dave.bundle.keyPackage], auth);
  const d = await joinConversation(withDave.welcome, dave.bundle, auth);
  assert.equal(readConversationName(d), "Baustelle Meyer");
  const atBob2 = asCommit(await processIncoming(b, withDave.commit, auth));
  assert.deepEqual(names(atBob2.changes.added), ["Dave"]);
  assert.equal(atBob2.changes.renamedTo, undefined);

  await assert.rejects(renameConversation(a, "   ", auth), RangeError);
  await assert.rejects(renameConversation(a, "x".repeat(257), auth), RangeError);
});

it("the group-name codec is strict", () => {
  assert.deepEqual(decodeGroupName(encodeGroupName("Büro")), { ok: true, value: "Büro" });
  assert.equal(decodeGroupName(new Uint8Array(0)).ok, false);
  assert.equal(decodeGroupName(Uint8Array.of(2, 65)).ok, false);
  assert.equal(decodeGroupName(Uint8Array.of(1, 0xff)).ok, false);
  assert.equal(decodeGroupName(Uint8Array.of(1, 65, 10, 66)).ok, false);
  assert.equal(decodeGroupName(Uint8Array.of(1)).ok, false);
  assert.equal(decodeGroupName(new Uint8Array(258).fill(65, 1).fill(1, 0, 1)).ok, false);
});

it("a device that moves to a new mailbox announces it with a commit; the others' address books follow", async () => {
  const group = await threeMembers();
  let { a, b, c } = group;
  const { bob } = group;
  const moved = moveDeviceToMailbox(bob.device, randomAddress());
  const update = await updateDeliveryAddress(b, moved, auth);
  b = update.conversation;
  zeroSecrets(update.consumedSecrets);
  const bobKey = bob.device.signatureKeyPair.publicKey;
  const addressIn = (conversation: Conversation) =>
    readConversationAddressBook(conversation).reachable.find((m) => Buffer.from(m.signaturePublicKey).equals(bobKey))
      ?.address;
  assert.deepEqual(addressIn(b), moved.deliveryAddress);
  assert.deepEqual(addressIn(a), bob.device.deliveryAddress);

  for (const reader of [a, c]) {
    const got = asCommit(await processIncoming(reader, update.commit, auth));
    assert.deepEqual(names(got.changes.addressChanged), ["Bob"]);
    assert.deepEqual(got.changes.addressChanged[0]?.address, moved.deliveryAddress);
    assert.deepEqual(got.changes.added, []);
    assert.deepEqual(got.changes.removed, []);
    assert.deepEqual(addressIn(got.conversation), moved.deliveryAddress);
    if (reader === a) a = got.conversation;
    else c = got.conversation;
  }
  const hello = await encryptMessage(b, text("neue Adresse"));
  assert.equal((await read(a, hello.message)).text, "neue Adresse");
  assert.equal((await read(c, hello.message)).text, "neue Adresse");

  // Only the device that owns the leaf can move it.
  const other = await makePerson("Mallory");
  await assert.rejects(updateDeliveryAddress(a, other.device, auth), hasCode("wrong_device"));
});

it("refuses to commit a pending GroupContextExtensions proposal together with a Remove (ts-mls #742)", async () => {
  let { a, b } = await threeMembers();
  // Bob's client proposes a rename by reference through ts-mls directly; Bote never does this itself.
  const cs = await getCiphersuiteImpl(getCiphersuiteFromName(DEFAULT_CIPHERSUITE));
  const extensions = [...b.group.groupContext.extensions, makeGroupNameExtension("von Bob")];
  const proposal = await createProposal(
    b.group,
    false,
    { proposalType: "group_context_extensions", groupContextExtensions: { extensions } },
    cs,
  );
  b = { ...b, group: proposal.newState };
  const atAlice = await processIncoming(a, encodeMlsMessage(proposal.message), auth);
  assert.ok(atAlice.kind === "proposal");
  assert.deepEqual(atAlice.proposal, { type: "other", proposalType: "group_context_extensions" });
  a = atAlice.conversation;
  await assert.rejects(removeMembers(a, [2], auth), hasCode("conflicting_proposals"));
  // Committed on its own, the rename is fine.
  const committed = await commitPendingProposals(a, auth);
  assert.equal(readConversationName(committed.conversation), "von Bob");
  const atBob = asCommit(await processIncoming(b, committed.commit, auth));
  assert.equal(atBob.changes.renamedTo, "von Bob");
});
