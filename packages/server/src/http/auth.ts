/**
 * Who is behind a request's bearer token, and whether this route serves
 * them. Guests (a contact point's customers, docs/PROTOCOL.md §18) are
 * refused by default: a route serves them only when its config says
 * `guests: true` (GUEST_ROUTE), so a route added later is closed to them
 * until someone decides otherwise.
 */
import type { FastifyRequest } from "fastify";
import { BoteError } from "@bote/protocol";
import type { DevicePrincipal, SessionPrincipal } from "../store/ServerStore.js";
import type { ServerContext } from "./context.js";
import { sha256 } from "../crypto.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route serves a contact point's guest too; every other route answers it guest_forbidden. */
    guests?: boolean;
  }
}

/** Route config of a route that guests may use. */
export const GUEST_ROUTE = { guests: true } as const;

async function session(ctx: ServerContext, request: FastifyRequest): Promise<SessionPrincipal> {
  const header = request.headers.authorization;
  const match = typeof header === "string" ? /^Bearer ([A-Za-z0-9_-]{16,128})$/.exec(header) : null;
  if (match === null) throw new BoteError("unauthenticated");
  const principal = await ctx.store.getSession(sha256(match[1]!), ctx.now());
  if (principal === undefined) throw new BoteError("unauthenticated");
  return principal;
}

/** The device behind the request's bearer token, or a coded `unauthenticated` (or `guest_forbidden`) error. */
export async function authenticate(ctx: ServerContext, request: FastifyRequest): Promise<DevicePrincipal> {
  const principal = await session(ctx, request);
  if (principal.guestOf !== undefined && request.routeOptions.config.guests !== true) {
    throw new BoteError("guest_forbidden");
  }
  return principal;
}

export async function authenticateAdmin(ctx: ServerContext, request: FastifyRequest): Promise<DevicePrincipal> {
  const principal = await authenticate(ctx, request);
  if (principal.role !== "admin") throw new BoteError("forbidden");
  return principal;
}

/** A guest's device, for the routes only guests use; a member gets `forbidden`. */
export async function authenticateGuest(
  ctx: ServerContext,
  request: FastifyRequest,
): Promise<DevicePrincipal & { guestOf: Uint8Array }> {
  const principal = await session(ctx, request);
  if (principal.guestOf === undefined) throw new BoteError("forbidden");
  return { ...principal, guestOf: principal.guestOf };
}
