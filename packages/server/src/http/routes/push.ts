/** Web Push: the server's VAPID key, and the subscription of the calling device. */
import type { FastifyInstance } from "fastify";
import { BoteError, pushSubscriptionRequest, type PushKeyResponse } from "@bote/protocol";
import type { ServerContext } from "../context.js";
import { authenticate, GUEST_ROUTE } from "../auth.js";
import { parse } from "../parse.js";
import { pushEndpointAllowed } from "../../push/pushEndpoint.js";

export function pushRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get("/v1/push/key", { config: GUEST_ROUTE }, async (request) => {
    await authenticate(ctx, request);
    const response: PushKeyResponse = { publicKey: ctx.vapidPublicKey };
    return response;
  });

  app.post("/v1/push/subscription", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    const body = parse(pushSubscriptionRequest, request.body);
    if (!pushEndpointAllowed(body.endpoint, ctx.config.push.allowInsecureEndpoints)) {
      throw new BoteError("bad_request", "endpoint");
    }
    await ctx.store.putPushSubscription(me.deviceId, {
      endpoint: body.endpoint,
      p256dh: body.keys.p256dh,
      auth: body.keys.auth,
    });
    return reply.code(204).send();
  });

  app.delete("/v1/push/subscription", { config: GUEST_ROUTE }, async (request, reply) => {
    const me = await authenticate(ctx, request);
    await ctx.store.deletePushSubscription(me.deviceId);
    return reply.code(204).send();
  });
}
