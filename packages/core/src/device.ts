import type { BoteCredential } from "./credential.js";
import type { DeliveryAddress } from "./deliveryAddress.js";
import { DEFAULT_CIPHERSUITE, loadCiphersuite, type BoteCiphersuiteName } from "./mls/ciphersuite.js";

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
  readonly accountId: Uint8Array;
  readonly displayName: string;
  readonly deliveryAddress: DeliveryAddress;
  readonly ciphersuite?: BoteCiphersuiteName;
  /** The key the device registered with the server (it needs one before it has an account id). */
  readonly signatureKeyPair?: SignatureKeyPair;
}

export async function createDevice(input: NewDeviceInput): Promise<Device> {
  const ciphersuite = input.ciphersuite ?? DEFAULT_CIPHERSUITE;
  const signatureKeyPair = input.signatureKeyPair ?? (await (await loadCiphersuite(ciphersuite)).signature.keygen());
  return {
    ciphersuite,
    signatureKeyPair,
    credential: {
      accountId: input.accountId,
      devicePublicKey: signatureKeyPair.publicKey,
      displayName: input.displayName,
    },
    deliveryAddress: input.deliveryAddress,
  };
}

/** A spammed device moves to a new mailbox; key packages generated afterwards carry the new address. */
export function moveDeviceToMailbox(device: Device, deliveryAddress: DeliveryAddress): Device {
  return { ...device, deliveryAddress };
}
