// Answers a repeated derivation from memory. processIncoming decrypts a
// message's sender data itself (ts-mls 1.6.4 does not say who sent a
// message), and then ts-mls does the same again: two HKDF expansions and an
// AES-GCM decryption per received message, which the profile of a 1:1
// message in Chromium put at ~6 % of its time. Only deterministic functions
// are remembered, and a call is answered from memory only when every input
// is the same, byte for byte, so the result is the one computing would give.
import type { CiphersuiteImpl } from "ts-mls";

interface Remembered {
  readonly inputs: readonly Uint8Array[];
  readonly output: Uint8Array;
}

function sameInputs(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.every((bytes, i) => {
    const other = b[i]!;
    if (bytes.length !== other.length) return false;
    for (let j = 0; j < bytes.length; j++) if (bytes[j] !== other[j]) return false;
    return true;
  });
}

export interface ReplayCiphersuite {
  /** The suite whose HKDF expansions and AEAD decryptions are remembered. */
  readonly recording: CiphersuiteImpl;
  /** The suite that answers those calls from memory when the inputs are the same. */
  readonly replaying: CiphersuiteImpl;
  /** Zeroes what was remembered (derived keys and decrypted sender data). */
  forget(): void;
}

export function makeReplayCiphersuite(cs: CiphersuiteImpl): ReplayCiphersuite {
  const remembered: Remembered[] = [];
  const length = (n: number) => Uint8Array.of(n >>> 24, n >>> 16, n >>> 8, n);
  const absent = new Uint8Array(0);

  async function remember(inputs: Uint8Array[], compute: Promise<Uint8Array>): Promise<Uint8Array> {
    const output = await compute;
    remembered.push({ inputs: inputs.map((bytes) => bytes.slice()), output: output.slice() });
    return output;
  }

  function recall(inputs: Uint8Array[], compute: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const found = remembered.find((r) => sameInputs(r.inputs, inputs));
    // A copy: ts-mls may zero what it is given once it has used it.
    return found === undefined ? compute() : Promise.resolve(found.output.slice());
  }

  const expandInputs = (prk: Uint8Array, info: Uint8Array, len: number) => [prk, info, length(len)];
  // An absent AAD and an empty one seal alike (RFC 5116), so both are remembered as empty.
  const aeadInputs = (key: Uint8Array, nonce: Uint8Array, aad: Uint8Array | undefined, ciphertext: Uint8Array) => [
    key,
    nonce,
    aad ?? absent,
    ciphertext,
  ];

  return {
    recording: {
      ...cs,
      kdf: {
        ...cs.kdf,
        expand: (prk, info, len) => remember(expandInputs(prk, info, len), cs.kdf.expand(prk, info, len)),
      },
      hpke: {
        ...cs.hpke,
        decryptAead: (key, nonce, aad, ciphertext) =>
          remember(aeadInputs(key, nonce, aad, ciphertext), cs.hpke.decryptAead(key, nonce, aad, ciphertext)),
      },
    },
    replaying: {
      ...cs,
      kdf: {
        ...cs.kdf,
        expand: (prk, info, len) => recall(expandInputs(prk, info, len), () => cs.kdf.expand(prk, info, len)),
      },
      hpke: {
        ...cs.hpke,
        decryptAead: (key, nonce, aad, ciphertext) =>
          recall(aeadInputs(key, nonce, aad, ciphertext), () => cs.hpke.decryptAead(key, nonce, aad, ciphertext)),
      },
    },
    forget() {
      for (const r of remembered.splice(0)) {
        r.output.fill(0);
        for (const bytes of r.inputs) bytes.fill(0);
      }
    },
  };
}
