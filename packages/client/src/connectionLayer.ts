/**
 * The connection and the outbox and incoming steps on top of it, for the
 * package's own in-process tests (packages/client/test, against
 * @bote/testing's MemoryRelay). Not the SDK's API: apps use BoteClient.
 */
export { RelayConnection, type RelayConnectionOptions, type Timers } from "./RelayConnection.js";
export { deliverOutboxEntry, encodeSend, flushOutbox, sendInTurn } from "./outgoing.js";
export { processEntries } from "./incoming.js";
export { Serial } from "./serial.js";
export { Emitter } from "./events.js";
export type { ClientContext } from "./context.js";
