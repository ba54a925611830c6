// HPKE (RFC 9180, base mode) for DHKEM(X25519, HKDF-SHA256), HKDF-SHA256
// and AES-128-GCM on node:crypto, called synchronously. Adding members
// seals one HPKE message per new member and per path node; through
// @hpke/core each seal is an X25519 key generation, a DH and ~10 HMACs,
// every one a WebCrypto job on libuv's thread pool (profile of `addMembers`
// with 100 key packages). Keys are the raw bytes plus their KeyObject; the
// output is the same bytes as @hpke/core's (interop test).
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { CiphersuiteImpl, PrivateKey, PublicKey } from "ts-mls";
import { CryptoError } from "ts-mls/mlsError.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { pkcs8Prefix, spkiPrefix, X25519 } from "./fastCiphersuite.js";

/** Everything of ts-mls's Hpke but the bare AEAD, which nodeCiphersuite.ts provides for every suite. */
type Hpke = Omit<CiphersuiteImpl["hpke"], "encryptAead" | "decryptAead">;

/** What nodeHpke needs of the suite's other primitives (nodeCiphersuite.ts). */
export interface HpkePrimitives {
  extract: (salt: Uint8Array, ikm: Uint8Array) => Uint8Array;
  expand: (prk: Uint8Array, info: Uint8Array, length: number) => Uint8Array;
  seal: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, plaintext: Uint8Array) => Uint8Array;
  open: (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, sealed: Uint8Array) => Uint8Array | undefined;
}

// Raw bytes are copied with `new Uint8Array(...)`: node:crypto hands out
// Buffers, whose slice() is a view, not a copy.
interface X25519Key {
  readonly type: "public" | "private";
  readonly raw: Uint8Array;
  readonly key: KeyObject;
}

const PKCS8_PREFIX = pkcs8Prefix(X25519);
const SPKI_PREFIX = spkiPrefix(X25519);

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const u16 = (n: number) => Uint8Array.of(n >>> 8, n & 0xff);

function privateKey(raw: Uint8Array): X25519Key {
  if (raw.length !== 32) throw new CryptoError("X25519 private key must be 32 bytes");
  const der = concatBytes(PKCS8_PREFIX, raw);
  try {
    return {
      type: "private",
      raw: new Uint8Array(raw),
      key: createPrivateKey({ key: der, format: "der", type: "pkcs8" }),
    };
  } finally {
    der.fill(0);
  }
}

function publicKey(raw: Uint8Array): X25519Key {
  if (raw.length !== 32) throw new CryptoError("X25519 public key must be 32 bytes");
  const key = createPublicKey({ key: concatBytes(SPKI_PREFIX, raw), format: "der", type: "spki" });
  return { type: "public", raw: new Uint8Array(raw), key };
}

function publicOf(key: KeyObject): X25519Key {
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  return publicKey(spki.subarray(SPKI_PREFIX.length));
}

function pair(sk: X25519Key): { privateKey: PrivateKey; publicKey: PublicKey } {
  return { privateKey: sk as unknown as PrivateKey, publicKey: publicOf(sk.key) as unknown as PublicKey };
}

function asKey(key: PublicKey | PrivateKey, type: "public" | "private"): X25519Key {
  const k = key as unknown as X25519Key;
  if (k.type !== type || !(k.raw instanceof Uint8Array))
    throw new CryptoError(`not an X25519 ${type} key of this provider`);
  return k;
}

function dh(sk: KeyObject, pk: KeyObject): Uint8Array {
  try {
    return diffieHellman({ privateKey: sk, publicKey: pk });
  } catch (err) {
    throw new CryptoError(`X25519: ${String(err)}`);
  }
}

