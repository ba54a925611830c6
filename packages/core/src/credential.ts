import { ID_BYTES, MAX_DISPLAY_NAME_CHARS } from "@bote/protocol";
import type { Credential, CredentialBasic } from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";

/**
 * Who a leaf belongs to. Travels as the identity of an MLS basic credential,
 * so every member sees it for every other member in the ratchet tree.
 */
export interface BoteCredential {
  /** 16 random bytes, the account's id on its server. */
  readonly accountId: Uint8Array;
  /** The device's signature public key; must equal the leaf's signature key. */
  readonly devicePublicKey: Uint8Array;
  readonly displayName: string;
}

const VERSION = 1;
// ML-DSA-87 keys (2592 bytes) must fit if an organisation ever moves to them.
const MAX_DEVICE_KEY_BYTES = 4096;
const utf8Encoder = new TextEncoder();
// fatal: a lossy decode would let two byte strings show the same name.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** Same rules as the server's API schema, so a name valid there is valid here. */
function isCanonicalDisplayName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= MAX_DISPLAY_NAME_CHARS &&
    name === name.normalize("NFC").trim() &&
    !/\p{Cc}/u.test(name)
  );
}

export function encodeBoteCredential(credential: BoteCredential): Uint8Array {
  const { accountId, devicePublicKey, displayName } = credential;
  if (accountId.length !== ID_BYTES) throw new RangeError(`accountId must be ${ID_BYTES} bytes`);
  if (devicePublicKey.length === 0 || devicePublicKey.length > MAX_DEVICE_KEY_BYTES) {
    throw new RangeError("devicePublicKey has an impossible length");
  }
  if (!isCanonicalDisplayName(displayName)) throw new RangeError("displayName is not canonical");
  const name = utf8Encoder.encode(displayName);
  const out = new Uint8Array(1 + ID_BYTES + 2 + devicePublicKey.length + 2 + name.length);
  const view = new DataView(out.buffer);
  let at = 0;
  out[at++] = VERSION;
  out.set(accountId, at);
  at += ID_BYTES;
  view.setUint16(at, devicePublicKey.length);
  at += 2;
  out.set(devicePublicKey, at);
  at += devicePublicKey.length;
  view.setUint16(at, name.length);
  at += 2;
  out.set(name, at);
  return out;
}

export function decodeBoteCredential(bytes: Uint8Array): DecodeResult<BoteCredential> {
  if (bytes.length === 0) return decodeFailure("empty", "credential");
  if (bytes[0] !== VERSION) return decodeFailure("unknown_version", "credential.version");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 1;
  if (bytes.length < at + ID_BYTES + 2) return decodeFailure("wrong_length", "credential.accountId");
  const accountId = bytes.slice(at, at + ID_BYTES);
  at += ID_BYTES;
  const keyLength = view.getUint16(at);
  at += 2;
  if (keyLength === 0 || keyLength > MAX_DEVICE_KEY_BYTES) {
    return decodeFailure("invalid_field", "credential.devicePublicKey");
  }
  if (bytes.length < at + keyLength + 2) return decodeFailure("wrong_length", "credential.devicePublicKey");
  const devicePublicKey = bytes.slice(at, at + keyLength);
  at += keyLength;
  const nameLength = view.getUint16(at);
  at += 2;
  if (bytes.length < at + nameLength) return decodeFailure("wrong_length", "credential.displayName");
  if (bytes.length > at + nameLength) return decodeFailure("trailing_bytes", "credential");
  let displayName: string;
  try {
    displayName = utf8Decoder.decode(bytes.subarray(at, at + nameLength));
  } catch {
    return decodeFailure("invalid_text", "credential.displayName");
  }
  if (!isCanonicalDisplayName(displayName)) return decodeFailure("invalid_field", "credential.displayName");
  return decodeSuccess({ accountId, devicePublicKey, displayName });
}

export function makeMlsCredential(credential: BoteCredential): CredentialBasic {
  return { credentialType: "basic", identity: encodeBoteCredential(credential) };
}

/** Reads our credential out of an MLS one; anything but a well-formed basic credential is refused. */
export function readMlsCredential(credential: Credential): DecodeResult<BoteCredential> {
  if (credential.credentialType !== "basic") return decodeFailure("invalid_field", "credential.type");
  return decodeBoteCredential(credential.identity);
}
