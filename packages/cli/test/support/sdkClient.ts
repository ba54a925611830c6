/** An SDK client in the test process, with its own SQLite profile, joined through an invitation link. */
import { join as joinPath } from "node:path";
import { joinWithInvitation, type BoteClient } from "@bote/client";
import type { ClientStore } from "@bote/core";
import { nodeTransport } from "../../src/client/nodeTransport.js";
import { SqliteClientStore } from "../../src/profile/SqliteClientStore.js";

export function joinClient(
  dir: string,
  name: string,
  link: string,
  wrapStore: (store: ClientStore) => ClientStore = (store) => store,
  now?: () => number,
  random: () => number = () => 0.1,
): Promise<BoteClient> {
  return joinWithInvitation({
    store: wrapStore(SqliteClientStore.open(joinPath(dir, `${name}.db`))),
    transport: nodeTransport,
    invitationLink: link,
    displayName: name,
    // Reconnects come quickly in tests: the backoff jitter is pinned to a tenth of its ceiling unless asked otherwise.
    random,
    ...(now === undefined ? {} : { now }),
  });
}
