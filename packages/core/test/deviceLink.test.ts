import { it } from "node:test";
import assert from "node:assert/strict";
import {
  checkLinkCommitment,
  createLinkEphemeral,
  deriveLinkSecrets,
  linkCommitment,
  openLinkPackage,
  sealLinkPackage,
} from "@bote/core";

const text = new TextEncoder();

it("both devices derive the same comparison code and sealing key; the package opens only there", async () => {
  const a = createLinkEphemeral();
  const b = createLinkEphemeral();
  const commitment = linkCommitment(a.publicKey);
  assert.ok(checkLinkCommitment(commitment, a.publicKey));
  const keys = { initiatorPublicKey: a.publicKey, joinerPublicKey: b.publicKey };
  const onA = deriveLinkSecrets({ own: a, peerPublicKey: b.publicKey, ...keys });
  const onB = deriveLinkSecrets({ own: b, peerPublicKey: a.publicKey, ...keys });
  assert.match(onA.comparisonCode, /^\d{3} \d{3}$/);
  assert.equal(onA.comparisonCode, onB.comparisonCode);
  assert.deepEqual(onA.sealingKey, onB.sealingKey);
  const sealed = await sealLinkPackage(onA.sealingKey, text.encode("Kontoschlüssel"));
  assert.deepEqual(await openLinkPackage(onB.sealingKey, sealed), text.encode("Kontoschlüssel"));
  const changed = sealed.slice();
  changed[20]! ^= 1;
  assert.equal(await openLinkPackage(onB.sealingKey, changed), undefined);
});

it("a server that swaps the keys (man in the middle) shows different codes and cannot open the package", async () => {
  const a = createLinkEphemeral();
  const b = createLinkEphemeral();
  const m = createLinkEphemeral();
  // The server cannot reveal its own key as A's: the commitment binds A's.
  assert.equal(checkLinkCommitment(linkCommitment(a.publicKey), m.publicKey), false);
  // Toward A it plays B with m; toward B it could only pass A's committed key on.
  const onA = deriveLinkSecrets({
    own: a,
    peerPublicKey: m.publicKey,
    initiatorPublicKey: a.publicKey,
    joinerPublicKey: m.publicKey,
  });
  const onB = deriveLinkSecrets({
    own: b,
    peerPublicKey: a.publicKey,
    initiatorPublicKey: a.publicKey,
    joinerPublicKey: b.publicKey,
  });
  assert.notEqual(onA.comparisonCode, onB.comparisonCode);
  const sealed = await sealLinkPackage(onA.sealingKey, text.encode("geheim"));
  assert.equal(await openLinkPackage(onB.sealingKey, sealed), undefined);
});
