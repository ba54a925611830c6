/**
 * Reading a message's content, from the SDK once session.ts has loaded it.
 * The decoder needs protobuf-es, which a first screen should not wait for;
 * there are no records to read before a device is open, which loads the SDK.
 */
import type * as Sdk from "./sdk.js";

type Codec = Pick<typeof Sdk, "readContent" | "timerEvent" | "reactionsOf">;
let codec: Codec | undefined;

/** Called by session.ts with the loaded SDK. */
export function provideContentCodec(sdk: Codec): void {
  codec = sdk;
}

function loaded(): Codec {
  if (codec === undefined) throw new Error("the SDK is not loaded: no record can be read yet");
  return codec;
}

export const readContent: Codec["readContent"] = (record) => loaded().readContent(record);
export const timerEvent: Codec["timerEvent"] = (record) => loaded().timerEvent(record);
export const reactionsOf: Codec["reactionsOf"] = (records) => loaded().reactionsOf(records);
