// Local encodings of what a device keeps about itself: its identity and the
// private halves of its key packages. They never leave the device, so they
// are versioned JSON (bytes as base64url) rather than a wire format.
import { decodeBase64url, encodeBase64url } from "@bote/protocol";
import type { PrivateKeyPackage } from "ts-mls";
import { makeKeyPackageRef } from "ts-mls/keyPackage.js";
import { decodeBoteCredential, encodeBoteCredential } from "./credential.js";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";
import { decodeDeliveryAddress, encodeDeliveryAddress } from "./deliveryAddress.js";
import type { Device, SignatureKeyPair } from "./device.js";
import { decodeKeyPackage, type KeyPackageBundle } from "./keyPackages.js";
import { isBoteCiphersuite, loadCiphersuite, type BoteCiphersuiteName } from "./mls/ciphersuite.js";

const VERSION = 1;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

type Fields = Record<string, unknown>;

function parseJson(bytes: Uint8Array): Fields | undefined {
  try {
    const value: unknown = JSON.parse(utf8Decoder.decode(bytes));
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return (value as Fields).v === VERSION ? (value as Fields) : undefined;
  } catch {
    return undefined;
  }
}

function bytesField(fields: Fields, name: string): Uint8Array | undefined {
  const text = fields[name];
  return typeof text === "string" ? decodeBase64url(text) : undefined;
}

export function encodeDevice(device: Device): Uint8Array {
  return utf8Encoder.encode(
    JSON.stringify({
      v: VERSION,
      ciphersuite: device.ciphersuite,
      signKey: encodeBase64url(device.signatureKeyPair.signKey),
      publicKey: encodeBase64url(device.signatureKeyPair.publicKey),
      credential: encodeBase64url(encodeBoteCredential(device.credential)),
      deliveryAddress: encodeBase64url(encodeDeliveryAddress(device.deliveryAddress)),
    }),
  );
}

export function decodeDevice(bytes: Uint8Array): DecodeResult<Device> {
  const fields = parseJson(bytes);
  if (fields === undefined) return decodeFailure("invalid_field", "device");
  const ciphersuite = fields.ciphersuite;
  if (typeof ciphersuite !== "string" || !isBoteCiphersuite(ciphersuite)) {
    return decodeFailure("invalid_field", "device.ciphersuite");
  }
  const signKey = bytesField(fields, "signKey");
  const publicKey = bytesField(fields, "publicKey");
  if (signKey === undefined || publicKey === undefined) return decodeFailure("invalid_field", "device.keys");
  const credentialBytes = bytesField(fields, "credential");
  const addressBytes = bytesField(fields, "deliveryAddress");
  if (credentialBytes === undefined || addressBytes === undefined) return decodeFailure("invalid_field", "device");
  const credential = decodeBoteCredential(credentialBytes);
  if (!credential.ok) return credential;
  const deliveryAddress = decodeDeliveryAddress(addressBytes);
  if (!deliveryAddress.ok) return deliveryAddress;
  return decodeSuccess({
    ciphersuite,
    signatureKeyPair: { signKey, publicKey },
    credential: credential.value,
    deliveryAddress: deliveryAddress.value,
  });
}

export function encodeKeyPackageBundle(bundle: KeyPackageBundle): Uint8Array {
  return utf8Encoder.encode(
    JSON.stringify({
      v: VERSION,
      keyPackage: encodeBase64url(bundle.keyPackage),
      initPrivateKey: encodeBase64url(bundle.privateKeys.initPrivateKey),
      hpkePrivateKey: encodeBase64url(bundle.privateKeys.hpkePrivateKey),
      signaturePrivateKey: encodeBase64url(bundle.privateKeys.signaturePrivateKey),
    }),
  );
}

export function decodeKeyPackageBundle(bytes: Uint8Array): DecodeResult<KeyPackageBundle> {
  const fields = parseJson(bytes);
  if (fields === undefined) return decodeFailure("invalid_field", "keyPackageBundle");
  const keyPackage = bytesField(fields, "keyPackage");
  const initPrivateKey = bytesField(fields, "initPrivateKey");
  const hpkePrivateKey = bytesField(fields, "hpkePrivateKey");
  const signaturePrivateKey = bytesField(fields, "signaturePrivateKey");
  if (
    keyPackage === undefined ||
    initPrivateKey === undefined ||
    hpkePrivateKey === undefined ||
    signaturePrivateKey === undefined
  ) {
    return decodeFailure("invalid_field", "keyPackageBundle");
  }
  const privateKeys: PrivateKeyPackage = { initPrivateKey, hpkePrivateKey, signaturePrivateKey };
  return decodeSuccess({ keyPackage, privateKeys });
}

/** The MLS KeyPackageRef (RFC 9420 §5.2): how a Welcome names the key package it was encrypted to. */
export async function computeKeyPackageRef(
  keyPackageBytes: Uint8Array,
  ciphersuite: BoteCiphersuiteName,
): Promise<Uint8Array> {
  const decoded = decodeKeyPackage(keyPackageBytes, ciphersuite);
  if (!decoded.ok) throw new RangeError(`not a key package: ${decoded.error.field}`);
  const cs = await loadCiphersuite(ciphersuite);
  return makeKeyPackageRef(decoded.value, cs.hash);
}

/** A fresh device signature key pair, made before the device has an account (login and every MLS leaf use it). */
export async function generateSignatureKeyPair(ciphersuite: BoteCiphersuiteName): Promise<SignatureKeyPair> {
  const cs = await loadCiphersuite(ciphersuite);
  return cs.signature.keygen();
}

/** Signs with the device key (Ed25519 in every Bote suite), e.g. the server's login challenge. */
export async function signWithDevice(device: Pick<Device, "ciphersuite" | "signatureKeyPair">, message: Uint8Array) {
  const cs = await loadCiphersuite(device.ciphersuite);
  return cs.signature.sign(device.signatureKeyPair.signKey, message);
}
