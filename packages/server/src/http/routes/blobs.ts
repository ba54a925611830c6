/** Encrypted attachments: streamed in under an unguessable id, streamed out, expired by the sweeper. */
import type { FastifyInstance } from "fastify";
import { Readable } from "node:stream";
import { BoteError, blobIdParam, encodeBase64url, type BlobUploadResponse } from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { authenticate } from "../auth.js";
import { parse } from "../parse.js";
import { randomId } from "../../crypto.js";
import { ceilToHour } from "../../time.js";

export function blobRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/blobs", async (request, reply) => {
    await authenticate(ctx, request);
    if (request.headers["content-type"] !== "application/octet-stream") throw new BoteError("unsupported_media_type");
    const declared = Number(request.headers["content-length"] ?? "0");
    if (declared > ctx.config.blobMaxBytes) throw new BoteError("blob_too_large");
    const id = randomId(32);
    const size = await ctx.blobs.write(id, request.body as AsyncIterable<Uint8Array>, ctx.config.blobMaxBytes);
    const expiresAt = ceilToHour(ctx.now() + ctx.config.blobTtlMs);
    await ctx.store.createBlob({ id, size, expiresAt });
    const response: BlobUploadResponse = {
      blobId: encodeBase64url(id),
      size,
      expiresAt: new Date(expiresAt).toISOString(),
    };
    return reply.code(201).send(response);
  });

  app.get("/v1/blobs/:blobId", async (request, reply) => {
    await authenticate(ctx, request);
    const { blobId } = parse(blobIdParam, request.params);
    const meta = await ctx.store.getBlob(blobId, ctx.now());
    const content = meta === undefined ? undefined : await ctx.blobs.read(blobId);
    if (meta === undefined || content === undefined) throw new BoteError("blob_not_found");
    return reply
      .type("application/octet-stream")
      .header("content-length", String(meta.size))
      .header("cache-control", "private, no-store")
      .send(Readable.from(content));
  });
}
