// The fast provider must be invisible on the wire: byte-identical primitives,
// and a device on it talks to one on ts-mls's plain provider both ways,
// through commits (HPKE, signatures, confirmation tags) and messages.
import { it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import {
  addMembers,
  BOTE_CIPHERSUITES,
  DEFAULT_CIPHERSUITE,
  decodeKeyPackage,
  encryptMessage,
  joinConversation,
  loadCiphersuite,
  makeBoteCapabilities,
  makeDeliveryAddressExtension,
  makeMlsCredential,
  processIncoming,
  removeMembers,
  zeroSecrets,
  type BoteCiphersuiteName,
} from "@bote/core";
import {
  createApplicationMessage,
  createCommit,
  createGroup,
  decodeMlsMessage,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  getCiphersuiteFromName,
  getCiphersuiteImpl,
  processPrivateMessage,
  makePskIndex,
  type CiphersuiteImpl,
  type ClientState,
} from "ts-mls";
import { acceptAllForTests as auth, certifiedCredential, makePerson, randomAddress, text, untext } from "./support.js";

const bytes = (n: number) => new Uint8Array(randomBytes(n));

async function suites(name: BoteCiphersuiteName): Promise<{ plain: CiphersuiteImpl; fast: CiphersuiteImpl }> {
  return { plain: await getCiphersuiteImpl(getCiphersuiteFromName(name)), fast: await loadCiphersuite(name) };
}

for (const name of BOTE_CIPHERSUITES) {
  it(`${name}: hash, HMAC, HKDF and Ed25519 give the plain provider's bytes`, async () => {
    const { plain, fast } = await suites(name);
    for (const size of [0, 1, 31, 32, 64, 65, 200]) {
      const data = bytes(size);
      const key = bytes(plain.kdf.size);
      assert.deepEqual(await fast.hash.digest(data), await plain.hash.digest(data));
      const mac = await plain.hash.mac(key, data);
      assert.deepEqual(await fast.hash.mac(key, data), mac);
      assert.equal(await fast.hash.verifyMac(key, mac, data), true);
      const tampered = mac.slice();
      tampered[size % mac.length]! ^= 1;
      assert.equal(await fast.hash.verifyMac(key, tampered, data), false);
      assert.deepEqual(await fast.kdf.extract(key, data), await plain.kdf.extract(key, data));
      assert.deepEqual(
        await fast.kdf.extract(new Uint8Array(0), data),
        await plain.kdf.extract(new Uint8Array(0), data),
      );
      for (const length of [16, 32, 64, 100]) {
        assert.deepEqual(await fast.kdf.expand(key, data, length), await plain.kdf.expand(key, data, length));
      }
    }
    assert.equal(fast.kdf.size, plain.kdf.size);
    await assert.rejects(fast.kdf.extract(bytes(plain.kdf.size + 1), bytes(8)));
    await assert.rejects(plain.kdf.extract(bytes(plain.kdf.size + 1), bytes(8)));

    // WebCrypto exports PKCS#8 keys, @noble/curves 32-byte seeds; both must sign alike.
    const pair = await plain.signature.keygen();
    const seed = { signKey: pair.signKey.slice(-32), publicKey: pair.publicKey };
    for (const signer of [pair, seed]) {
      const message = bytes(100);
      const signature = await fast.signature.sign(signer.signKey, message);
      assert.deepEqual(signature, await plain.signature.sign(signer.signKey, message));
      assert.equal(await fast.signature.verify(signer.publicKey, message, signature), true);
      assert.equal(await plain.signature.verify(signer.publicKey, message, signature), true);
      message[0]! ^= 1;
      assert.equal(await fast.signature.verify(signer.publicKey, message, signature), false);
    }
  });
}

it("a signing key buffer that was zeroed or reused is not signed with from the cache", async () => {
  const { plain, fast } = await suites(DEFAULT_CIPHERSUITE);
  const first = await plain.signature.keygen();
  const second = await plain.signature.keygen();
  const buffer = first.signKey.slice();
  const message = text("same buffer, other key");
  assert.deepEqual(await fast.signature.sign(buffer, message), await plain.signature.sign(first.signKey, message));
  buffer.set(second.signKey);
  const signature = await fast.signature.sign(buffer, message);
  assert.equal(await fast.signature.verify(second.publicKey, message, signature), true);
  assert.equal(await fast.signature.verify(first.publicKey, message, signature), false);
  // A zeroed PKCS#8 buffer is no key at all: both providers refuse, neither signs with the old one.
  buffer.fill(0);
  await assert.rejects(fast.signature.sign(buffer, message));
  await assert.rejects(plain.signature.sign(buffer, message));
});

/** Alice runs raw ts-mls with the plain provider; she carries a delivery address like any Bote leaf. */
async function makePlainAlice(cs: CiphersuiteImpl, name: BoteCiphersuiteName): Promise<ClientState> {
  const keys = await cs.signature.keygen();
  const credential = certifiedCredential("Alice (plain)", keys.publicKey);
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    makeMlsCredential(credential),
    makeBoteCapabilities(name),
    { notBefore: 0n, notAfter: BigInt(Math.floor(Date.now() / 1000) + 86_400) },
    [],
    keys,
    cs,
    [makeDeliveryAddressExtension(randomAddress())],
  );
  return createGroup(bytes(16), publicPackage, privatePackage, [], cs);
}

