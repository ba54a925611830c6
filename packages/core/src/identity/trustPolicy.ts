import { equalBytes } from "@bote/protocol";
import type { AuthenticationPort, TrustVerdict } from "../authenticationPort.js";
import type { BoteCredential } from "../credential.js";
import { verifyEndorsement } from "./endorsement.js";

/** The caller's contact store: what the user decided about one device of one account. */
export interface ContactTrustLookup {
  /**
   * "verified": the safety number was compared; "unverified": the user
   * explicitly accepted the device without comparing; undefined: no decision.
   */
  deviceTrust(accountId: Uint8Array, devicePublicKey: Uint8Array): Promise<"verified" | "unverified" | undefined>;
}

export interface TrustPolicyOptions {
  /** Undefined on a device that has no organisation (yet): then only the user's decisions count. */
  readonly organisationPublicKey: Uint8Array | undefined;
  readonly contacts: ContactTrustLookup;
  readonly now?: () => Date;
}

/**
 * Bote's authentication policy: a colleague whose credential the
 * organisation endorsed passes without anyone comparing numbers; anyone else
 * only once the user verified or explicitly accepted that very device key.
 * An endorsement that fails does not bar a device the user accepted, since a
 * member of another organisation carries one that cannot verify here.
 */
export function createTrustPolicy(options: TrustPolicyOptions): AuthenticationPort {
  const now = options.now ?? (() => new Date());
  return {
    async authenticate(credential): Promise<TrustVerdict> {
      const orgKey = options.organisationPublicKey;
      const endorsed = orgKey === undefined ? undefined : verifyEndorsement(credential, orgKey, now());
      if (endorsed?.ok === true) return { accepted: true, basis: "organisation" };
      const decision = await options.contacts.deviceTrust(credential.accountId, credential.devicePublicKey);
      if (decision !== undefined) return { accepted: true, basis: decision };
      if (endorsed === undefined) return { accepted: false, reason: "unknown_contact" };
      return { accepted: false, reason: endorsed.reason === "not_endorsed" ? "not_endorsed" : "bad_endorsement" };
    },
  };
}

export type ContactClass =
  /** Endorsed by our organisation: trusted without comparing numbers. */
  | "colleague"
  /** A device key we have not seen for an account we know: show it, never accept it silently. */
  | "new_device_of_known_contact"
  /** A device key we have seen for this account before. */
  | "known"
  /** An account we have never seen. */
  | "stranger";

/**
 * How a UI should present a credential, given the device keys already seen
 * for its account. A valid organisation endorsement wins: a colleague's new
 * device is vouched for by the organisation, which is the point of it.
 */
export function classifyContact(
  credential: BoteCredential,
  organisationPublicKey: Uint8Array | undefined,
  knownDeviceKeys: readonly Uint8Array[],
  now: Date,
): ContactClass {
  if (organisationPublicKey !== undefined && verifyEndorsement(credential, organisationPublicKey, now).ok) {
    return "colleague";
  }
  if (knownDeviceKeys.length === 0) return "stranger";
  return knownDeviceKeys.some((key) => equalBytes(key, credential.devicePublicKey))
    ? "known"
    : "new_device_of_known_contact";
}
