/**
 * Browsers send Origin on cross-site requests; only the server's own web app
 * (the public URL's origin, or another configured one) may change state or
 * open a socket. Requests without Origin (the CLI, the SDK in Node) pass:
 * they carry no ambient credentials a foreign page could borrow.
 */
import type { FastifyInstance } from "fastify";
import type { ServerConfig } from "../config.js";
import { sendError } from "./errors.js";

export function originAllowed(config: ServerConfig, origin: string | undefined): boolean {
  return origin === undefined || config.allowedOrigins.includes(origin);
}

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Answers a state-changing request from a foreign Origin with 403 origin_forbidden, before routing. */
export function refuseForeignOrigins(app: FastifyInstance, config: ServerConfig): void {
  app.addHook("onRequest", async (request, reply) => {
    if (!STATE_CHANGING.has(request.method)) return;
    if (!originAllowed(config, request.headers.origin)) return sendError(reply, request, "origin_forbidden");
  });
}
