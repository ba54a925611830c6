// The core compiles with `"types": []` and no DOM lib, so it cannot touch
// Node or browser APIs by accident. These are the few WHATWG globals it does
// use, declared by hand because both browsers and Node 20 provide them.

interface TextEncoder {
  encode(input?: string): Uint8Array;
}
declare const TextEncoder: { new (): TextEncoder };

interface TextDecoder {
  decode(input?: Uint8Array): string;
}
declare const TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };

// WebCrypto, only what attachment encryption and the browser's MLS AEAD use:
// AES-GCM with a raw key.
interface CryptoKey {
  readonly type: string;
}
interface AesGcmParams {
  readonly name: "AES-GCM";
  readonly iv: Uint8Array;
  readonly additionalData?: Uint8Array;
}
interface SubtleCrypto {
  importKey(
    format: "raw",
    keyData: Uint8Array,
    algorithm: "AES-GCM",
    extractable: boolean,
    keyUsages: readonly ("encrypt" | "decrypt")[],
  ): Promise<CryptoKey>;
  encrypt(algorithm: AesGcmParams, key: CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
  decrypt(algorithm: AesGcmParams, key: CryptoKey, data: Uint8Array): Promise<ArrayBuffer>;
}
interface Crypto {
  readonly subtle: SubtleCrypto;
  getRandomValues<T extends Uint8Array>(array: T): T;
}
// eslint-disable-next-line no-var -- only a `var` is also a property of globalThis (`globalThis.crypto`).
declare var crypto: Crypto;
