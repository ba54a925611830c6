import type { FastifyRequest } from "fastify";
import { BoteError } from "@bote/protocol";
import type { DevicePrincipal } from "../store/ServerStore.js";
import type { ServerContext } from "./context.js";
import { sha256 } from "../crypto.js";

/** The device behind the request's bearer token, or a coded `unauthenticated` error. */
export async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<DevicePrincipal> {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header) : null;
  if (match === null) throw new BoteError("unauthenticated");
  const principal = await ctx.store.getSession(sha256(match[1]!), ctx.now());
  if (principal === undefined) throw new BoteError("unauthenticated");
  return principal;
}

export async function authenticateAdmin(ctx: ServerContext, request: FastifyRequest): Promise<DevicePrincipal> {
  const principal = await authenticate(ctx, request);
  if (principal.role !== "admin") throw new BoteError("forbidden");
  return principal;
}
