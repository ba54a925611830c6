// What a screen may import before a device is open: nothing here reaches
// ts-mls. The package index imports every module, so a bundler splitting
// the web app would keep MLS in the first chunk of anything importing it.
export { POST_QUANTUM_CIPHERSUITE, type BoteCiphersuiteName } from "./mls/ciphersuiteNames.js";
export { ClientStoreError } from "./store/ClientStoreError.js";
export { validateStoreChanges } from "./store/validateStoreChanges.js";
export { lastResortsOldestFirst } from "./store/MemoryClientStore.js";
export { MEDIA_SIGNATURE_BYTES, sniffImageType } from "./media/mediaSignature.js";
export { auditCsv, auditJson } from "./identity/auditExport.js";
export { jpegHasMetadata } from "./media/photoMetadata.js";
export { invitationTimeIsOver, readInvitationLink } from "./identity/invitationLinkRead.js";
