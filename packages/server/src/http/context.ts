import type { Logger } from "pino";
import type { ServerConfig } from "../config.js";
import type { ServerStore } from "../store/ServerStore.js";
import type { BlobStore } from "../store/BlobStore.js";
import type { ServerSecrets } from "../secrets/ServerSecrets.js";
import type { Relay } from "../relay/Relay.js";
import type { Bus } from "../relay/Bus.js";
import type { KeyPackageLimits } from "./KeyPackageLimits.js";
import type { AtRestKeys } from "../secrets/AtRestKeys.js";

/** What every route handler may use; built once in buildServer. */
export interface ServerContext {
  config: ServerConfig;
  store: ServerStore;
  blobs: BlobStore;
  secrets: ServerSecrets;
  relay: Relay;
  /** Opens stored entries (GET /v1/entries). */
  atRest: AtRestKeys;
  /** The VAPID public key, base64url: PushManager's applicationServerKey. */
  vapidPublicKey: string;
  bus: Bus;
  log: Logger;
  now: () => number;
  keyPackageLimits: KeyPackageLimits;
  /** Called after an invitation was redeemed, with the SHA-256 of its token. */
  onInvitationRedeemed: (tokenHash: Uint8Array) => void;
}
