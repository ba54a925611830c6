import type { AuthenticationPort, TrustVerdict } from "../authenticationPort.js";
import { evaluateCredential, type OrganisationView } from "./organisationView.js";

/** The caller's contact store: what the user decided about one device of one account. */
export interface ContactTrustLookup {
  /**
   * "verified": the safety number was compared; "unverified": the user
   * explicitly accepted the device without comparing; undefined: no decision.
   */
  deviceTrust(accountId: Uint8Array, devicePublicKey: Uint8Array): Promise<"verified" | "unverified" | undefined>;
}

/** Where the policy reads the device's organisation view and writes back what it learned (a newly seen account key). */
export interface OrganisationViewHolder {
  current(): OrganisationView | undefined;
  update(view: OrganisationView): Promise<void>;
}

export interface TrustPolicyOptions {
  readonly organisation: OrganisationViewHolder;
  readonly contacts: ContactTrustLookup;
  readonly now?: () => Date;
}

/**
 * Bote's authentication policy: a colleague whose chain organisation →
 * account → device holds passes without anyone comparing numbers; anyone
 * else only once the user verified or explicitly accepted that very device
 * key. A revoked account or device never passes, whatever the user decided.
 */
export function createTrustPolicy(options: TrustPolicyOptions): AuthenticationPort {
  const now = options.now ?? (() => new Date());
  return {
    async authenticate(credential): Promise<TrustVerdict> {
      const view = options.organisation.current();
      if (view !== undefined) {
        const evaluated = evaluateCredential(view, credential, now());
        if (evaluated.view !== view) await options.organisation.update(evaluated.view);
        const { verdict } = evaluated;
        if (verdict.status === "confirmed") return { accepted: true, basis: "organisation" };
        if (verdict.reason === "revoked") return { accepted: false, reason: "revoked" };
        const decision = await options.contacts.deviceTrust(credential.accountId, credential.devicePublicKey);
        if (decision !== undefined) return { accepted: true, basis: decision };
        return { accepted: false, reason: verdict.reason === "key_changed" ? "key_changed" : "bad_endorsement" };
      }
      const decision = await options.contacts.deviceTrust(credential.accountId, credential.devicePublicKey);
      if (decision !== undefined) return { accepted: true, basis: decision };
      return { accepted: false, reason: "unknown_contact" };
    },
  };
}
