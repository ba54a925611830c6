/** `@bote/server/sqlite`: the single-node store, a subpath of its own so a PostgreSQL node never loads better-sqlite3. */
export { openSqliteStore } from "./store/sqlite/SqliteStore.js";
