export { createTestDatabase, postgresSkipReason, type TestDatabase } from "./postgres.js";
export { natsSkipReason, natsUrl } from "./nats.js";
export { describeClientStoreContract, type ClientStoreFixture } from "./clientStoreContract.js";
export { freePort } from "./freePort.js";
export { pebbleSkipReason, startPebble, type Pebble, type PebbleOptions } from "./pebble.js";
