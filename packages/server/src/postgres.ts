/** `@bote/server/postgres`: store and blobs of a cluster, a subpath of its own so a SQLite server never loads pg. */
export { openPostgresStore } from "./store/postgres/PostgresStore.js";
export { PostgresBlobStore } from "./blobs/PostgresBlobStore.js";
