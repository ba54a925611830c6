// A received message's sender data is decrypted once, not once by Bote and
// again by ts-mls, and the message still reads and names its sender.
import { it } from "node:test";
import assert from "node:assert/strict";
import {
  addMembers,
  createConversation,
  DEFAULT_CIPHERSUITE,
  encryptMessage,
  joinConversation,
  loadCiphersuite,
  processIncoming,
  zeroSecrets,
} from "@bote/core";
import { acceptAllForTests as auth, makePerson, text, untext } from "./support.js";

it("receiving a message decrypts its sender data once and names the sender", async () => {
  const anna = await makePerson("Anna");
  const bernd = await makePerson("Bernd");
  const added = await addMembers(await createConversation(anna.device, auth), [bernd.bundle.keyPackage], auth);
  zeroSecrets(added.consumedSecrets);
  const berndSide = await joinConversation(added.welcome, bernd.bundle, auth);
  const sent = await encryptMessage(added.conversation, text("Guten Morgen"));

  // Counted on the process's own suite, the one processIncoming loads.
  const cs = await loadCiphersuite(DEFAULT_CIPHERSUITE);
  const hpke = cs.hpke;
  let decryptions = 0;
  cs.hpke = {
    ...hpke,
    decryptAead: (...args) => {
      decryptions++;
      return hpke.decryptAead(...args);
    },
  };
  try {
    const received = await processIncoming(berndSide, sent.message, auth);
    assert.ok(received.kind === "application");
    assert.equal(untext(received.plaintext), "Guten Morgen");
    assert.equal(received.sender.leafIndex, 0);
    assert.deepEqual(received.sender.signaturePublicKey, anna.device.signatureKeyPair.publicKey);
  } finally {
    cs.hpke = hpke;
  }
  // One for the sender data, one for the content.
  assert.equal(decryptions, 2);
});
