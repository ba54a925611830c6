// The platform providers must be invisible on the wire: byte-identical
// primitives, and a device on one talks to a device on another both ways,
// through commits (HPKE, signatures, confirmation tags) and messages. On
// Node, loadCiphersuite is the node:crypto provider ("node"); the browser's
// (makeFastCiphersuite, WebCrypto) runs here too, so each is checked against
// ts-mls's plain provider and against the other.
import { it } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac, randomBytes } from "node:crypto";
import {
  addMembers,
  BOTE_CIPHERSUITES,
  DEFAULT_CIPHERSUITE,
  decodeKeyPackage,
  encryptMessage,
  joinConversation,
  loadCiphersuite,
  makeBoteCapabilities,
  makeFastCiphersuite,
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

/** Both providers refuse the sealed bytes, with an error of the same class (ts-mls's CryptoError). */
async function refusedAlike(
  plain: CiphersuiteImpl,
  fast: CiphersuiteImpl,
  ...args: Parameters<CiphersuiteImpl["hpke"]["decryptAead"]>
): Promise<void> {
  const expected: unknown = await plain.hpke.decryptAead(...args).then(
    () => assert.fail("the plain provider opened tampered bytes"),
    (err: unknown) => err,
  );
  assert.ok(expected instanceof Error && expected.name !== "AssertionError");
  await assert.rejects(fast.hpke.decryptAead(...args), (err) => err instanceof expected.constructor);
}

type Provider = "node" | "browser";
const PROVIDERS: readonly Provider[] = ["node", "browser"];

async function suites(
  name: BoteCiphersuiteName,
): Promise<{ plain: CiphersuiteImpl; node: CiphersuiteImpl; browser: CiphersuiteImpl }> {
  const suite = getCiphersuiteFromName(name);
  const plain = await getCiphersuiteImpl(suite);
  const browser = makeFastCiphersuite(await getCiphersuiteImpl(suite), {
    hash: suite.hash,
    kdf: suite.hpke.kdf,
    signature: suite.signature,
    aead: suite.hpke.aead,
  });
  return { plain, node: await loadCiphersuite(name), browser };
}

for (const [name, provider] of BOTE_CIPHERSUITES.flatMap((n) => PROVIDERS.map((p) => [n, p] as const))) {
  it(`${name}: hash, HMAC, HKDF, AES-GCM, HPKE and Ed25519 of the ${provider} provider give the plain provider's bytes`, async () => {
    const all = await suites(name);
    const { plain } = all;
    const fast = all[provider];
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
    for (const [size, aadSize] of [
      [0, 0],
      [1, 0],
      [100, 20],
      [5000, 0],
    ] as const) {
      const key = bytes(plain.hpke.keyLength);
      const nonce = bytes(plain.hpke.nonceLength);
      const aad = aadSize === 0 ? undefined : bytes(aadSize);
      const plaintext = bytes(size);
      const sealed = await plain.hpke.encryptAead(key, nonce, aad, plaintext);
      assert.deepEqual(await fast.hpke.encryptAead(key, nonce, aad, plaintext), sealed);
      assert.deepEqual(await fast.hpke.decryptAead(key, nonce, aad, sealed), plaintext);
      // A flipped bit anywhere, in the body or the tag, is refused with ts-mls's own error.
      for (const at of [0, sealed.length - 1]) {
        const tampered = sealed.slice();
        tampered[at]! ^= 1;
        await refusedAlike(plain, fast, key, nonce, aad, tampered);
      }
      await refusedAlike(plain, fast, key, nonce, aad, sealed.subarray(0, 15));
    }
    // HPKE both ways, with keys derived alike from the same seed by each provider.
    const ikm = bytes(32);
    const [plainPair, fastPair] = [await plain.hpke.deriveKeyPair(ikm), await fast.hpke.deriveKeyPair(ikm)];
    const publicBytes = await plain.hpke.exportPublicKey(plainPair.publicKey);
    assert.deepEqual(await fast.hpke.exportPublicKey(fastPair.publicKey), publicBytes);
    assert.deepEqual(
      await fast.hpke.exportPrivateKey(fastPair.privateKey),
      await plain.hpke.exportPrivateKey(plainPair.privateKey),
    );
    const info = bytes(30);
    const aad = bytes(10);
    for (const [from, to, toPrivate] of [
      [plain, fast, fastPair.privateKey],
      [fast, plain, plainPair.privateKey],
    ] as const) {
      const message = bytes(200);
      const sealed = await from.hpke.seal(await from.hpke.importPublicKey(publicBytes), message, info, aad);
      assert.deepEqual(await to.hpke.open(toPrivate, sealed.enc, sealed.ct, info, aad), message);
      await assert.rejects(to.hpke.open(toPrivate, sealed.enc, sealed.ct, bytes(30), aad));
      const exported = await from.hpke.exportSecret(await from.hpke.importPublicKey(publicBytes), info, 32, aad);
      assert.deepEqual(await to.hpke.importSecret(toPrivate, info, exported.enc, 32, aad), exported.secret);
    }
    assert.equal(fast.hpke.keyLength, plain.hpke.keyLength);
    assert.equal(fast.hpke.nonceLength, plain.hpke.nonceLength);
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

it("the browser provider's SHA-256, HMAC and one-block HKDF equal node:crypto at every length around the block", async () => {
  // sha256.ts pads by hand into scratch it reuses: lengths 0–200 cross the
  // one- and two-block tails, keys longer than a block are hashed first, and
  // a long input after a short one must not see the short one's leftovers.
  const suite = getCiphersuiteFromName(DEFAULT_CIPHERSUITE);
  const browser = makeFastCiphersuite(await getCiphersuiteImpl(suite), {
    hash: suite.hash,
    kdf: suite.hpke.kdf,
    signature: suite.signature,
    aead: suite.hpke.aead,
  });
  const node = (algorithm: "hash" | "hmac", key: Uint8Array, ...parts: Uint8Array[]) => {
    const h = algorithm === "hash" ? createHash("sha256") : createHmac("sha256", key);
    for (const part of parts) h.update(part);
    return new Uint8Array(h.digest());
  };
  for (let size = 0; size <= 200; size++) {
    const data = bytes(size);
    assert.deepEqual(await browser.hash.digest(data), node("hash", data, data), `digest of ${size} bytes`);
    for (const keySize of [0, 1, 32, 63, 64, 65, 150]) {
      const key = bytes(keySize);
      assert.deepEqual(await browser.hash.mac(key, data), node("hmac", key, data), `HMAC ${keySize}/${size}`);
    }
    const prk = bytes(32);
    const t1 = node("hmac", prk, data, Uint8Array.of(1));
    for (const length of [1, 16, 31, 32]) {
      assert.deepEqual(await browser.kdf.expand(prk, data, length), t1.subarray(0, length), `expand ${size}/${length}`);
    }
  }
  assert.equal(
    Buffer.from(await browser.hash.digest(new TextEncoder().encode("abc"))).toString("hex"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
});

for (const provider of PROVIDERS) {
  it(`a signing key buffer that was zeroed or reused is not signed with from the ${provider} provider's cache`, async () => {
    const all = await suites(DEFAULT_CIPHERSUITE);
    const { plain } = all;
    const fast = all[provider];
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
}

/** Alice runs raw ts-mls with the plain or the browser provider; she carries a delivery address like any Bote leaf. */
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

for (const [name, other] of BOTE_CIPHERSUITES.flatMap((n) =>
  (["plain", "browser"] as const).map((o) => [n, o] as const),
)) {
  it(`${name}: a device on the ${other} provider and devices on the node one share a group`, async () => {
    const plain = (await suites(name))[other];
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
