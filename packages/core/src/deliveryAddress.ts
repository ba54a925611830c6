import { CAPABILITY_BYTES, ID_BYTES } from "@bote/protocol";
import type { Extension, RatchetTree } from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeFailure, type DecodeResult } from "./decodeResult.js";

/**
 * MLS extension type of Bote's delivery address, from the private-use range
 * 0xF000–0xFFFF (RFC 9420 §17.3) so it cannot clash with registered ones.
 */
export const DELIVERY_ADDRESS_EXTENSION_TYPE = 0xf0b0;

/** Where a device receives envelopes: its mailbox and the server-issued capability to write to it. */
export interface DeliveryAddress {
  /** 16 random bytes. */
  readonly mailboxId: Uint8Array;
  /** One key-version byte and a 32-byte HMAC, opaque to clients. */
  readonly capability: Uint8Array;
}

const VERSION = 1;
const ENCODED_BYTES = 1 + ID_BYTES + CAPABILITY_BYTES;

export function encodeDeliveryAddress(address: DeliveryAddress): Uint8Array {
  // Checked here too, so a device can never publish an address nobody can decode.
  if (address.mailboxId.length !== ID_BYTES) throw new RangeError(`mailboxId must be ${ID_BYTES} bytes`);
  if (address.capability.length !== CAPABILITY_BYTES) {
    throw new RangeError(`capability must be ${CAPABILITY_BYTES} bytes`);
  }
  const out = new Uint8Array(ENCODED_BYTES);
  out[0] = VERSION;
  out.set(address.mailboxId, 1);
  out.set(address.capability, 1 + ID_BYTES);
  return out;
}

export function decodeDeliveryAddress(bytes: Uint8Array): DecodeResult<DeliveryAddress> {
  if (bytes.length === 0) return decodeFailure("empty", "deliveryAddress");
  if (bytes[0] !== VERSION) return decodeFailure("unknown_version", "deliveryAddress.version");
  if (bytes.length !== ENCODED_BYTES) return decodeFailure("wrong_length", "deliveryAddress");
  // Copies, so the result does not alias a buffer that ts-mls may reuse or zero.
  return decodeSuccess({
    mailboxId: bytes.slice(1, 1 + ID_BYTES),
    capability: bytes.slice(1 + ID_BYTES),
  });
}

export function makeDeliveryAddressExtension(address: DeliveryAddress): Extension {
  return { extensionType: DELIVERY_ADDRESS_EXTENSION_TYPE, extensionData: encodeDeliveryAddress(address) };
}

/** Finds and decodes the delivery address among a leaf node's extensions. */
export function readDeliveryAddressExtension(extensions: readonly Extension[]): DecodeResult<DeliveryAddress> {
  const found = extensions.filter((e) => e.extensionType === DELIVERY_ADDRESS_EXTENSION_TYPE);
  if (found.length === 0) return decodeFailure("empty", "leafNode.deliveryAddress");
  // Two addresses in one leaf would let a sender choose which one others use.
  if (found.length > 1) return decodeFailure("invalid_field", "leafNode.deliveryAddress");
  return decodeDeliveryAddress(found[0]!.extensionData);
}

export interface MemberAddress {
  readonly leafIndex: number;
  readonly signaturePublicKey: Uint8Array;
  readonly address: DeliveryAddress;
}

export interface UnreachableMember {
  readonly leafIndex: number;
  readonly signaturePublicKey: Uint8Array;
  readonly error: DecodeFailure;
}

export interface AddressBook {
  readonly reachable: MemberAddress[];
  /** Members whose leaf carries no valid address: they cannot be sent to, and the UI should say so. */
  readonly unreachable: UnreachableMember[];
}

/**
 * Reads every member's delivery address from a ratchet tree: the ratchet
 * tree is the address book, so no lookup at the server is needed.
 */
export function readAddressBook(tree: RatchetTree): AddressBook {
  const reachable: MemberAddress[] = [];
  const unreachable: UnreachableMember[] = [];
  // Leaves sit at the even node indices of the array-represented tree.
  for (let nodeIndex = 0; nodeIndex < tree.length; nodeIndex += 2) {
    const node = tree[nodeIndex];
    if (node === undefined || node.nodeType !== "leaf") continue;
    const leafIndex = nodeIndex / 2;
    const signaturePublicKey = node.leaf.signaturePublicKey;
    const result = readDeliveryAddressExtension(node.leaf.extensions);
    if (result.ok) reachable.push({ leafIndex, signaturePublicKey, address: result.value });
    else unreachable.push({ leafIndex, signaturePublicKey, error: result.error });
  }
  return { reachable, unreachable };
}