/** HPKE for MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 on `primitives` (which must be HKDF-SHA256 and AES-128-GCM). */
export function makeNodeHpkeX25519(primitives: HpkePrimitives): Hpke {
  const { extract, expand } = primitives;
  const version = ascii("HPKE-v1");
  const kemSuite = concatBytes(ascii("KEM"), u16(0x0020));
  const hpkeSuite = concatBytes(ascii("HPKE"), u16(0x0020), u16(0x0001), u16(0x0001));
  const empty = new Uint8Array(0);
  const labeledExtract = (suite: Uint8Array, salt: Uint8Array, label: string, ikm: Uint8Array) =>
    extract(salt, concatBytes(version, suite, ascii(label), ikm));
  const labeledExpand = (suite: Uint8Array, prk: Uint8Array, label: string, info: Uint8Array, length: number) =>
    expand(prk, concatBytes(u16(length), version, suite, ascii(label), info), length);

  function sharedSecret(dhResult: Uint8Array, enc: Uint8Array, pkR: Uint8Array): Uint8Array {
    const prk = labeledExtract(kemSuite, empty, "eae_prk", dhResult);
    dhResult.fill(0);
    return labeledExpand(kemSuite, prk, "shared_secret", concatBytes(enc, pkR), 32);
  }

  function keySchedule(shared: Uint8Array, info: Uint8Array) {
    const context = concatBytes(
      Uint8Array.of(0),
      labeledExtract(hpkeSuite, empty, "psk_id_hash", empty),
      labeledExtract(hpkeSuite, empty, "info_hash", info),
    );
    const secret = labeledExtract(hpkeSuite, shared, "secret", empty);
    shared.fill(0);
    return {
      key: labeledExpand(hpkeSuite, secret, "key", context, 16),
      nonce: labeledExpand(hpkeSuite, secret, "base_nonce", context, 12),
      exporter: labeledExpand(hpkeSuite, secret, "exp", context, 32),
    };
  }

  function encap(pkR: X25519Key): { enc: Uint8Array; shared: Uint8Array } {
    const ephemeral = generateKeyPairSync("x25519");
    const enc = publicOf(ephemeral.privateKey).raw;
    return { enc, shared: sharedSecret(dh(ephemeral.privateKey, pkR.key), enc, pkR.raw) };
  }

  function decap(skR: X25519Key, enc: Uint8Array): Uint8Array {
    return sharedSecret(dh(skR.key, publicKey(enc).key), enc, publicOf(skR.key).raw);
  }

  const exportFrom = (exporter: Uint8Array, context: Uint8Array, length: number) =>
    labeledExpand(hpkeSuite, exporter, "sec", context, length);

  return {
    seal(pk, plaintext, info, aad) {
      const { enc, shared } = encap(asKey(pk, "public"));
      const { key, nonce } = keySchedule(shared, info);
      return Promise.resolve({ ct: primitives.seal(key, nonce, aad, plaintext), enc });
    },
    open(sk, enc, ciphertext, info, aad) {
      try {
        const { key, nonce } = keySchedule(decap(asKey(sk, "private"), enc), info);
        const opened = primitives.open(key, nonce, aad, ciphertext);
        if (opened === undefined) throw new CryptoError("OpenError: failed to open");
        return Promise.resolve(opened);
      } catch (err) {
        return Promise.reject(err instanceof CryptoError ? err : new CryptoError(String(err)));
      }
    },
    exportSecret(pk, exporterContext, length, info) {
      const { enc, shared } = encap(asKey(pk, "public"));
      return Promise.resolve({ enc, secret: exportFrom(keySchedule(shared, info).exporter, exporterContext, length) });
    },
    importSecret(sk, exporterContext, enc, length, info) {
      try {
        const { exporter } = keySchedule(decap(asKey(sk, "private"), enc), info);
        return Promise.resolve(exportFrom(exporter, exporterContext, length));
      } catch (err) {
        return Promise.reject(err instanceof CryptoError ? err : new CryptoError(String(err)));
      }
    },
    importPrivateKey: (raw) => attempt(() => privateKey(raw) as unknown as PrivateKey),
    importPublicKey: (raw) => attempt(() => publicKey(raw) as unknown as PublicKey),
    exportPublicKey: (pk) => attempt(() => asKey(pk, "public").raw.slice()),
    exportPrivateKey: (sk) => attempt(() => asKey(sk, "private").raw.slice()),
    deriveKeyPair(ikm) {
      const prk = labeledExtract(kemSuite, empty, "dkp_prk", ikm);
      const sk = labeledExpand(kemSuite, prk, "sk", empty, 32);
      prk.fill(0);
      return attempt(() => pair(privateKey(sk))).finally(() => sk.fill(0));
    },
    generateKeyPair() {
      const generated = generateKeyPairSync("x25519");
      const raw = generated.privateKey.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_PREFIX.length);
      return attempt(() => pair(privateKey(raw))).finally(() => raw.fill(0));
    },
    keyLength: 16,
    nonceLength: 12,
  };
}

function attempt<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err instanceof CryptoError ? err : new CryptoError(String(err)));
  }
}
