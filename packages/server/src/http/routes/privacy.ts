/**
 * Data protection (docs/PROTOCOL.md §22): an admin exports or erases
 * everything the server holds about one person of their organisation, and
 * reads the documents generated from this server's configuration. The
 * Art. 13 information is public: the join page shows it before anyone has
 * an account.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  BoteError,
  accountIdParam,
  encodeBase64url,
  privacyDocumentParam,
  privacyDocumentQuery,
  type PersonCell,
  type PersonErasureResponse,
  type PersonExportResponse,
  type PrivacyDocument,
  type PrivacyDocumentResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import type { StoredRow } from "../../store/ServerStore.js";
import { parse } from "../parse.js";
import { authenticate, authenticateAdmin, GUEST_ROUTE } from "../auth.js";
import { publicRateLimit } from "../rateLimit.js";
import { privacyFacts } from "../../privacy/privacyFacts.js";
import { renderPrivacyDocument } from "../../privacy/privacyDocuments.js";
import { erasureJudge } from "../../privacy/personTombstone.js";
import { announceRevoked } from "../announce.js";

const eraseRequest = z.strictObject({}).optional();

function exportedRow(row: StoredRow): Record<string, PersonCell> {
  const out: Record<string, PersonCell> = {};
  for (const [column, value] of Object.entries(row)) {
    out[column] = value instanceof Uint8Array ? encodeBase64url(value) : value;
  }
  return out;
}

async function documentOf(
  ctx: ServerContext,
  orgId: Uint8Array | undefined,
  document: PrivacyDocument,
  lang: "de" | "en",
): Promise<PrivacyDocumentResponse> {
  const organisation =
    orgId === undefined ? (await ctx.store.listOrganisations())[0] : await ctx.store.getOrganisation(orgId);
  const facts = await privacyFacts(ctx.config, ctx.store, organisation?.name ?? "");
  const rendered = renderPrivacyDocument(document, facts, lang, new Date(ctx.now()));
  return { document, language: lang, title: rendered.title, markdown: rendered.markdown };
}

export function privacyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/v1/admin/persons/:accountId", async (request) => {
    const me = await authenticateAdmin(ctx, request);
    const { accountId } = parse(accountIdParam, request.params);
    const [record, organisation] = await Promise.all([
      ctx.store.exportPerson(me.orgId, accountId),
      ctx.store.getOrganisation(me.orgId),
    ]);
    if (record === undefined) throw new BoteError("account_unknown");
    const response: PersonExportResponse = {
      format: "bote-person-export-v1",
      exportedAt: new Date(ctx.now()).toISOString(),
      organisation: { id: encodeBase64url(me.orgId), name: organisation?.name ?? "" },
      accountId: encodeBase64url(accountId),
      rows: Object.fromEntries(Object.entries(record.rows).map(([table, rows]) => [table, rows.map(exportedRow)])),
      counts: record.counts,
    };
    return response;
  });

  app.post("/v1/admin/persons/:accountId/erase", async (request) => {
    const me = await authenticateAdmin(ctx, request);
    const { accountId } = parse(accountIdParam, request.params);
    parse(eraseRequest, request.body);
    const result = await ctx.store.erasePerson(me.orgId, accountId, erasureJudge(accountId));
    if (!result.ok) throw new BoteError(result.code);
    // A guest's socket closes now, on whichever node holds it; its session went with its device.
    announceRevoked(ctx, result.devices);
    // Counts only: the log must not name whom it erased.
    ctx.log.info({ deleted: result.deleted, tombstoned: result.tombstoned }, "person erased");
    const response: PersonErasureResponse = { deleted: result.deleted, tombstoned: result.tombstoned };
    return response;
  });

  app.get("/v1/admin/privacy/:document", async (request) => {
    const me = await authenticateAdmin(ctx, request);
    const { document } = parse(privacyDocumentParam, request.params);
    const { lang } = parse(privacyDocumentQuery, request.query);
    return documentOf(ctx, me.orgId, document, lang ?? "de");
  });

  app.get("/v1/privacy/info", { config: { ...publicRateLimit(ctx.config), ...GUEST_ROUTE } }, async (request) => {
    const { lang } = parse(privacyDocumentQuery, request.query);
    // A device that says who it is reads its own organisation's; before a join, the server's (bootstrap makes one).
    const orgId = request.headers.authorization === undefined ? undefined : (await authenticate(ctx, request)).orgId;
    return documentOf(ctx, orgId, "info", lang ?? "de");
  });
}
