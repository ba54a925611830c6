/** Tells sockets, on every node, what an accepted statement changed. */
import type { Bytes } from "../store/ServerStore.js";
import type { ServerContext } from "./context.js";
import { deviceKey, organisationBusKey } from "../relay/Bus.js";
import { hex } from "../crypto.js";

export function announceStatements(ctx: ServerContext, orgId: Bytes, seq: number, revokedDevices: Bytes[] = []): void {
  // Revoked devices first: their sockets close before the organisation hears of the change.
  announceRevoked(ctx, revokedDevices);
  ctx.bus.publish(organisationBusKey(hex(orgId)), { kind: "organisationChanged", seq });
}

/** The devices are gone (revoked, or a guest erased): their sockets close with device_revoked on every node. */
export function announceRevoked(ctx: ServerContext, deviceIds: readonly Bytes[]): void {
  for (const deviceId of deviceIds) ctx.bus.publish(deviceKey(hex(deviceId)), { kind: "revoked" });
}
