/** The SDK behind session.ts's import(): what opens, joins or links a device. */
export { BoteClient, joinWithInvitation, linkThisDevice } from "@bote/client";
