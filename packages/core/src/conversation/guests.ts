// The one structural rule for customers in groups (docs/PROTOCOL.md §18): a
// guest is only ever in the inquiry group it created. Staff must not be able
// to pull a customer into a colleagues' chat, and a customer's key must not
// be swapped for another's in a running inquiry; so a group holds at most one
// guest account, and a commit may keep guests but never bring in a new one.
import { encodeBase64url } from "@bote/protocol";
import type { ClientState } from "ts-mls";
import { ConversationError } from "../conversationError.js";
import type { BoteCredential } from "../credential.js";
import { memberAt } from "./shared.js";

export function isGuest(credential: BoteCredential): boolean {
  return credential.accountCertificate.issuer.kind === "guest";
}

/** Base64url account ids of the guests in this epoch's tree. */
export function guestAccounts(state: ClientState): Set<string> {
  const out = new Set<string>();
  for (let leafIndex = 0; leafIndex * 2 < state.ratchetTree.length; leafIndex++) {
    const member = memberAt(state, leafIndex);
    if (member !== undefined && isGuest(member.credential)) out.add(encodeBase64url(member.credential.accountId));
  }
  return out;
}

/**
 * Throws `guest_not_allowed` unless `after` holds at most one guest account
 * and, when there is a previous epoch, only guests it already held. With no
 * previous epoch (a group created or joined by Welcome) a single guest is
 * allowed: the customer's own group as its staff receive it.
 */
export function requireGuestRule(before: ClientState | undefined, after: ClientState): void {
  const guests = guestAccounts(after);
  if (guests.size > 1) throw new ConversationError("guest_not_allowed", "a group holds at most one guest");
  if (before === undefined || guests.size === 0) return;
  const earlier = guestAccounts(before);
  for (const guest of guests) {
    if (!earlier.has(guest)) {
      throw new ConversationError("guest_not_allowed", "a guest joins no group but the one it created");
    }
  }
}
