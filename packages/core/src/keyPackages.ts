import {
  decodeMlsMessage,
  defaultCapabilities,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  type Capabilities,
  type KeyPackage,
  type PrivateKeyPackage,
} from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";
import { DELIVERY_ADDRESS_EXTENSION_TYPE, makeDeliveryAddressExtension } from "./deliveryAddress.js";
import { GROUP_NAME_EXTENSION_TYPE } from "./groupName.js";
import { makeMlsCredential } from "./credential.js";
import type { Device } from "./device.js";
import { loadCiphersuite, type BoteCiphersuiteName } from "./mls/ciphersuite.js";

/** A key package as uploaded (wire bytes), and the private keys its device keeps until a Welcome uses it. */
export interface KeyPackageBundle {
  readonly keyPackage: Uint8Array;
  readonly privateKeys: PrivateKeyPackage;
}

const HOUR_SECONDS = 3600n;
// ts-mls refuses lifetimes longer than a month (defaultLifetimeConfig); an hour
// of slack before "now" tolerates clocks that run slightly behind.
const KEY_PACKAGE_LIFETIME_SECONDS = 27n * 24n * HOUR_SECONDS;

/**
 * What every Bote leaf declares: it understands the delivery-address
 * extension (RFC 9420 requires a leaf's extensions to be listed in its
 * capabilities), the group-name extension (a group context extension every
 * member must support) and only basic credentials.
 */
export function makeBoteCapabilities(ciphersuite: BoteCiphersuiteName): Capabilities {
  const base = defaultCapabilities();
  return {
    ...base,
    ciphersuites: [ciphersuite],
    extensions: [...base.extensions, DELIVERY_ADDRESS_EXTENSION_TYPE, GROUP_NAME_EXTENSION_TYPE],
    credentials: ["basic"],
  };
}

export async function generateKeyPackageBundle(device: Device, now: Date = new Date()): Promise<KeyPackageBundle> {
  const cs = await loadCiphersuite(device.ciphersuite);
  const nowSeconds = BigInt(Math.floor(now.getTime() / 1000));
  const { publicPackage, privatePackage } = await generateKeyPackageWithKey(
    makeMlsCredential(device.credential),
    makeBoteCapabilities(device.ciphersuite),
    { notBefore: nowSeconds - HOUR_SECONDS, notAfter: nowSeconds + KEY_PACKAGE_LIFETIME_SECONDS },
    [],
    // Reusing the device key ties every leaf to the key the device logs in with.
    { signKey: device.signatureKeyPair.signKey, publicKey: device.signatureKeyPair.publicKey },
    cs,
    [makeDeliveryAddressExtension(device.deliveryAddress)],
  );
  return { keyPackage: encodeKeyPackage(publicPackage), privateKeys: privatePackage };
}

export function encodeKeyPackage(keyPackage: KeyPackage): Uint8Array {
  return encodeMlsMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage });
}

/** Strict: exactly one MLS key package of the expected suite, no trailing bytes. */
export function decodeKeyPackage(bytes: Uint8Array, ciphersuite: BoteCiphersuiteName): DecodeResult<KeyPackage> {
  if (bytes.length === 0) return decodeFailure("empty", "keyPackage");
  let decoded: ReturnType<typeof decodeMlsMessage>;
  try {
    decoded = decodeMlsMessage(bytes, 0);
  } catch {
    return decodeFailure("invalid_field", "keyPackage");
  }
  if (decoded === undefined) return decodeFailure("invalid_field", "keyPackage");
  const [message, length] = decoded;
  if (length !== bytes.length) return decodeFailure("trailing_bytes", "keyPackage");
  if (message.wireformat !== "mls_key_package") return decodeFailure("invalid_field", "keyPackage.wireformat");
  if (message.keyPackage.cipherSuite !== ciphersuite) {
    return decodeFailure("invalid_field", "keyPackage.cipherSuite");
  }
  return decodeSuccess(message.keyPackage);
}
