/** `@bote/server/nats`: the bus between the nodes of a cluster, loaded only when `--nats` is given. */
export { NatsBus } from "./relay/NatsBus.js";
