/** An SDK client in the test process, with its own SQLite profile, joined through an invitation link. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { joinWithInvitation, type BoteClient, type GuestOptions } from "@bote/client";
import type { ClientStore } from "@bote/core";
import { nodeTransport } from "../../src/client/nodeTransport.js";
import { SqliteClientStore } from "../../src/profile/SqliteClientStore.js";
import { freePort, startServer, stopServer } from "./processes.js";

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

/** A `bote serve` of its own with Anna, its first admin, and Bernd, a connected member; `clients` are closed by stop(). */
export interface Team {
  readonly root: string;
  readonly dataDir: string;
  readonly anna: BoteClient;
  readonly bernd: BoteClient;
  /** Every client to close at the end; a test adds its customers' here. */
  readonly clients: BoteClient[];
  stop(): Promise<void>;
}

export async function startTeam(prefix: string, now?: () => number): Promise<Team> {
  const root = await mkdtemp(joinPath(tmpdir(), prefix));
  const dataDir = joinPath(root, "server");
  const server = await startServer(dataDir, await freePort());
  const invite = (await readFile(joinPath(dataDir, "initial-admin-invite"), "utf8")).trim();
  const anna = await joinClient(root, "Anna", invite, undefined, now);
  const bernd = await joinClient(root, "Bernd", (await anna.createInvitation("member", "Bernd")).url, undefined, now);
  await bernd.connect();
  const clients = [anna, bernd];
  return {
    root,
    dataDir,
    anna,
    bernd,
    clients,
    async stop() {
      for (const c of clients) await c.close().catch(() => undefined);
      await stopServer(server);
      await rm(root, { recursive: true, force: true });
    },
  };
}
