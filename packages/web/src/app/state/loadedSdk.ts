/**
 * The SDK's pure helpers, from the module session.ts has loaded: content
 * decoding needs protobuf-es, key and safety-number maths noble, and a first
 * screen should wait for neither. All of them work on a device's records or
 * keys, and there are none before a device opens, which loads the SDK.
 */
import type * as Sdk from "./sdk.js";

type Helpers = Pick<
  typeof Sdk,
  "readContent" | "timerEvent" | "reactionsOf" | "publicKeyOf" | "computeSafetyNumber" | "verificationQrPayload"
>;
let helpers: Helpers | undefined;

/** Called by session.ts with the loaded SDK. */
export function provideSdk(sdk: Helpers): void {
  helpers = sdk;
}

function loaded(): Helpers {
  if (helpers === undefined) throw new Error("the SDK is not loaded: there is no device to read for yet");
  return helpers;
}

export const readContent: Helpers["readContent"] = (record) => loaded().readContent(record);
export const timerEvent: Helpers["timerEvent"] = (record) => loaded().timerEvent(record);
export const reactionsOf: Helpers["reactionsOf"] = (records) => loaded().reactionsOf(records);
export const publicKeyOf: Helpers["publicKeyOf"] = (signKey) => loaded().publicKeyOf(signKey);
export const computeSafetyNumber: Helpers["computeSafetyNumber"] = (own, other) =>
  loaded().computeSafetyNumber(own, other);
export const verificationQrPayload: Helpers["verificationQrPayload"] = (own, other) =>
  loaded().verificationQrPayload(own, other);
