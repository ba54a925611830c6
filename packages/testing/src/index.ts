export {
  createTestDatabase,
  postgresSkipReason,
  privateClusterSkipReason,
  startPrivateCluster,
  type PrivateCluster,
  type TestDatabase,
} from "./postgres.js";
export { natsServerSkipReason, natsSkipReason, natsUrl, startNatsServer, type NatsServer } from "./nats.js";
export { describeClientStoreContract, type ClientStoreFixture } from "./clientStoreContract.js";
export { freePort } from "./freePort.js";
export { cameraJpeg, cameraPng, decodeJpeg, CAMERA_MARKERS, ICC_MARKER } from "./cameraPhoto.js";
export { oggOpusVoice } from "./oggOpus.js";
export { pebbleSkipReason, startPebble, type Pebble, type PebbleOptions } from "./pebble.js";
export { FakeClock, seededRandom, settle, testSeed, type TimerHandle } from "./fakeClock.js";
export {
  MemoryRelay,
  RelaySide,
  type MemorySocket,
  type MemorySocketHandlers,
  type ReceivedFrame,
  type StoredSend,
} from "./memoryRelay.js";
export { mountTmpfs, tmpfsSkipReason, type Tmpfs } from "./tmpfs.js";
