import { equalBytes, type AccountCertificate, type DeviceCertificate } from "@bote/protocol";
import { credentialFromCertificates, type BoteCredential } from "./credential.js";
import type { DeliveryAddress } from "./deliveryAddress.js";
import { DEFAULT_CIPHERSUITE, type BoteCiphersuiteName } from "./mls/ciphersuite.js";

export interface SignatureKeyPair {
  readonly signKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * One device of an account: one signature key, used for login and for every
 * MLS leaf it occupies, and the mailbox it currently receives at.
 */
export interface Device {
  readonly ciphersuite: BoteCiphersuiteName;
  readonly signatureKeyPair: SignatureKeyPair;
  readonly credential: BoteCredential;
  readonly deliveryAddress: DeliveryAddress;
}

export interface NewDeviceInput {
  /** The key the device registered with the server, and that its device certificate names. */
  readonly signatureKeyPair: SignatureKeyPair;
  readonly accountCertificate: AccountCertificate;
  readonly deviceCertificate: DeviceCertificate;
  readonly deliveryAddress: DeliveryAddress;
  readonly ciphersuite?: BoteCiphersuiteName;
}

export function createDevice(input: NewDeviceInput): Device {
  const credential = credentialFromCertificates(input.accountCertificate, input.deviceCertificate);
  if (!equalBytes(credential.devicePublicKey, input.signatureKeyPair.publicKey)) {
    throw new RangeError("the device certificate names another device key");
  }
  return {
    ciphersuite: input.ciphersuite ?? DEFAULT_CIPHERSUITE,
    signatureKeyPair: input.signatureKeyPair,
    credential,
    deliveryAddress: input.deliveryAddress,
  };
}

/** A device's certificates change (a direct account certificate replaced the provisional one). */
export function recertifyDevice(device: Device, accountCertificate: AccountCertificate): Device {
  return { ...device, credential: credentialFromCertificates(accountCertificate, device.credential.deviceCertificate) };
}

/** A spammed device moves to a new mailbox; key packages generated afterwards carry the new address. */
export function moveDeviceToMailbox(device: Device, deliveryAddress: DeliveryAddress): Device {
  return { ...device, deliveryAddress };
}
