export { buildServer, sweep, type BoteServer, type ServerDeps } from "./buildServer.js";
export { defaultConfig, type ServerConfig } from "./config.js";
export { bootstrapOrganisation, INITIAL_INVITE_FILE, type Bootstrap } from "./bootstrap.js";
export { ServerSecrets } from "./secrets/ServerSecrets.js";
export { AtRestKeys } from "./secrets/AtRestKeys.js";
export { ServerSecretsError, type ServerSecretsProblem } from "./secrets/ServerSecretsError.js";
export { openServerSecrets } from "./secrets/openServerSecrets.js";
export { restrictFileModes, FileModeError } from "./files/restrictFileModes.js";
export { VapidKeys, VapidKeysError, openVapidKeys, VAPID_KEYS_FILE } from "./push/VapidKeys.js";
export { LocalBus, type Bus } from "./relay/Bus.js";
export { NatsBus } from "./relay/NatsBus.js";
export type { ServerStore } from "./store/ServerStore.js";
export type { BlobStore } from "./store/BlobStore.js";
export { openSqliteStore } from "./store/sqlite/SqliteStore.js";
export { openPostgresStore } from "./store/postgres/PostgresStore.js";
export { FileBlobStore } from "./blobs/FileBlobStore.js";
export { PostgresBlobStore } from "./blobs/PostgresBlobStore.js";
export { logSerializers } from "./logging.js";
export {
  copySqliteToPostgres,
  StoreMigrationError,
  type StoreCopyOptions,
  type StoreCopyReport,
} from "./store/migrateStore.js";
