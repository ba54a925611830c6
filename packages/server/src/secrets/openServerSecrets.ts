/**
 * The secrets for a store, checked against the key-check values the store
 * keeps: a node whose secrets file is missing, damaged or from another
 * installation refuses to start instead of silently breaking every delivery
 * capability already handed out.
 */
import { timingSafeEqual } from "node:crypto";
import type { ServerStore } from "../store/ServerStore.js";
import { ServerSecrets } from "./ServerSecrets.js";
import { ServerSecretsError } from "./ServerSecretsError.js";

const PREFIX = "key-check:";

export async function openServerSecrets(store: ServerStore, file: string): Promise<ServerSecrets> {
  const known = keyChecks(await store.listServerMeta());
  const secrets = await ServerSecrets.load(file, { create: known.size === 0 && !(await hasAccounts(store)) });
  // Versions the database knows and the file lacks were rotated out; but a file sharing no version is another installation's.
  if (known.size > 0 && !secrets.versions().some((version) => known.has(version))) {
    throw new ServerSecretsError("mismatch", file);
  }
  for (const version of secrets.versions()) {
    await store.putServerMetaIfAbsent(`${PREFIX}${version}`, secrets.keyCheck(version)!);
  }
  // Read back: of two nodes starting at once with different files, the one whose value lost is refused.
  for (const [version, stored] of keyChecks(await store.listServerMeta())) {
    const mine = secrets.keyCheck(version);
    if (mine !== undefined && (stored.length !== mine.length || !timingSafeEqual(stored, mine))) {
      throw new ServerSecretsError("mismatch", file);
    }
  }
  return secrets;
}

/**
 * The start's rule again, for /readyz: false when the store keeps key-check
 * values and none of them is one of these secrets' (the database was
 * swapped or restored from another installation under a running node).
 */
export async function secretsMatchStore(store: ServerStore, secrets: ServerSecrets): Promise<boolean> {
  const known = keyChecks(await store.listServerMeta());
  if (known.size === 0) return true;
  for (const [version, stored] of known) {
    const mine = secrets.keyCheck(version);
    if (mine !== undefined && stored.length === mine.length && timingSafeEqual(stored, mine)) return true;
  }
  return false;
}

function keyChecks(meta: Map<string, Uint8Array>): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (const [key, value] of meta) {
    if (key.startsWith(PREFIX)) out.set(Number(key.slice(PREFIX.length)), value);
  }
  return out;
}

async function hasAccounts(store: ServerStore): Promise<boolean> {
  for (const organisation of await store.listOrganisations()) {
    if ((await store.countAccounts(organisation.id)) > 0) return true;
  }
  return false;
}
