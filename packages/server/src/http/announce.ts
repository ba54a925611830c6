/** Tells sockets, on every node, what an accepted statement changed. */
import type { Bytes } from "../store/ServerStore.js";
import type { ServerContext } from "./context.js";
import { deviceKey, organisationBusKey } from "../relay/Bus.js";
import { hex } from "../crypto.js";

export function announceStatements(ctx: ServerContext, orgId: Bytes, seq: number, revokedDevices: Bytes[] = []): void {
  // Revoked devices first: their sockets close before the organisation hears of the change.
  for (const deviceId of revokedDevices) ctx.bus.publish(deviceKey(hex(deviceId)), { kind: "revoked" });
  ctx.bus.publish(organisationBusKey(hex(orgId)), { kind: "organisationChanged", seq });
}
