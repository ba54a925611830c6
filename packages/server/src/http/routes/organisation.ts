/**
 * The organisation's signed log. Any logged-in device of the organisation
 * may read it and post to it: the signatures, checked against the current
 * organisation key, are the authority, not the poster's role. Three
 * exceptions, taken from admin sessions only as a second lock beside the
 * signature: contact point statements open a door to the public (new guest
 * accounts from anywhere), directory entries are what every colleague reads
 * about a person, and a policy binds every member's device.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  BoteError,
  encodeBase64url,
  organisationSettingsRequest,
  postStatementsRequest,
  type OrganisationLogResponse,
  type PostStatementsResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { parse } from "../parse.js";
import { authenticate } from "../auth.js";
import { statementChanges } from "../../trust/statementChanges.js";
import { announceStatements } from "../announce.js";
import type { StatementChange } from "../../store/ServerStore.js";

/** The statements taken from admin sessions only (see above). */
const ADMIN_ONLY: ReadonlySet<StatementChange["kind"]> = new Set(["contactPoint", "directoryEntry", "policy"]);

/** Statements per page of the log; a client asks again with after = the last seq it got. */
export const LOG_PAGE = 1000;

const logQuery = z.strictObject({
  after: z
    .string()
    .regex(/^\d{1,15}$/)
    .transform(Number)
    .optional(),
});

export function organisationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/v1/organisation/log", async (request) => {
    const me = await authenticate(ctx, request);
    const { after } = parse(logQuery, request.query);
    const [organisation, key, statements] = await Promise.all([
      ctx.store.getOrganisation(me.orgId),
      ctx.store.getOrganisationKey(me.orgId),
      ctx.store.listStatements(me.orgId, after ?? 0, LOG_PAGE),
    ]);
    const response: OrganisationLogResponse = {
      organisation: {
        id: encodeBase64url(me.orgId),
        name: organisation?.name ?? "",
        language: organisation?.language ?? "de",
        setUpAt: organisation?.setUpAt === undefined ? null : new Date(organisation.setUpAt).toISOString(),
      },
      organisationKey: key === undefined ? null : encodeBase64url(key),
      statements: statements.map((s) => ({
        seq: s.seq,
        statement: encodeBase64url(s.statement),
        at: new Date(s.at).toISOString(),
      })),
    };
    return response;
  });

  // The setup wizard's name and default language. Not a signed statement: the
  // name is what the server already shows on join and contact pages (it had
  // it from --org-name), and the language only picks the first texts a new
  // device shows. An admin session is the lock.
  app.post("/v1/organisation/settings", async (request) => {
    const me = await authenticate(ctx, request);
    if (me.role !== "admin") throw new BoteError("forbidden");
    const body = parse(organisationSettingsRequest, request.body);
    await ctx.store.setUpOrganisation(me.orgId, { name: body.name, language: body.language, now: ctx.now() });
    return { ok: true };
  });

  app.post("/v1/organisation/statements", async (request) => {
    const me = await authenticate(ctx, request);
    const body = parse(postStatementsRequest, request.body);
    const organisationKey = await ctx.store.getOrganisationKey(me.orgId);
    if (organisationKey === undefined) throw new BoteError("organisation_key_missing");
    const now = ctx.now();
    const verified = statementChanges(body.statements, organisationKey, Math.floor(now / 1000));
    if (!verified.ok) throw new BoteError("statement_invalid", `statements.${verified.index}`);
    if (me.role !== "admin" && verified.changes.some((c) => ADMIN_ONLY.has(c.kind))) {
      throw new BoteError("forbidden");
    }
    const result = await ctx.store.applyStatements(me.orgId, organisationKey, verified.changes, now);
    if (!result.ok) {
      const path = `statements.${result.index}${result.path === undefined ? "" : `.${result.path}`}`;
      throw new BoteError(result.code ?? "statement_invalid", path);
    }
    announceStatements(ctx, me.orgId, result.seq, result.revokedDevices);
    const response: PostStatementsResponse = { seq: result.seq };
    return response;
  });
}
