// Retention on staff devices (docs/PROTOCOL.md §18): an inquiry done for
// longer than its contact point's retention days, not archived, and not
// reopened by a later line of the customer's, is forgotten here with its
// staff groups. Only here: nothing is sent, so
// neither the customer nor the relay learns of it, and each staff device
// sweeps by the same rule from the same updates.
import { isGuest } from "@bote/core";
import type { ClientContext } from "./context.js";
import { customerOf, inquiryState, staffUpdates, type InquiryState } from "./inbox.js";

const DAY_MS = 86_400_000;

/** BoteClient sweeps after a sync or catch-up, at most this often. */
export const SWEEP_INTERVAL_MS = 3_600_000;

/** Whether an inquiry in `state` is past `retentionDays` at `now`; 0 or an unknown contact point keeps it. */
export function isPastRetention(state: InquiryState, retentionDays: number | undefined, now: number): boolean {
  if (state.archived || state.doneAt === undefined) return false;
  if (retentionDays === undefined || retentionDays === 0) return false;
  return now - state.doneAt > retentionDays * DAY_MS;
}

/**
 * Deletes the inquiries past their retention or erased (archived or not) and the staff groups that hold
 * updates about nothing else still here; returns the conversation ids
 * deleted. A staff group that also speaks of an inquiry this device still
 * keeps stays. Runs in the serial queue, so an update arriving meanwhile
 * (reopened, archived) is either seen or comes after.
 */
export async function sweepInquiries(ctx: ClientContext, now: number): Promise<string[]> {
  if (isGuest(ctx.device().credential)) return [];
  const gone = await ctx.serial.run(async () => {
    const updates = await staffUpdates(ctx);
    const inquiries = new Set<string>();
    const expired = new Set<string>();
    for (const record of await ctx.store.listConversations()) {
      if (record.kind !== "inquiry") continue;
      inquiries.add(record.conversationId);
      const state = await inquiryState(ctx, record, updates.get(record.conversationId) ?? []);
      const contactPoint = ctx.organisation().contactPoints.get(customerOf(record).contactPointId);
      if (state.erased || isPastRetention(state, contactPoint?.retentionDays, now)) expired.add(record.conversationId);
    }
    if (expired.size === 0) return [];
    const about = new Map<string, Set<string>>();
    for (const [inquiryId, list] of updates) {
      for (const { message } of list) {
        const set = about.get(message.conversationId) ?? new Set<string>();
        about.set(message.conversationId, set.add(inquiryId));
      }
    }
    const staffGroups = [...about]
      .filter(([, ids]) => [...ids].some((id) => expired.has(id)))
      .filter(([, ids]) => [...ids].every((id) => expired.has(id) || !inquiries.has(id)))
      .map(([groupId]) => groupId);
    const deleted = [...expired, ...staffGroups];
    await ctx.store.apply({ conversationsDelete: deleted });
    return deleted;
  });
  for (const conversationId of gone) ctx.events.emit("conversationDeleted", { conversationId });
  return gone;
}
