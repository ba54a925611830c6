/**
 * The mailbox over HTTP, for a device without a socket (a service worker
 * woken by a push): the pending entries of the calling device, and their
 * acknowledgement. Same entries, order and deletion as on the WebSocket.
 */
import type { FastifyInstance } from "fastify";
import {
  ackEntriesRequest,
  encodeBase64url,
  fetchEntriesQuery,
  type FetchEntriesResponse,
  type FetchedEntry,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { authenticate, GUEST_ROUTE } from "../auth.js";
import { parse } from "../parse.js";

/** An answer is cut once its payloads reach this much (base64url makes the body a third larger). */
const ANSWER_BYTES = 1024 * 1024;

export function entryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/v1/entries", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    const { limit } = parse(fetchEntriesQuery, request.query);
    const mailboxIds = (await ctx.store.listMailboxes(me.deviceId)).map((m) => m.id);
    const rows = await ctx.store.fetchQueue(mailboxIds, 0, limit, ctx.now());
    const entries: FetchedEntry[] = [];
    let bytes = 0;
    let cut = false;
    for (const row of rows) {
      if (bytes >= ANSWER_BYTES) {
        cut = true;
        break;
      }
      const payload = ctx.atRest.openEntry(row.mailboxId, row.sealed);
      // As on the socket: an entry altered behind the server's back is skipped, not served.
      if (payload === undefined) continue;
      bytes += payload.length;
      entries.push({
        entryId: row.entryId,
        mailboxId: encodeBase64url(row.mailboxId),
        payload: encodeBase64url(payload),
      });
    }
    const response: FetchEntriesResponse = { entries, more: cut || rows.length === limit };
    return reply.header("cache-control", "no-store").send(response);
  });

  app.post("/v1/entries/ack", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    const { entryIds } = parse(ackEntriesRequest, request.body);
    const mailboxes = await ctx.store.listMailboxes(me.deviceId);
    await ctx.relay.ack(
      mailboxes.map((m) => m.id),
      entryIds,
    );
    if (mailboxes.some((m) => m.retired)) await ctx.store.deleteDrainedMailboxes(me.deviceId);
    return reply.code(204).send();
  });
}
