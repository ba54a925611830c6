// Data protection for admins (docs/PROTOCOL.md §22): a person's server-side
// data exported or erased, and the documents the server generates. The
// server decides who may; this device only names whom.
import type { OrganisationView } from "@bote/core";
import {
  decodeOrganisationStatement,
  encodeBase64url,
  type PersonErasureResponse,
  type PersonExportResponse,
} from "@bote/protocol";
import type { ClientContext } from "./context.js";
import { syncOrganisation } from "./organisation.js";
import { bytesFrom } from "./ServerApi.js";

export interface FormerMember {
  accountId: string;
  /** From the newest certificate this device verified before the deactivation. */
  displayName: string;
}

/**
 * Deactivated accounts whose certificates are still in the organisation's
 * log: whom an erasure can name. Read from the whole log, because a
 * device's view forgets a revoked account's certificate; the names are for
 * finding the person only, the erasure acts on the account id.
 */
export async function formerMembers(ctx: ClientContext, view: OrganisationView): Promise<FormerMember[]> {
  const names = new Map<string, string>();
  for (let after = 0; ;) {
    const page = await ctx.session.api.organisationLog(after);
    for (const entry of page.statements) {
      const decoded = decodeOrganisationStatement(bytesFrom(entry.statement, "statement"));
      if (!decoded.ok || (decoded.value.kind !== "account" && decoded.value.kind !== "invitation")) continue;
      const accountId = encodeBase64url(decoded.value.certificate.accountId);
      if (view.revokedAccounts.has(accountId)) names.set(accountId, decoded.value.certificate.displayName);
    }
    if (page.statements.length === 0) break;
    after = page.statements[page.statements.length - 1]!.seq;
  }
  return [...names]
    .map(([accountId, displayName]) => ({ accountId, displayName }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export function exportPerson(ctx: ClientContext, accountId: string): Promise<PersonExportResponse> {
  return ctx.session.api.personExport(accountId);
}

/** Erases on the server; the organisation log then holds tombstones, which this device skips when it syncs. */
export async function erasePerson(ctx: ClientContext, accountId: string): Promise<PersonErasureResponse> {
  const result = await ctx.session.api.erasePerson(accountId);
  await syncOrganisation(ctx);
  return result;
}
