// A faster CiphersuiteImpl for ts-mls 1.6.4, byte-identical to its default.
//
// Profiling `npm run bench:crypto` showed where ts-mls's default provider
// spends a 1:1 message: every Ed25519 signature re-imports the signing key
// from PKCS#8 (~15 % of the main thread), every HKDF step and HMAC imports
// its key into WebCrypto and waits for a thread-pool job, and ~45 % of the
// wall time was the main thread idle, waiting on such promises. Here:
//   - hash, HMAC and HKDF run synchronously (SHA-256 with sha256.ts, SHA-512
//     with @noble/hashes): for inputs of tens of bytes one HMAC is 1–10 µs,
//     the WebCrypto round trip ~100 µs;
//   - Ed25519 stays with WebCrypto (native, ~5× faster than pure JS here),
//     but imported keys are cached: signing keys per key buffer (a WeakMap,
//     so the CryptoKey goes when the state holding the buffer goes; a
//     digest of the bytes detects a buffer that was zeroed or reused),
//     verification keys per public key in a bounded map;
//   - AES-GCM is WebCrypto's, called directly (ts-mls copies every argument
//     into a fresh ArrayBuffer first); HPKE is ts-mls's own (@hpke/core).
// Nothing is skipped: every signature and MAC is computed and checked as
// before, and the interop test runs both providers against each other.
import { hmac } from "@noble/hashes/hmac.js";
import { expand as hkdfExpand } from "@noble/hashes/hkdf.js";
import { sha256 as nobleSha256, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { ED25519_PKCS8_PREFIX } from "@bote/protocol/light";
import type { CiphersuiteImpl, Hash, Kdf, Signature } from "ts-mls";
import { hmacSha256, sha256, SHA256_SIZE } from "./sha256.js";

/** A hash and its HMAC, synchronous; `suffix` (0–255) is one more byte of data. */
interface SyncHash {
  digest(data: Uint8Array): Uint8Array;
  hmac(key: Uint8Array, data: Uint8Array, suffix?: number): Uint8Array;
  size: number;
  /** The same hash in @noble/hashes, for the rare HKDF expansion longer than one block. */
  noble: CHash;
}

// SHA-256 (every suite Bote uses by default) is sha256.ts's, without
// allocation per block; SHA-512 is @noble/hashes'.
const SHA256: SyncHash = { digest: sha256, hmac: hmacSha256, size: SHA256_SIZE, noble: nobleSha256 };
const SHA512: SyncHash = {
  noble: sha512,
  digest: (data) => sha512(data),
  hmac(key, data, suffix = -1) {
    if (suffix < 0) return hmac(sha512, key, data);
    const block = new Uint8Array(data.length + 1);
    block.set(data);
    block[data.length] = suffix;
    return hmac(sha512, key, block);
  },
  size: 64,
};

const SYNC_HASHES: Record<string, SyncHash> = {
  "SHA-256": SHA256,
  "SHA-512": SHA512,
  "HKDF-SHA256": SHA256,
  "HKDF-SHA512": SHA512,
};

function syncHash(name: string): SyncHash {
  const hash = SYNC_HASHES[name];
  if (hash === undefined) throw new Error(`fast ciphersuite: no synchronous ${name}`);
  return hash;
}

/** Compares MACs in time independent of where they differ. */
export function equalConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function makeSyncHash(name: string): Hash {
  const h = syncHash(name);
  return {
    digest: (data) => Promise.resolve(h.digest(data)),
    mac: (key, data) => Promise.resolve(h.hmac(key, data)),
    verifyMac: (key, mac, data) => Promise.resolve(equalConstantTime(h.hmac(key, data), mac)),
  };
}

/** RFC 5869 HKDF, with @hpke/core's checks (which ts-mls's default uses) so that failures match too. */
export function makeSyncKdf(name: string): Kdf {
  const h = syncHash(name);
  const size = h.size;
  return {
    extract(salt, ikm) {
      if (salt.length !== 0 && salt.length !== size) {
        return Promise.reject(new Error("The salt length must be the same as the hashSize"));
      }
      // An empty salt means HashLen zero bytes; HMAC pads both to the same block.
      return Promise.resolve(h.hmac(salt.length === 0 ? new Uint8Array(size) : salt, ikm));
    },
    expand(prk, info, len) {
      try {
        // Nearly every MLS expansion is one block, T(1) = HMAC(PRK, info || 0x01).
        if (len >= 1 && len <= size) {
          const okm = h.hmac(prk, info, 1);
          return Promise.resolve(len === size ? okm : okm.slice(0, len));
        }
        return Promise.resolve(hkdfExpand(h.noble, prk, info, len));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    size,
  };
}

// The core compiles without DOM types; this is the part of WebCrypto used here.
interface Ed25519Key {
  readonly type: string;
}
interface Ed25519Subtle {
  importKey(
    format: "pkcs8" | "raw",
    keyData: Uint8Array,
    algorithm: "Ed25519",
    extractable: false,
    keyUsages: readonly ("sign" | "verify")[],
  ): Promise<Ed25519Key>;
  sign(algorithm: "Ed25519", key: Ed25519Key, data: Uint8Array): Promise<ArrayBuffer>;
  verify(algorithm: "Ed25519", key: Ed25519Key, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}
const subtle = (globalThis as unknown as { crypto: { subtle: Ed25519Subtle } }).crypto.subtle;

// ts-mls's default accepts both the 32-byte seed and the PKCS#8 form WebCrypto exports.

function toPkcs8(signKey: Uint8Array): Uint8Array {
  if (signKey.length !== 32) return new Uint8Array(signKey);
  const out = new Uint8Array(ED25519_PKCS8_PREFIX.length + 32);
  out.set(ED25519_PKCS8_PREFIX);
  out.set(signKey, ED25519_PKCS8_PREFIX.length);
  return out;
}

function zero(bytes: Uint8Array): void {
  bytes.fill(0);
}

/** How many verification keys stay imported: beyond a 500-member group's worth, the oldest go. */
export const VERIFY_KEY_CACHE_SIZE = 2048;

/** How a platform imports and uses Ed25519 keys; its imports are what the cache saves. */
export interface Ed25519Backend<K> {
  importSigningKey(pkcs8: Uint8Array): K | Promise<K>;
  importVerificationKey(publicKey: Uint8Array): K | Promise<K>;
  sign(key: K, message: Uint8Array): Uint8Array | Promise<Uint8Array>;
  verify(key: K, message: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
}

/**
 * Ed25519 with imported keys cached. Signatures are deterministic
 * (RFC 8032), so the output is the default provider's, byte for byte.
 */
export function makeCachedEd25519<K>(base: Signature, backend: Ed25519Backend<K>): Signature {
  // Keyed by the buffer object: a caller holds its signing key in one buffer
  // for the life of a state, and the entry dies with it. The digest (not
  // secret: a hash of the key) tells whether the buffer still holds the key
  // the platform key was imported from.
  const signKeys = new WeakMap<Uint8Array, { digest: Uint8Array; key: K | Promise<K> }>();
  const verifyKeys = new Map<string, K | Promise<K>>();

  function signingKey(signKey: Uint8Array): K | Promise<K> {
    const digest = sha256(signKey);
    const cached = signKeys.get(signKey);
    if (cached !== undefined && equalConstantTime(cached.digest, digest)) return cached.key;
    const pkcs8 = toPkcs8(signKey);
    let key: K | Promise<K>;
    try {
      key = backend.importSigningKey(pkcs8);
    } catch (err) {
      zero(pkcs8);
      throw err;
    }
    if (key instanceof Promise) {
      key = key.finally(() => zero(pkcs8));
      key.catch(() => signKeys.delete(signKey));
    } else {
      zero(pkcs8);
    }
    signKeys.set(signKey, { digest, key });
    return key;
  }

  function verificationKey(publicKey: Uint8Array): K | Promise<K> {
    const id = String.fromCharCode(...publicKey);
    const cached = verifyKeys.get(id);
    if (cached !== undefined) {
      // Most recently used last, so that eviction takes the least recently used.
      verifyKeys.delete(id);
      verifyKeys.set(id, cached);
      return cached;
    }
    const key = backend.importVerificationKey(publicKey);
    if (key instanceof Promise) key.catch(() => verifyKeys.delete(id));
    if (verifyKeys.size >= VERIFY_KEY_CACHE_SIZE) verifyKeys.delete(verifyKeys.keys().next().value!);
    verifyKeys.set(id, key);
    return key;
  }

  return {
    async sign(signKey, message) {
      return backend.sign(await signingKey(signKey), message);
    },
    async verify(publicKey, message, signature) {
      return backend.verify(await verificationKey(publicKey), message, signature);
    },
    keygen: () => base.keygen(),
  };
}

const webCryptoEd25519: Ed25519Backend<Ed25519Key> = {
  importSigningKey: (pkcs8) => subtle.importKey("pkcs8", pkcs8, "Ed25519", false, ["sign"]),
  importVerificationKey: (publicKey) => subtle.importKey("raw", publicKey, "Ed25519", false, ["verify"]),
  sign: async (key, message) => new Uint8Array(await subtle.sign("Ed25519", key, message)),
  verify: (key, message, signature) => subtle.verify("Ed25519", key, signature, message),
};

function aesGcmParams(nonce: Uint8Array, aad: Uint8Array | undefined): AesGcmParams {
  return aad === undefined || aad.length === 0
    ? { name: "AES-GCM", iv: nonce }
    : { name: "AES-GCM", iv: nonce, additionalData: aad };
}

/**
 * AES-GCM on WebCrypto as ts-mls's default does it, a key import per call
 * (every MLS key seals one message), without its copy into a fresh
 * ArrayBuffer of every argument (~5 % of a message in Chromium). A failed
 * open is handed to the default, so that the error is the one it throws.
 */
function makeWebCryptoAead(
  base: CiphersuiteImpl["hpke"],
): Pick<CiphersuiteImpl["hpke"], "encryptAead" | "decryptAead"> {
  return {
    async encryptAead(key, nonce, aad, plaintext) {
      const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["encrypt"]);
      return new Uint8Array(await crypto.subtle.encrypt(aesGcmParams(nonce, aad), cryptoKey, plaintext));
    },
    async decryptAead(key, nonce, aad, ciphertext) {
      let opened: ArrayBuffer;
      try {
        const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
        opened = await crypto.subtle.decrypt(aesGcmParams(nonce, aad), cryptoKey, ciphertext);
      } catch {
        return base.decryptAead(key, nonce, aad, ciphertext);
      }
      return new Uint8Array(opened);
    },
  };
}

/**
 * Wraps a ts-mls CiphersuiteImpl: synchronous hash, HMAC and HKDF, cached
 * Ed25519 keys, and AES-GCM without copies. Suites with another signature
 * scheme or AEAD keep theirs.
 */
export function makeFastCiphersuite(
  base: CiphersuiteImpl,
  algorithms: { hash: string; kdf: string; signature: string; aead?: string },
): CiphersuiteImpl {
  const aesGcm = algorithms.aead === "AES128GCM" || algorithms.aead === "AES256GCM";
  return {
    ...base,
    hash: makeSyncHash(algorithms.hash),
    kdf: makeSyncKdf(algorithms.kdf),
    signature:
      algorithms.signature === "Ed25519" ? makeCachedEd25519(base.signature, webCryptoEd25519) : base.signature,
    hpke: aesGcm ? { ...base.hpke, ...makeWebCryptoAead(base.hpke) } : base.hpke,
  };
}

/** What `#mls/platform` provides on every platform (package.json "imports"). */
export type PlatformCiphersuite = (
  base: CiphersuiteImpl,
  algorithms: { hash: string; kdf: string; signature: string; aead: string },
) => CiphersuiteImpl;

/** The platform's CiphersuiteImpl in browsers: `#mls/platform` resolves here unless on Node. */
export const makePlatformCiphersuite: PlatformCiphersuite = makeFastCiphersuite;
