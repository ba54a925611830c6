import { ID_BYTES, MAX_DISPLAY_NAME_CHARS } from "@bote/protocol";
import type { Credential, CredentialBasic } from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";
import { decodeEndorsement, encodeEndorsement, type Endorsement } from "./identity/endorsementCodec.js";

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
  /**
   * The organisation's (or an invitation key's) signature over the three
   * fields above; absent until the device is endorsed, and for people
   * outside the organisation. Check it with verifyEndorsement.
   */
  readonly endorsement?: Endorsement | undefined;
}

/** What an endorsement signs: the credential without its endorsement. */
export type CredentialFields = Pick<BoteCredential, "accountId" | "devicePublicKey" | "displayName">;

// 2 added the endorsement; nothing was persisted with 1, so it is not read.
const VERSION = 2;
// ML-DSA-87 keys (2592 bytes) must fit if an organisation ever moves to them.
const MAX_DEVICE_KEY_BYTES = 4096;
// Each UTF-16 code unit of a name is at most 3 UTF-8 bytes.
const MAX_DISPLAY_NAME_BYTES = MAX_DISPLAY_NAME_CHARS * 3;
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

/**
 * accountId ‖ uint16 key length ‖ device key ‖ uint16 name length ‖ UTF-8 name:
 * the body of a credential and the message an endorsement signs.
 */
export function encodeCredentialFields(fields: CredentialFields): Uint8Array {
  const { accountId, devicePublicKey, displayName } = fields;
  if (accountId.length !== ID_BYTES) throw new RangeError(`accountId must be ${ID_BYTES} bytes`);
  if (devicePublicKey.length === 0 || devicePublicKey.length > MAX_DEVICE_KEY_BYTES) {
    throw new RangeError("devicePublicKey has an impossible length");
  }
  if (!isCanonicalDisplayName(displayName)) throw new RangeError("displayName is not canonical");
  const name = utf8Encoder.encode(displayName);
  const out = new Uint8Array(ID_BYTES + 2 + devicePublicKey.length + 2 + name.length);
  const view = new DataView(out.buffer);
  let at = 0;
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

/** version 2 ‖ fields ‖ endorsement (tag byte 0 none, 1 organisation, 2 invitation). */
export function encodeBoteCredential(credential: BoteCredential): Uint8Array {
  const fields = encodeCredentialFields(credential);
  const endorsement = encodeEndorsement(credential.endorsement);
  const out = new Uint8Array(1 + fields.length + endorsement.length);
  out[0] = VERSION;
  out.set(fields, 1);
  out.set(endorsement, 1 + fields.length);
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
  if (nameLength > MAX_DISPLAY_NAME_BYTES) return decodeFailure("invalid_field", "credential.displayName");
  // The endorsement's tag byte must follow the name.
  if (bytes.length < at + nameLength + 1) return decodeFailure("wrong_length", "credential.displayName");
  let displayName: string;
  try {
    displayName = utf8Decoder.decode(bytes.subarray(at, at + nameLength));
  } catch {
    return decodeFailure("invalid_text", "credential.displayName");
  }
  if (!isCanonicalDisplayName(displayName)) return decodeFailure("invalid_field", "credential.displayName");
  at += nameLength;
  const endorsement = decodeEndorsement(bytes.subarray(at), "credential.endorsement");
  if (!endorsement.ok) return endorsement;
  const credential: BoteCredential = { accountId, devicePublicKey, displayName };
  // Left out rather than set to undefined, so an unendorsed credential round-trips to an equal object.
  return decodeSuccess(
    endorsement.value === undefined ? credential : { ...credential, endorsement: endorsement.value },
  );
}

export function makeMlsCredential(credential: BoteCredential): CredentialBasic {
  return { credentialType: "basic", identity: encodeBoteCredential(credential) };
}

/** Reads our credential out of an MLS one; anything but a well-formed basic credential is refused. */
export function readMlsCredential(credential: Credential): DecodeResult<BoteCredential> {
  if (credential.credentialType !== "basic") return decodeFailure("invalid_field", "credential.type");
  return decodeBoteCredential(credential.identity);
}
