// The organisation key's recovery kit: what an admin keeps so that losing
// every admin device does not lose the organisation. Two forms, both made
// on the device that holds the key and never sent anywhere by Bote:
// - a file, the key sealed with AES-256-GCM under a key derived from a
//   passphrase with scrypt (RFC 7914);
// - a printable code, the key itself in Crockford base32 with a checksum,
//   to be kept like the key to the office safe.
import { decodeBase64url, encodeBase64url, equalBytes } from "@bote/protocol";
import { scryptAsync } from "@noble/hashes/scrypt.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { ED25519_SIGN_KEY_BYTES, publicKeyOf } from "./organisationKey.js";

/** The file's content: JSON, safe to store anywhere the passphrase is not. */
export interface RecoveryKit {
  readonly "bote-recovery-kit": 1;
  /** The organisation key it holds (public half), so the right kit can be told from another. */
  readonly organisationKey: string;
  readonly kdf: {
    readonly name: "scrypt";
    readonly N: number;
    readonly r: number;
    readonly p: number;
    readonly salt: string;
  };
  readonly nonce: string;
  readonly ciphertext: string;
}

// 2^16 × 128 × 8 bytes = 64 MiB and about a second on a phone: costly to guess, bearable once.
const DEFAULT_COST = 2 ** 16;
const MIN_PASSPHRASE_CHARS = 12;
const encoder = new TextEncoder();

async function deriveKey(passphrase: string, kdf: RecoveryKit["kdf"]): Promise<Uint8Array> {
  const salt = decodeBase64url(kdf.salt);
  if (salt === undefined) throw new RangeError("recovery kit is damaged");
  return scryptAsync(encoder.encode(passphrase.normalize("NFC")), salt, { N: kdf.N, r: kdf.r, p: kdf.p, dkLen: 32 });
}

function header(kit: Pick<RecoveryKit, "organisationKey" | "kdf">): Uint8Array {
  return encoder.encode(`bote-recovery-kit-v1\0${kit.organisationKey}\0${JSON.stringify(kit.kdf)}`);
}

async function aesKey(raw: Uint8Array, usage: "encrypt" | "decrypt") {
  return globalThis.crypto.subtle.importKey("raw", raw, "AES-GCM", false, [usage]);
}

/** Seals the organisation key's seed under a passphrase of at least 12 characters. */
export async function createRecoveryKit(
  organisationSignKey: Uint8Array,
  passphrase: string,
  options: { readonly cost?: number } = {},
): Promise<RecoveryKit> {
  const publicKey = publicKeyOf(organisationSignKey);
  if (publicKey === undefined) throw new RangeError("not an organisation key");
  if (passphrase.normalize("NFC").length < MIN_PASSPHRASE_CHARS) {
    throw new RangeError(`the passphrase needs at least ${MIN_PASSPHRASE_CHARS} characters`);
  }
  const kdf = {
    name: "scrypt" as const,
    N: options.cost ?? DEFAULT_COST,
    r: 8,
    p: 1,
    salt: encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(16))),
  };
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(12));
  const partial = { organisationKey: encodeBase64url(publicKey), kdf };
  const key = await aesKey(await deriveKey(passphrase, kdf), "encrypt");
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: header(partial) },
    key,
    organisationSignKey,
  );
  return {
    "bote-recovery-kit": 1,
    ...partial,
    nonce: encodeBase64url(nonce),
    ciphertext: encodeBase64url(new Uint8Array(sealed)),
  };
}

/**
 * The organisation key's seed from a kit and its passphrase; undefined for a
 * wrong passphrase or a kit that was altered. Throws RangeError for
 * something that is no recovery kit at all.
 */
export async function openRecoveryKit(kit: unknown, passphrase: string): Promise<Uint8Array | undefined> {
  const k = kit as Partial<RecoveryKit> | null;
  if (
    typeof k !== "object" ||
    k === null ||
    k["bote-recovery-kit"] !== 1 ||
    typeof k.organisationKey !== "string" ||
    k.kdf?.name !== "scrypt" ||
    ![k.kdf.N, k.kdf.r, k.kdf.p].every((n) => Number.isSafeInteger(n) && n > 0) ||
    k.kdf.N > 2 ** 20 ||
    typeof k.nonce !== "string" ||
    typeof k.ciphertext !== "string"
  ) {
    throw new RangeError("not a Bote recovery kit");
  }
  const nonce = decodeBase64url(k.nonce);
  const ciphertext = decodeBase64url(k.ciphertext);
  const publicKey = decodeBase64url(k.organisationKey);
  if (nonce?.length !== 12 || ciphertext === undefined || publicKey === undefined) {
    throw new RangeError("not a Bote recovery kit");
  }
  const key = await aesKey(await deriveKey(passphrase, k.kdf), "decrypt");
  let seed: Uint8Array;
  try {
    seed = new Uint8Array(
      await globalThis.crypto.subtle.decrypt(
        { name: "AES-GCM", iv: nonce, additionalData: header({ organisationKey: k.organisationKey, kdf: k.kdf }) },
        key,
        ciphertext,
      ),
    );
  } catch {
    return undefined;
  }
  const derived = publicKeyOf(seed);
  return derived !== undefined && equalBytes(derived, publicKey) ? seed : undefined;
}

// Crockford's base32: no I, L, O, U, so a code read aloud or typed is hard to get wrong.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** The seed and two checksum bytes in groups of four, e.g. "7T2K-…". */
export function formatRecoveryCode(organisationSignKey: Uint8Array): string {
  if (organisationSignKey.length !== ED25519_SIGN_KEY_BYTES) throw new RangeError("not an organisation key");
  const bytes = new Uint8Array([...organisationSignKey, ...sha256(organisationSignKey).subarray(0, 2)]);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)!.join("-"); // a 55-character string always has groups
}

/** The seed from a printed code, forgiving case, spaces, dashes and I/L/O; undefined if the checksum fails. */
export function parseRecoveryCode(code: string): Uint8Array | undefined {
  const clean = code.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  if (clean.length !== 55) return undefined;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of clean) {
    const digit = ALPHABET.indexOf(char);
    if (digit === -1) return undefined;
    value = (value << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >> (bits - 8)) & 255);
      bits -= 8;
      value &= (1 << bits) - 1;
    }
  }
  if (bytes.length !== 34) return undefined;
  const seed = new Uint8Array(bytes.slice(0, 32));
  const check = sha256(seed);
  return check[0] === bytes[32] && check[1] === bytes[33] ? seed : undefined;
}
