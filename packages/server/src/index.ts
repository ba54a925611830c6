/**
 * The relay as a library, without its heavy backends: the stores, the NATS bus and ACME are subpath exports
 * (`@bote/server/sqlite`, `/postgres`, `/nats`, `/tls`), so a process loads only the clients it uses.
 */
export { buildServer, sweep, type BoteServer, type ServerDeps } from "./buildServer.js";
export { defaultConfig, type ServerConfig } from "./config.js";
export { bootstrapOrganisation, INITIAL_INVITE_FILE, RECOVERY_INVITE_FILE, type Bootstrap } from "./bootstrap.js";
export { ServerSecrets } from "./secrets/ServerSecrets.js";
export { AtRestKeys } from "./secrets/AtRestKeys.js";
export { ServerSecretsError, type ServerSecretsProblem } from "./secrets/ServerSecretsError.js";
export { openServerSecrets } from "./secrets/openServerSecrets.js";
export { restrictFileModes, FileModeError } from "./files/restrictFileModes.js";
export { checkWritableDirectory } from "./files/checkWritableDirectory.js";
export { StartCheckError, type StartCheckProblem } from "./store/StartCheckError.js";
export { isStoreFault } from "./store/storeFault.js";
export { VapidKeys, VapidKeysError, openVapidKeys, VAPID_KEYS_FILE } from "./push/VapidKeys.js";
export { LocalBus, type Bus } from "./relay/Bus.js";
export { CATCH_UP_SWEEP_MS, CATCH_UP_WHILE_DOWN_MS } from "./ws/CatchUp.js";
export type { ServerStore } from "./store/ServerStore.js";
export type { BlobStore } from "./store/BlobStore.js";
export { FileBlobStore } from "./blobs/FileBlobStore.js";
export { logSerializers } from "./logging.js";
export { Metrics } from "./metrics/Metrics.js";