function privateMessageOf(wire: Uint8Array) {
  const decoded = decodeMlsMessage(wire, 0)?.[0];
  assert.ok(decoded?.wireformat === "mls_private_message");
  return decoded.privateMessage;
}

async function plainReceives(state: ClientState, wire: Uint8Array, cs: CiphersuiteImpl) {
  const result = await processPrivateMessage(state, privateMessageOf(wire), makePskIndex(state, {}), cs);
  zeroSecrets(result.consumed);
  return result;
}

for (const name of BOTE_CIPHERSUITES) {
  it(`${name}: a device on the plain provider and devices on the fast one share a group`, async () => {
    const { plain } = await suites(name);
    let alice = await makePlainAlice(plain, name);
    const bob = await makePerson("Bob", name);
    const carol = await makePerson("Carol", name);

    // Plain commits and Welcome, fast join.
    const bobKeyPackage = decodeKeyPackage(bob.bundle.keyPackage, name);
    assert.ok(bobKeyPackage.ok);
    const added = await createCommit(
      { state: alice, cipherSuite: plain },
      {
        extraProposals: [{ proposalType: "add", add: { keyPackage: bobKeyPackage.value } }],
        ratchetTreeExtension: true,
      },
    );
    assert.ok(added.welcome !== undefined);
    alice = added.newState;
    let b = await joinConversation(
      encodeMlsMessage({ version: "mls10", wireformat: "mls_welcome", welcome: added.welcome }),
      bob.bundle,
      auth,
    );

    // Plain to fast.
    const hello = await createApplicationMessage(alice, text("hello from plain"), plain);
    alice = hello.newState;
    const received = await processIncoming(
      b,
      encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: hello.privateMessage }),
      auth,
    );
    assert.ok(received.kind === "application");
    assert.equal(untext(received.plaintext), "hello from plain");
    b = received.conversation;

    // Fast to plain.
    const reply = await encryptMessage(b, text("hello from fast"));
    b = reply.conversation;
    const got = await plainReceives(alice, reply.message, plain);
    assert.ok(got.kind === "applicationMessage");
    assert.equal(untext(got.message), "hello from fast");
    alice = got.newState;

    // A fast commit (update path, Welcome, confirmation tag) that the plain side processes.
    const withCarol = await addMembers(b, [carol.bundle.keyPackage], auth);
    b = withCarol.conversation;
    zeroSecrets(withCarol.consumedSecrets);
    const afterAdd = await plainReceives(alice, withCarol.commit, plain);
    assert.equal(afterAdd.kind, "newState");
    alice = afterAdd.newState;
    const c = await joinConversation(withCarol.welcome, carol.bundle, auth);

    // A fast removal with a path; plain and fast receivers agree on the new epoch.
    const removed = await removeMembers(b, [carol.device.credential], auth);
    b = removed.conversation;
    zeroSecrets(removed.consumedSecrets);
    const afterRemove = await plainReceives(alice, removed.commit, plain);
    alice = afterRemove.newState;
    const carolSees = await processIncoming(c, removed.commit, auth);
    assert.equal(carolSees.kind, "removed");
    assert.deepEqual(alice.keySchedule.epochAuthenticator, b.group.keySchedule.epochAuthenticator);

    const last = await createApplicationMessage(alice, text("still talking"), plain);
    const lastReceived = await processIncoming(
      b,
      encodeMlsMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: last.privateMessage }),
      auth,
    );
    assert.ok(lastReceived.kind === "application");
    assert.equal(untext(lastReceived.plaintext), "still talking");
  });
}
