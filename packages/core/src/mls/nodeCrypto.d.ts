// The core compiles without Node's types so that it cannot use Node by
// accident; nodeCiphersuite.ts, reached only through the "node" condition of
// `#mls/platform`, needs this much of node:crypto. Buffers are typed as the
// Uint8Arrays they are. (ESLint forbids node:* everywhere else in the core.)
declare module "node:crypto" {
  interface KeyObject {
    readonly type: "secret" | "public" | "private";
  }
  interface Cipher {
    setAAD(aad: Uint8Array): this;
    update(data: Uint8Array): Uint8Array;
    final(): Uint8Array;
    getAuthTag(): Uint8Array;
  }
  interface Decipher {
    setAAD(aad: Uint8Array): this;
    setAuthTag(tag: Uint8Array): this;
    update(data: Uint8Array): Uint8Array;
    final(): Uint8Array;
  }
  interface Digest {
    update(data: Uint8Array): this;
    digest(): Uint8Array;
  }
  function createCipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array): Cipher;
  function createDecipheriv(algorithm: string, key: Uint8Array, iv: Uint8Array): Decipher;
  function createHash(algorithm: string): Digest;
  function createHmac(algorithm: string, key: Uint8Array): Digest;
  function createPrivateKey(key: { key: Uint8Array; format: "der"; type: "pkcs8" }): KeyObject;
  function createPublicKey(key: { key: Uint8Array; format: "der"; type: "spki" }): KeyObject;
  function sign(algorithm: null, data: Uint8Array, key: KeyObject): Uint8Array;
  function verify(algorithm: null, data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean;
}
