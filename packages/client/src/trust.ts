import {
  createTrustPolicy,
  type AuthenticationPort,
  type ClientStore,
  type OrganisationViewHolder,
  type ProfileRecord,
} from "@bote/core";
import { b64 } from "./ids.js";

/**
 * The authentication port every MLS operation of this device uses:
 * colleagues whose chain organisation → account → device holds pass; anyone
 * else only once the user verified their safety number or explicitly
 * accepted them unverified (their contact record says so); a revoked one
 * never. This device's own key always passes.
 */
export function createTrustPolicyFor(
  store: ClientStore,
  profile: () => ProfileRecord,
  organisation: OrganisationViewHolder,
  now: () => number,
): AuthenticationPort {
  return createTrustPolicy({
    organisation,
    now: () => new Date(now()),
    contacts: {
      async deviceTrust(accountId, devicePublicKey) {
        const own = profile();
        const account = b64(accountId);
        const key = b64(devicePublicKey);
        if (account === own.accountId) return "verified";
        const contact = await store.getContact(account);
        const trust = contact?.devices.find((d) => d.devicePublicKey === key)?.trust;
        return trust === "verified" || trust === "unverified" ? trust : undefined;
      },
    },
  });
}
