/**
 * First start: create the organisation and a one-time admin invitation,
 * printed and written to DATA/initial-admin-invite (like Jenkins' initial
 * admin password). The file is deleted once the invitation is redeemed.
 *
 * The invitation names no account: the first admin's device makes the
 * organisation key and certifies its own account with it (see the redeem
 * route); every later invitation is certified by an admin device.
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { encodeBase64url } from "@bote/protocol";
import type { Organisation, ServerStore } from "./store/ServerStore.js";
import { hex, randomId, sha256 } from "./crypto.js";
import { invitationUrl } from "./http/routes/invitations.js";

export const INITIAL_INVITE_FILE = "initial-admin-invite";
export const RECOVERY_INVITE_FILE = "recovery-invite";
const INITIAL_INVITE_TTL_MS = 30 * 24 * 3_600_000;
const RECOVERY_INVITE_TTL_MS = 24 * 3_600_000;

export interface Bootstrap {
  organisation: Organisation;
  /** The admin invitation URL while nobody has redeemed it, else undefined. */
  adminInvitationUrl: string | undefined;
  /** With recoveryInvite: the recovery invitation's URL (written to DATA/recovery-invite). */
  recoveryInvitationUrl: string | undefined;
  /** Pass to buildServer: deletes the invitation file when its invitation is redeemed. */
  onInvitationRedeemed: (tokenHash: Uint8Array) => void;
}

export async function bootstrapOrganisation(options: {
  store: ServerStore;
  dataDir: string;
  publicUrl: string;
  organisationName: string;
  /**
   * Makes a one-time admin invitation that names no account, for an
   * organisation that lost every admin device: only a device holding the
   * current organisation key (restored from the recovery kit) can redeem
   * it, so the operator who makes it gains nothing by it.
   */
  recoveryInvite?: boolean;
  now?: () => number;
}): Promise<Bootstrap> {
  const { store, dataDir } = options;
  const now = options.now ?? Date.now;
  const file = join(dataDir, INITIAL_INVITE_FILE);
  let organisation = (await store.listOrganisations())[0];
  if (organisation === undefined) {
    organisation = { id: randomId(), name: options.organisationName, createdAt: now() };
    await store.createOrganisation(organisation);
  }
  /** An admin invitation naming no account, written to `path`; its URL. */
  const unboundAdminInvitation = async (ttlMs: number, path: string): Promise<string> => {
    const token = encodeBase64url(randomId(32));
    await store.createInvitation({
      id: randomId(),
      orgId: organisation.id,
      tokenHash: sha256(token),
      role: "admin",
      expiresAt: now() + ttlMs,
      createdAt: now(),
    });
    const made = invitationUrl(options.publicUrl, token);
    await writeFile(path, made + "\n", { mode: 0o600 });
    return made;
  };
  /** Files of invitations made here, by their token's hash (hex): each goes once its invitation is redeemed. */
  const files = new Map<string, string>();
  const remember = (link: string, path: string) => files.set(hex(sha256(new URL(link).hash.replace(/^#t=/, ""))), path);
  let url: string | undefined;
  if ((await store.countAccounts(organisation.id)) === 0) {
    url = (await readExisting(file)) ?? (await unboundAdminInvitation(INITIAL_INVITE_TTL_MS, file));
    remember(url, file);
  }
  let recoveryUrl: string | undefined;
  if (options.recoveryInvite === true && (await store.getOrganisationKey(organisation.id)) !== undefined) {
    const path = join(dataDir, RECOVERY_INVITE_FILE);
    recoveryUrl = await unboundAdminInvitation(RECOVERY_INVITE_TTL_MS, path);
    remember(recoveryUrl, path);
  }
  return {
    organisation,
    adminInvitationUrl: url,
    recoveryInvitationUrl: recoveryUrl,
    onInvitationRedeemed(hash) {
      const key = hex(hash);
      const path = files.get(key);
      if (path === undefined) return;
      files.delete(key);
      void unlink(path).catch(() => undefined);
    },
  };
}

async function readExisting(file: string): Promise<string | undefined> {
  try {
    const text = (await readFile(file, "utf8")).trim();
    return text.startsWith("http") ? text : undefined;
  } catch {
    return undefined;
  }
}
