import {
  decodeAccountCertificate,
  decodeDeviceCertificate,
  encodeAccountCertificate,
  encodeDeviceCertificate,
  equalBytes,
  MAX_CERTIFICATE_BYTES,
  type AccountCertificate,
  type DeviceCertificate,
  type Role,
} from "@bote/protocol";
import type { Credential, CredentialBasic } from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";

/**
 * Who a leaf belongs to: the chain organisation → account → device, carried
 * as the identity of an MLS basic credential so every member can check it
 * for every other member from the ratchet tree alone. Whether the chain
 * holds (signatures, current organisation key, revocations, one key per
 * account) is the trust policy's question (OrganisationView); decoding only
 * checks that the two certificates talk about the same account.
 */
export interface BoteCredential {
  /** 16 random bytes, the account's id on its server; from the account certificate. */
  readonly accountId: Uint8Array;
  /** The device's signature key; must equal the leaf's signature key. */
  readonly devicePublicKey: Uint8Array;
  /** As the account certificate in the leaf says; a client shows its directory's newer name when it has one. */
  readonly displayName: string;
  readonly role: Role;
  readonly accountKey: Uint8Array;
  readonly accountCertificate: AccountCertificate;
  readonly deviceCertificate: DeviceCertificate;
}

// 3: the certificate chain (1 and 2 carried endorsements by the organisation or an invitation key).
const VERSION = 3;

export function credentialFromCertificates(
  accountCertificate: AccountCertificate,
  deviceCertificate: DeviceCertificate,
): BoteCredential {
  return {
    accountId: accountCertificate.accountId,
    devicePublicKey: deviceCertificate.deviceKey,
    displayName: accountCertificate.displayName,
    role: accountCertificate.role,
    accountKey: accountCertificate.accountKey,
    accountCertificate,
    deviceCertificate,
  };
}

function put16(out: Uint8Array, at: number, bytes: Uint8Array): number {
  out[at] = bytes.length >> 8;
  out[at + 1] = bytes.length & 0xff;
  out.set(bytes, at + 2);
  return at + 2 + bytes.length;
}

/** 3 ‖ uint16 length ‖ account certificate ‖ uint16 length ‖ device certificate. */
export function encodeBoteCredential(credential: BoteCredential): Uint8Array {
  const account = encodeAccountCertificate(credential.accountCertificate);
  const device = encodeDeviceCertificate(credential.deviceCertificate);
  const out = new Uint8Array(1 + 2 + account.length + 2 + device.length);
  out[0] = VERSION;
  put16(out, put16(out, 1, account), device);
  return out;
}

export function decodeBoteCredential(bytes: Uint8Array): DecodeResult<BoteCredential> {
  if (bytes.length === 0) return decodeFailure("empty", "credential");
  if (bytes[0] !== VERSION) return decodeFailure("unknown_version", "credential.version");
  let at = 1;
  const take = (): Uint8Array | undefined => {
    if (bytes.length < at + 2) return undefined;
    const size = (bytes[at]! << 8) | bytes[at + 1]!;
    if (size === 0 || size > MAX_CERTIFICATE_BYTES || bytes.length < at + 2 + size) return undefined;
    const out = bytes.slice(at + 2, at + 2 + size);
    at += 2 + size;
    return out;
  };
  const accountBytes = take();
  if (accountBytes === undefined) return decodeFailure("wrong_length", "credential.accountCertificate");
  const deviceBytes = take();
  if (deviceBytes === undefined) return decodeFailure("wrong_length", "credential.deviceCertificate");
  if (at !== bytes.length) return decodeFailure("trailing_bytes", "credential");
  const account = decodeAccountCertificate(accountBytes);
  if (!account.ok) return decodeFailure("invalid_field", `credential.${account.field}`);
  const device = decodeDeviceCertificate(deviceBytes);
  if (!device.ok) return decodeFailure("invalid_field", `credential.${device.field}`);
  if (
    !equalBytes(device.value.accountId, account.value.accountId) ||
    !equalBytes(device.value.accountKey, account.value.accountKey)
  ) {
    return decodeFailure("invalid_field", "credential.deviceCertificate.account");
  }
  return decodeSuccess(credentialFromCertificates(account.value, device.value));
}

export function makeMlsCredential(credential: BoteCredential): CredentialBasic {
  return { credentialType: "basic", identity: encodeBoteCredential(credential) };
}

// Every received message reads its sender's credential from the ratchet
// tree, whose leaves ts-mls never changes in place (a new state holds new
// objects): a leaf's identity bytes decode the same every time.
const decodedIdentities = new WeakMap<Uint8Array, DecodeResult<BoteCredential>>();

/** Reads our credential out of an MLS one; anything but a well-formed basic credential is refused. */
export function readMlsCredential(credential: Credential): DecodeResult<BoteCredential> {
  if (credential.credentialType !== "basic") return decodeFailure("invalid_field", "credential.type");
  const known = decodedIdentities.get(credential.identity);
  if (known !== undefined) return known;
  const decoded = decodeBoteCredential(credential.identity);
  decodedIdentities.set(credential.identity, decoded);
  return decoded;
}
