import type { ContactRecord } from "@bote/core";

export type TrustState = "verified" | "organisation" | "unverified" | "unknown";

/** The weakest trust among a contact's device keys: one unverified key makes the contact unverified. */
export function trustOf(contact: ContactRecord | undefined): TrustState {
  if (contact === undefined || contact.devices.length === 0) return "unknown";
  const levels = contact.devices.map((d) => d.trust);
  if (levels.includes("unknown")) return "unknown";
  if (levels.includes("unverified")) return "unverified";
  if (levels.includes("organisation")) return "organisation";
  return "verified";
}
