/**
 * Encrypted attachments: streamed in under an unguessable id, streamed out
 * to devices of the uploader's organisation only, expired by the sweeper.
 */
import type { FastifyInstance } from "fastify";
import { Readable } from "node:stream";
import {
  BoteError,
  blobIdParam,
  encodeBase64url,
  maxAttachmentBlobBytes,
  type BlobUploadResponse,
} from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { authenticate, GUEST_ROUTE } from "../auth.js";
import { parse } from "../parse.js";
import { randomId } from "../../crypto.js";
import { ceilToHour } from "../../time.js";

/**
 * Counts one upload of a guest and the bytes it may still send: a
 * customer's inquiry carries a few photos and PDFs, not a file share. Blobs
 * stay unlinked to accounts; the guest's row only counts them.
 */
async function guestBlobBudget(ctx: ServerContext, accountId: Uint8Array, declared: number): Promise<number> {
  const { maxBlobs, maxBlobBytes } = ctx.config.guests;
  const used = await ctx.store.reserveGuestBlob(accountId, maxBlobs, maxBlobBytes);
  if (used === undefined) throw new BoteError("guest_blob_limit");
  const left = Math.min(ctx.config.blobMaxBytes, maxBlobBytes - used);
  if (declared > left) throw new BoteError("guest_blob_limit");
  return left;
}

/**
 * The largest blob the organisation's policy allows a member: the file plus
 * the chunked encryption's overhead, so a file at the limit still fits.
 */
async function policyBlobLimit(ctx: ServerContext, orgId: Uint8Array): Promise<number | undefined> {
  const limit = (await ctx.store.getEnforcedPolicy(orgId)).maxAttachmentBytes;
  return limit === undefined ? undefined : maxAttachmentBlobBytes(limit);
}

export function blobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/blobs", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    if (request.headers["content-type"] !== "application/octet-stream") throw new BoteError("unsupported_media_type");
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > ctx.config.blobMaxBytes) throw new BoteError("blob_too_large");
    // A member's upload is held to the organisation's policy too; a guest's to its budget.
    const policyLimit = me.guestOf === undefined ? await policyBlobLimit(ctx, me.orgId) : undefined;
    if (policyLimit !== undefined && declared > policyLimit) throw new BoteError("blob_over_policy");
    const maxBytes =
      me.guestOf !== undefined
        ? await guestBlobBudget(ctx, me.accountId, declared)
        : Math.min(ctx.config.blobMaxBytes, policyLimit ?? Infinity);
    const id = randomId(32);
    let size: number;
    try {
      size = await ctx.blobs.write(id, request.body as AsyncIterable<Uint8Array>, maxBytes);
    } catch (error) {
      // A guest's chunked upload that ran past what its budget had left.
      if (error instanceof BoteError && error.code === "blob_too_large" && maxBytes < ctx.config.blobMaxBytes) {
        throw new BoteError(me.guestOf === undefined ? "blob_over_policy" : "guest_blob_limit");
      }
      throw error;
    }
    if (me.guestOf !== undefined) await ctx.store.addGuestBlobBytes(me.accountId, size);
    const expiresAt = ceilToHour(ctx.now() + ctx.config.blobTtlMs);
    await ctx.store.createBlob({ id, size, expiresAt, orgId: me.orgId });
    const response: BlobUploadResponse = {
      blobId: encodeBase64url(id),
      size,
      expiresAt: new Date(expiresAt).toISOString(),
    };
    return reply.code(201).send(response);
  });

  app.get("/v1/blobs/:blobId", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    const { blobId } = parse(blobIdParam, request.params);
    const found = await ctx.store.getBlob(blobId, ctx.now());
    // Another organisation's blob is answered like one that does not exist: its id alone opens nothing.
    const meta = found?.orgId === undefined || Buffer.from(found.orgId).equals(me.orgId) ? found : undefined;
    const content = meta === undefined ? undefined : await ctx.blobs.read(blobId);
    if (meta === undefined || content === undefined) throw new BoteError("blob_not_found");
    return reply
      .type("application/octet-stream")
      .header("content-length", String(meta.size))
      .header("cache-control", "private, no-store")
      .send(Readable.from(content));
  });
}
