/**
 * Headers on every answer, for the web app that this server will serve at
 * `/` (issue 4) and so that no JSON answer can be framed, sniffed into HTML
 * or leak a referrer. The policy allows only the server's own origin: no
 * inline script, no eval, no third-party request of any kind.
 */
import type { FastifyInstance } from "fastify";
import type { ServerConfig } from "../config.js";

export function securityHeaders(config: ServerConfig): Record<string, string> {
  const origin = new URL(config.publicUrl);
  const tls = origin.protocol === "https:";
  const socketOrigin = `${tls ? "wss" : "ws"}://${origin.host}`;
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // Photos are decrypted into blob: URLs; thumbnails may be data: URLs.
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "font-src 'self'",
    `connect-src 'self' ${socketOrigin}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": policy,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    // The camera is for photos from the building site, the microphone for voice messages; nothing else is needed.
    "permissions-policy": "camera=(self), microphone=(self), geolocation=(), payment=(), usb=()",
    // Only over TLS: over plain HTTP the header is ignored, and it would pin a host that has no certificate.
    ...(tls ? { "strict-transport-security": "max-age=31536000" } : {}),
  };
}

export function addSecurityHeaders(app: FastifyInstance, config: ServerConfig): void {
  const headers = securityHeaders(config);
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.headers(headers);
    return payload;
  });
}
