// What a screen may import before a device is open: nothing here reaches
// MLS. The package index imports every module, so a bundler splitting the
// web app would keep the whole SDK in the first chunk of anything importing it.
// Content decoding (readContent) is not here: it needs protobuf-es.
export { ClientError } from "./clientError.js";
export { bytesFrom } from "./ServerApi.js";
export { DISAPPEARING_CHOICES } from "./disappearingChoices.js";
export { formatSize } from "./formatSize.js";
export { contactPointUrl } from "./contactPointUrl.js";
export { checkInvitation } from "./invitationCheck.js";
