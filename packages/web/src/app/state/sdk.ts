/** The SDK behind session.ts's import(): what opens, joins or links a device, and the content codec (contentCodec.ts). */
export { BoteClient, joinWithInvitation, linkThisDevice } from "@bote/client";
export { reactionsOf, readContent, timerEvent } from "@bote/client";
