/**
 * Every failed request answers with the registry's code, its status and a
 * sentence in the caller's language (German unless the caller prefers English).
 */
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { BoteError, errorDefinition, errorText, type ErrorBody, type ErrorCode, type Language } from "@bote/protocol";
import type { Logger } from "pino";
import { isStoreFault } from "../store/storeFault.js";

/** Seconds a client is asked to wait after store_unavailable; a PostgreSQL restart or a freed disk takes about that. */
export const STORE_RETRY_AFTER_SECONDS = 5;

export function languageOf(request: FastifyRequest): Language {
  const header = request.headers["accept-language"];
  if (typeof header !== "string") return "de";
  const first = header.split(",")[0]?.trim().toLowerCase() ?? "";
  return first.startsWith("en") ? "en" : "de";
}

export function sendError(reply: FastifyReply, request: FastifyRequest, code: ErrorCode, path?: string): FastifyReply {
  reply.server.boteMetrics?.httpError(code, request.routeOptions.url);
  const body: ErrorBody = { error: { code, message: errorText(code, languageOf(request)) } };
  if (path !== undefined) body.error.path = path;
  return reply.code(errorDefinition(code).http).type("application/json; charset=utf-8").send(body);
}

// Fastify's own failures (body parsing, limits) mapped into the registry.
const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body_too_large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported_media_type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "bad_request",
  FST_ERR_CTP_EMPTY_JSON_BODY: "bad_request",
  FST_ERR_CTP_INVALID_JSON_BODY: "bad_request",
  FST_ERR_VALIDATION: "bad_request",
};

export function errorHandler(log: Logger) {
  return (error: FastifyError | BoteError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof BoteError) return sendError(reply, request, error.code, error.path);
    const mapped = fastifyCodes[error.code];
    if (mapped !== undefined) return sendError(reply, request, mapped);
    if (error instanceof SyntaxError || error.statusCode === 400) return sendError(reply, request, "bad_request");
    if (error.statusCode === 413) return sendError(reply, request, "body_too_large");
    if (isStoreFault(error)) {
      log.warn({ err: error, route: request.routeOptions.url }, "store unavailable");
      void reply.header("retry-after", String(STORE_RETRY_AFTER_SECONDS));
      return sendError(reply, request, "store_unavailable");
    }
    log.error({ err: error, route: request.routeOptions.url }, "request failed");
    return sendError(reply, request, "internal");
  };
}
