// The CiphersuiteImpl on Node: node:crypto (OpenSSL) called synchronously,
// byte-identical to ts-mls's default and to the browser's provider.
//
// Only reachable through the "node" condition of core's `#mls/platform`
// import (package.json), so the web bundle never sees node:crypto. Even
// with fastCiphersuite.ts's cached keys, a 1:1 message waited on seven
// WebCrypto jobs (AES-GCM and Ed25519) on libuv's thread pool, each a
// promise, a copy and a thread hop that cost more than the primitive;
// OpenSSL called directly does the same work on the main thread.
//   - AES-GCM with createCipheriv / createDecipheriv: a raw key costs no
//     import, so there is nothing to cache;
//   - Ed25519 with crypto.sign / crypto.verify on KeyObjects cached like
//     the browser's CryptoKeys (makeCachedEd25519);
//   - SHA-2, HMAC and HKDF with createHash / createHmac.
// HPKE (commits and Welcomes) stays ts-mls's own (@hpke/core). A failed
// decryption is handed to ts-mls's default so that the error is the one it throws.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
  type KeyObject,
} from "node:crypto";
import { ED25519_SPKI_PREFIX } from "@bote/protocol/light";
import type { Hash, Kdf } from "ts-mls";
import {
  equalConstantTime,
  makeCachedEd25519,
  makeFastCiphersuite,
  makeSyncKdf,
  type Ed25519Backend,
  type PlatformCiphersuite,
} from "./fastCiphersuite.js";

const NODE_HASHES: Record<string, { name: string; size: number }> = {
  "SHA-256": { name: "sha256", size: 32 },
  "SHA-512": { name: "sha512", size: 64 },
  "HKDF-SHA256": { name: "sha256", size: 32 },
  "HKDF-SHA512": { name: "sha512", size: 64 },
};

function nodeHash(name: string): { name: string; size: number } {
  const hash = NODE_HASHES[name];
  if (hash === undefined) throw new Error(`node ciphersuite: no ${name}`);
  return hash;
}

/** A plain Uint8Array over a Buffer's bytes: ts-mls and callers compare and copy Uint8Arrays, not Buffers. */
function bytes(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function hmac(algorithm: string, key: Uint8Array, data: Uint8Array): Uint8Array {
  return bytes(createHmac(algorithm, key).update(data).digest());
}

function makeNodeHash(name: string): Hash {
  const { name: algorithm } = nodeHash(name);
  return {
    digest: (data) => Promise.resolve(bytes(createHash(algorithm).update(data).digest())),
    mac: (key, data) => Promise.resolve(hmac(algorithm, key, data)),
    verifyMac: (key, mac, data) => Promise.resolve(equalConstantTime(hmac(algorithm, key, data), mac)),
  };
}

/** RFC 5869 with createHmac. */
function nodeHkdf(name: string) {
  const { name: algorithm, size } = nodeHash(name);
  return {
    size,
    extract: (salt: Uint8Array, ikm: Uint8Array) =>
      hmac(algorithm, salt.length === 0 ? new Uint8Array(size) : salt, ikm),
    expand: (prk: Uint8Array, info: Uint8Array, length: number): Uint8Array => {
      const out = new Uint8Array(length);
      let block: Uint8Array = new Uint8Array(0);
      for (let offset = 0, counter = 1; offset < length; offset += size, counter++) {
        block = bytes(createHmac(algorithm, prk).update(block).update(info).update(Uint8Array.of(counter)).digest());
        out.set(block.subarray(0, Math.min(size, length - offset)), offset);
      }
      return out;
    },
  };
}

/** ts-mls's Kdf on nodeHkdf; bad salt sizes and lengths get the portable KDF's errors, so they match @hpke/core's. */
function makeNodeKdf(name: string): Kdf {
  const hkdf = nodeHkdf(name);
  const portable = makeSyncKdf(name);
  return {
    extract(salt, ikm) {
      if (salt.length !== 0 && salt.length !== hkdf.size) return portable.extract(salt, ikm);
      return Promise.resolve(hkdf.extract(salt, ikm));
    },
    expand(prk, info, length) {
      if (length > 255 * hkdf.size) return portable.expand(prk, info, length);
      return Promise.resolve(hkdf.expand(prk, info, length));
    },
    size: hkdf.size,
  };
}

const TAG_BYTES = 16;

function gcm(key: Uint8Array): "aes-128-gcm" | "aes-256-gcm" {
  if (key.length === 16) return "aes-128-gcm";
  if (key.length === 32) return "aes-256-gcm";
  throw new Error(`node ciphersuite: no AES-GCM with a ${key.length}-byte key`);
}

function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, plaintext: Uint8Array): Uint8Array {
  const cipher = createCipheriv(gcm(key), key, nonce);
  if (aad !== undefined && aad.length > 0) cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  const out = new Uint8Array(body.length + tail.length + TAG_BYTES);
  out.set(body);
  out.set(tail, body.length);
  out.set(cipher.getAuthTag(), body.length + tail.length);
  return out;
}

/** The plaintext, or undefined when the tag does not check (the caller reports that as ts-mls would). */
function open(
  key: Uint8Array,
  nonce: Uint8Array,
  aad: Uint8Array | undefined,
  sealed: Uint8Array,
): Uint8Array | undefined {
  if (sealed.length < TAG_BYTES) return undefined;
  const decipher = createDecipheriv(gcm(key), key, nonce);
  if (aad !== undefined && aad.length > 0) decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  const body = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
  try {
    const tail = decipher.final();
    if (tail.length === 0) return bytes(body);
    const out = new Uint8Array(body.length + tail.length);
    out.set(body);
    out.set(tail, body.length);
    return out;
  } catch {
    body.fill(0);
    return undefined;
  }
}

const nodeEd25519: Ed25519Backend<KeyObject> = {
  importSigningKey: (pkcs8) => createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }),
  importVerificationKey(publicKey) {
    const spki = new Uint8Array(ED25519_SPKI_PREFIX.length + publicKey.length);
    spki.set(ED25519_SPKI_PREFIX);
    spki.set(publicKey, ED25519_SPKI_PREFIX.length);
    return createPublicKey({ key: spki, format: "der", type: "spki" });
  },
  sign: (key, message) => bytes(sign(null, message, key)),
  verify: (key, message, signature) => verify(null, message, key, signature),
};

/** The platform's CiphersuiteImpl on Node: see the top of this file. */
export const makePlatformCiphersuite: PlatformCiphersuite = (base, algorithms) => {
  // Suites this file does not know (another AEAD) keep the portable provider whole.
  if (algorithms.aead !== "AES128GCM" && algorithms.aead !== "AES256GCM") return makeFastCiphersuite(base, algorithms);
  return {
    ...base,
    hash: makeNodeHash(algorithms.hash),
    kdf: makeNodeKdf(algorithms.kdf),
    signature: algorithms.signature === "Ed25519" ? makeCachedEd25519(base.signature, nodeEd25519) : base.signature,
    hpke: {
      ...base.hpke,
      encryptAead: (key, nonce, aad, plaintext) => Promise.resolve(seal(key, nonce, aad, plaintext)),
      decryptAead(key, nonce, aad, ciphertext) {
        const opened = open(key, nonce, aad, ciphertext);
        return opened === undefined ? base.hpke.decryptAead(key, nonce, aad, ciphertext) : Promise.resolve(opened);
      },
    },
  };
};
