import type { Extension } from "ts-mls";
import { decodeFailure, decodeSuccess, type DecodeResult } from "./decodeResult.js";

/**
 * Group-context extension type of a conversation's name, private-use like
 * the delivery address. It lives in the group context (not in a message) so
 * that every member, including one who joins later, reads the same name from
 * the Welcome without any history.
 */
export const GROUP_NAME_EXTENSION_TYPE = 0xf0b1;

const VERSION = 1;
/** Bytes of UTF-8, enough for any reasonable chat title while keeping group contexts small. */
export const MAX_GROUP_NAME_BYTES = 256;

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Names are what users see: no control characters (they could hide or reorder text in a UI). */
function isDisplayable(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.trim().length > 0 && !/[\u0000-\u001f\u007f]/.test(name);
}

export function encodeGroupName(name: string): Uint8Array {
  // Checked here too, so a device can never publish a name the others refuse.
  if (!isDisplayable(name)) throw new RangeError("group name must be non-empty and without control characters");
  const utf8 = new TextEncoder().encode(name);
  if (utf8.length > MAX_GROUP_NAME_BYTES)
    throw new RangeError(`group name must be at most ${MAX_GROUP_NAME_BYTES} bytes`);
  const out = new Uint8Array(1 + utf8.length);
  out[0] = VERSION;
  out.set(utf8, 1);
  return out;
}

export function decodeGroupName(bytes: Uint8Array): DecodeResult<string> {
  if (bytes.length === 0) return decodeFailure("empty", "groupName");
  if (bytes[0] !== VERSION) return decodeFailure("unknown_version", "groupName.version");
  if (bytes.length > 1 + MAX_GROUP_NAME_BYTES) return decodeFailure("wrong_length", "groupName");
  let name: string;
  try {
    name = strictUtf8.decode(bytes.subarray(1));
  } catch {
    return decodeFailure("invalid_text", "groupName");
  }
  if (!isDisplayable(name)) return decodeFailure("invalid_text", "groupName");
  return decodeSuccess(name);
}

export function makeGroupNameExtension(name: string): Extension {
  return { extensionType: GROUP_NAME_EXTENSION_TYPE, extensionData: encodeGroupName(name) };
}

/** The name among group-context extensions; `undefined` if the group has none yet. */
export function readGroupNameExtension(extensions: readonly Extension[]): DecodeResult<string | undefined> {
  const found = extensions.filter((e) => e.extensionType === GROUP_NAME_EXTENSION_TYPE);
  if (found.length === 0) return decodeSuccess(undefined);
  if (found.length > 1) return decodeFailure("invalid_field", "groupContext.groupName");
  return decodeGroupName(found[0]!.extensionData);
}
