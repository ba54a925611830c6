/** An SDK client in the test process, with its own SQLite profile, joined through an invitation link. */
import { join as joinPath } from "node:path";
import { joinWithInvitation, type BoteClient, type GuestOptions } from "@bote/client";
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

/** A customer's device for sendInquiry/openInquiry: each return link's store a SQLite file in `dir`. */
export function guestOptions(dir: string): GuestOptions {
  return {
    transport: nodeTransport,
    openStore: (name) => Promise.resolve(SqliteClientStore.open(joinPath(dir, `${name}.db`))),
    removeStore: (name) => SqliteClientStore.remove(joinPath(dir, `${name}.db`)),
    random: () => 0.1,
  };
}

/** Syncs until `check` holds: messages travel through the relay, so a test waits for them. */
export async function eventually<T>(
  client: BoteClient,
  read: () => Promise<T>,
  check: (value: T) => boolean,
): Promise<T> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await client.sync();
    const value = await read();
    if (check(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("timed out waiting");
}
