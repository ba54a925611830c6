/** The SDK behind session.ts's import(): what opens, joins or links a device, and the helpers loadedSdk.ts hands on. */
export { BoteClient, joinWithInvitation, linkThisDevice } from "@bote/client";
export { reactionsOf, readContent, timerEvent } from "@bote/client";
export { computeSafetyNumber, parseInvitationLink, publicKeyOf, verificationQrPayload } from "@bote/core";
