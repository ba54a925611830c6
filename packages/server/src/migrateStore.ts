/** `@bote/server/migrate-store`: SQLite to PostgreSQL, for `bote migrate-store`; it loads both drivers. */
export {
  copySqliteToPostgres,
  StoreMigrationError,
  type StoreCopyOptions,
  type StoreCopyReport,
} from "./store/migrateStore.js";
