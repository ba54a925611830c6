import {
  verifyEndorsement,
  type BoteCredential,
  type ContactDevice,
  type ContactRecord,
  type DeviceTrust,
} from "@bote/core";
import type { ClientContext } from "./context.js";
import { b64 } from "./ids.js";

/**
 * Records the accounts and device keys a conversation shows. A device key
 * not seen before for a known account is kept and reported (`newDevice`), so
 * the UI can show it: keys are never swapped silently.
 */
export async function noteCredentials(
  ctx: ClientContext,
  credentials: readonly BoteCredential[],
): Promise<{ contacts: ContactRecord[]; newDevice: Set<string> }> {
  const profile = ctx.profile();
  const byAccount = new Map<string, ContactRecord>();
  const newDevice = new Set<string>();
  for (const credential of credentials) {
    const accountId = b64(credential.accountId);
    if (accountId === profile.accountId) continue;
    const known = byAccount.get(accountId) ?? (await ctx.store.getContact(accountId));
    const key = b64(credential.devicePublicKey);
    const devices = [...(known?.devices ?? [])];
    const trust = endorsementTrust(ctx, credential);
    const at = devices.findIndex((d) => d.devicePublicKey === key);
    if (at === -1) {
      devices.push({ devicePublicKey: key, trust, firstSeenAt: ctx.now() });
      if (known !== undefined && known.devices.length > 0) newDevice.add(accountId);
    } else if (trust === "organisation" && devices[at]!.trust !== "organisation") {
      devices[at] = { ...devices[at]!, trust };
    }
    byAccount.set(accountId, { accountId, displayName: credential.displayName, devices });
  }
  return { contacts: [...byAccount.values()], newDevice };
}

function endorsementTrust(ctx: ClientContext, credential: BoteCredential): DeviceTrust {
  const orgKey = ctx.profile().organisationPublicKey;
  if (orgKey === undefined) return "unknown";
  return verifyEndorsement(credential, orgKey, new Date(ctx.now())).ok ? "organisation" : "unknown";
}

export function setDeviceTrust(contact: ContactRecord, devicePublicKey: string, trust: DeviceTrust): ContactRecord {
  const devices: ContactDevice[] = contact.devices.map((d) =>
    d.devicePublicKey === devicePublicKey ? { ...d, trust } : d,
  );
  return { ...contact, devices };
}
