import {
  evaluateCredential,
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
 * the UI can show it: keys are never swapped silently. A device of the same
 * account key is the same person's new device (calm); another account key is
 * a key change (`keyChanged`, a warning).
 */
export async function noteCredentials(
  ctx: ClientContext,
  credentials: readonly BoteCredential[],
): Promise<{ contacts: ContactRecord[]; newDevice: Set<string>; keyChanged: Set<string> }> {
  const profile = ctx.profile();
  const byAccount = new Map<string, ContactRecord>();
  const newDevice = new Set<string>();
  const keyChanged = new Set<string>();
  for (const credential of credentials) {
    const accountId = b64(credential.accountId);
    if (accountId === profile.accountId) continue;
    const known = byAccount.get(accountId) ?? (await ctx.store.getContact(accountId));
    const key = b64(credential.devicePublicKey);
    const devices = [...(known?.devices ?? [])];
    const { trust, displayName, changed } = await chainTrust(ctx, credential);
    if (changed) keyChanged.add(accountId);
    const at = devices.findIndex((d) => d.devicePublicKey === key);
    if (at === -1) {
      devices.push({ devicePublicKey: key, trust, firstSeenAt: ctx.now() });
      if (known !== undefined && known.devices.length > 0) newDevice.add(accountId);
    } else if (trust !== devices[at]!.trust && (trust === "organisation" || devices[at]!.trust === "organisation")) {
      // The chain decides "organisation" both ways: confirmed later, or revoked since.
      devices[at] = { ...devices[at]!, trust };
    }
    byAccount.set(accountId, { accountId, displayName, devices });
  }
  return { contacts: [...byAccount.values()], newDevice, keyChanged };
}

/** The organisation's verdict on a credential; the directory's name wins over the one in an older leaf. */
async function chainTrust(
  ctx: ClientContext,
  credential: BoteCredential,
): Promise<{ trust: DeviceTrust; displayName: string; changed: boolean }> {
  const view = ctx.organisation();
  const evaluated = evaluateCredential(view, credential, new Date(ctx.now()));
  if (evaluated.view !== view) await ctx.updateOrganisation(evaluated.view);
  const { verdict } = evaluated;
  if (verdict.status === "confirmed") {
    return { trust: "organisation", displayName: verdict.entry.certificate.displayName, changed: false };
  }
  // A guest is a customer, shown by the name it gave itself and never as a colleague.
  const changed = verdict.status === "unconfirmed" && verdict.reason === "key_changed";
  return { trust: "unknown", displayName: credential.displayName, changed };
}

export function setDeviceTrust(contact: ContactRecord, devicePublicKey: string, trust: DeviceTrust): ContactRecord {
  const devices: ContactDevice[] = contact.devices.map((d) =>
    d.devicePublicKey === devicePublicKey ? { ...d, trust } : d,
  );
  return { ...contact, devices };
}
