export {
  createTestDatabase,
  postgresSkipReason,
  privateClusterSkipReason,
  startPrivateCluster,
  type PrivateCluster,
  type TestDatabase,
} from "./postgres.js";
export { natsSkipReason, natsUrl } from "./nats.js";
export { describeClientStoreContract, type ClientStoreFixture } from "./clientStoreContract.js";
export { freePort } from "./freePort.js";
export { cameraJpeg, cameraPng, decodeJpeg, CAMERA_MARKERS, ICC_MARKER } from "./cameraPhoto.js";
export { oggOpusVoice } from "./oggOpus.js";
export { pebbleSkipReason, startPebble, type Pebble, type PebbleOptions } from "./pebble.js";
export { mountTmpfs, tmpfsSkipReason, type Tmpfs } from "./tmpfs.js";
