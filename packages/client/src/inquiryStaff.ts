// Following a contact point's staff list (docs/PROTOCOL.md §18): when the
// organisation's log changes who answers a contact point, the inquiry
// groups and their staff groups change with it. One member commits, so the
// staff do not race: the remaining staff member with the lowest leaf.
import {
  encodeConversation,
  isGuest,
  readRoster,
  removeMembers,
  restoreConversation,
  type ConversationRecord,
} from "@bote/core";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { addPlan } from "./conversations.js";
import { b64 } from "./ids.js";
import { runCommit, sendContent } from "./outgoing.js";
import { INQUIRY_STATUS, readInquiry } from "./inbox.js";
import { bytesFrom } from "./ServerApi.js";
import { create } from "@bufbuild/protobuf";
import { InquiryUpdateSchema } from "@bote/protocol";
import { readContent } from "./records.js";

/** The inquiry a group serves (itself, or the one its staff updates name) and that inquiry's contact point. */
async function inquiryOf(
  ctx: ClientContext,
  record: ConversationRecord,
): Promise<{ inquiryId: string; contactPointId: string } | undefined> {
  let inquiry: ConversationRecord | undefined = record;
  if (record.kind === "inquiry_staff") {
    const first = (await ctx.store.listMessages(record.conversationId)).find(
      (m) => readContent(m)?.body.case === "inquiryUpdate",
    );
    const body = first === undefined ? undefined : readContent(first)?.body;
    if (body?.case !== "inquiryUpdate") return undefined;
    inquiry = await ctx.store.getConversation(b64(body.value.inquiryGroupId));
  }
  if (inquiry?.kind !== "inquiry") return undefined;
  const guest = readRoster(restoreConversation(inquiry.state)).find((m) => isGuest(m.credential));
  const issuer = guest?.credential.accountCertificate.issuer;
  if (issuer?.kind !== "guest") return undefined;
  return { inquiryId: inquiry.conversationId, contactPointId: b64(issuer.contactPointId) };
}

/** Whom a group should gain and lose, and whether this device is the one to commit it. */
function staffChanges(record: ConversationRecord, staff: ReadonlySet<string>) {
  const roster = readRoster(restoreConversation(record.state)).filter((m) => !isGuest(m.credential));
  const staying = roster.filter((m) => staff.has(b64(m.credential.accountId)));
  const present = new Set(roster.map((m) => b64(m.credential.accountId)));
  return {
    committer: staying[0]?.self === true,
    leaving: roster.filter((m) => !staff.has(b64(m.credential.accountId))),
    joining: [...staff].filter((id) => !present.has(id)),
  };
}

/**
 * Adds the contact point's new staff to its open inquiry and staff groups and
 * removes those no longer on it. A staff member with no reachable device is
 * left for the next sync. Returns how many groups changed.
 */
export async function syncInquiryStaff(ctx: ClientContext): Promise<number> {
  let changed = 0;
  for (const record of await ctx.store.listConversations()) {
    if (!record.active || (record.kind !== "inquiry" && record.kind !== "inquiry_staff")) continue;
    const served = await inquiryOf(ctx, record);
    const contactPoint = served === undefined ? undefined : ctx.organisation().contactPoints.get(served.contactPointId);
    if (served === undefined || contactPoint === undefined) continue;
    const staff = new Set(contactPoint.staff.map(b64));
    const planned = staffChanges(record, staff);
    if (!planned.committer) continue;
    const by = ctx.device().credential.displayName;
    if (planned.leaving.length > 0) {
      await runCommit(ctx, record.conversationId, async (conversation) => {
        const { leaving } = staffChanges({ ...record, state: encodeConversation(conversation) }, staff);
        if (leaving.length === 0) throw new ClientError("commit_conflict", "another member removed them first");
        return {
          result: await removeMembers(
            conversation,
            leaving.map((m) => m.leafIndex),
            ctx.trust,
          ),
          event: { type: "members_removed", by, members: leaving.map((m) => m.credential.displayName) },
        };
      }).catch(ignoreConflict);
      changed++;
    }
    for (const accountId of planned.joining) {
      await runCommit(ctx, record.conversationId, (conversation) =>
        addPlan(ctx, conversation, [accountId], { type: "members_added", by, members: [nameOf(ctx, accountId)] }),
      ).catch((err: unknown) => {
        // No device to reach (yet): the next log sync tries again.
        if (err instanceof ClientError && (err.code === "no_key_packages" || err.code === "member_untrusted")) return;
        ignoreConflict(err);
      });
      changed++;
    }
    // Newcomers to a staff group cannot read the updates before them: the state so far, once more, for them.
    if (record.kind === "inquiry_staff" && planned.joining.length > 0) {
      const current = await readInquiry(ctx, served.inquiryId);
      const value = create(InquiryUpdateSchema, {
        inquiryGroupId: bytesFrom(served.inquiryId, "conversationId"),
        status: INQUIRY_STATUS[current.status],
        assigneeAccountId: current.assignee === undefined ? new Uint8Array(0) : bytesFrom(current.assignee, "assignee"),
        archived: current.archived,
      });
      await sendContent(ctx, record.conversationId, { case: "inquiryUpdate", value });
    }
  }
  return changed;
}

function ignoreConflict(err: unknown): void {
  if (err instanceof ClientError && (err.code === "commit_conflict" || err.code === "conversation_inactive")) return;
  throw err;
}

function nameOf(ctx: ClientContext, accountId: string): string {
  return ctx.organisation().accounts.get(accountId)?.certificate.displayName ?? accountId;
}
