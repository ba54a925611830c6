// The admin's audit log: the organisation's whole signed log, folded on
// this device into admin actions (core's foldAuditLog).
import { foldAuditLog, type AuditEntry } from "@bote/core";
import { ClientError } from "./clientError.js";
import type { ClientContext } from "./context.js";
import { bytesFrom } from "./ServerApi.js";

/** The whole log, page by page, folded into admin actions; newest first. Admins only. */
export async function readAuditLog(ctx: ClientContext): Promise<AuditEntry[]> {
  const view = ctx.organisation();
  if (view.accounts.get(ctx.profile().accountId)?.certificate.role !== "admin") throw new ClientError("not_admin");
  const logged = [];
  let after = 0;
  for (;;) {
    const page = await ctx.session.api.organisationLog(after);
    for (const entry of page.statements) {
      logged.push({ seq: entry.seq, statement: bytesFrom(entry.statement, "statement"), at: entry.at });
    }
    const last = page.statements.at(-1);
    if (last === undefined) break;
    after = last.seq;
  }
  return foldAuditLog(logged, [view.anchorKey, view.currentKey]).reverse();
}
