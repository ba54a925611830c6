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
 * A customer's guest account passes only for a contact point the
 * organisation published (basis "contact_point"); no user decision admits
 * one, and a device without an organisation view refuses every guest.
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
        if (verdict.status === "guest") return { accepted: true, basis: "contact_point" };
        if (verdict.reason === "revoked") return { accepted: false, reason: "revoked" };
        // A guest's key is new in every inquiry: there is nothing for a user to have verified.
        if (credential.accountCertificate.issuer.kind === "guest")
          return { accepted: false, reason: "bad_endorsement" };
        const decision = await options.contacts.deviceTrust(credential.accountId, credential.devicePublicKey);
        if (decision !== undefined) return { accepted: true, basis: decision };
        return { accepted: false, reason: verdict.reason === "key_changed" ? "key_changed" : "bad_endorsement" };
      }
      if (credential.accountCertificate.issuer.kind === "guest") return { accepted: false, reason: "unknown_contact" };
      const decision = await options.contacts.deviceTrust(credential.accountId, credential.devicePublicKey);
      if (decision !== undefined) return { accepted: true, basis: decision };
      return { accepted: false, reason: "unknown_contact" };
    },
  };
}
