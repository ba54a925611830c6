/** Moving to a new mailbox: the old one stops taking entries, drains, and is deleted. */
import type { FastifyInstance } from "fastify";
import { encodeBase64url, type RotateMailboxResponse } from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { authenticate } from "../auth.js";
import { randomId } from "../../crypto.js";

export function mailboxRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post("/v1/mailbox/rotate", async (request) => {
    const me = await authenticate(ctx, request);
    const mailboxId = randomId();
    await ctx.store.rotateMailbox(me.deviceId, mailboxId);
    // A retired mailbox that is already empty goes at once.
    await ctx.store.deleteDrainedMailboxes(me.deviceId);
    const response: RotateMailboxResponse = {
      mailbox: {
        mailboxId: encodeBase64url(mailboxId),
        capability: encodeBase64url(ctx.secrets.issueCapability(mailboxId)),
      },
    };
    return response;
  });
}
