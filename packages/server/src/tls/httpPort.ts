/**
 * The plain HTTP port beside HTTPS: it answers the CA's http-01 challenges
 * (RFC 8555, section 8.3) and sends everything else to the public URL with
 * 308, so a typed "chat.example.de" ends up on HTTPS. The target is the
 * configured public URL, never the request's Host header.
 */
import { createServer, type Server } from "node:http";
import { TlsError } from "./AcmeError.js";

const CHALLENGE_PATH = "/.well-known/acme-challenge/";

export interface HttpPort {
  /** Token → key authorization of the challenges in progress. */
  readonly challenges: Map<string, string>;
  close(): Promise<void>;
}

export async function openHttpPort(options: { host: string; port: number; publicUrl: string }): Promise<HttpPort> {
  const challenges = new Map<string, string>();
  const target = options.publicUrl.replace(/\/$/, "");
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    if (path.startsWith(CHALLENGE_PATH)) {
      const answer = challenges.get(path.slice(CHALLENGE_PATH.length));
      if (answer === undefined) return response.writeHead(404).end();
      return response.writeHead(200, { "content-type": "text/plain" }).end(answer);
    }
    // Only a path: a request target in absolute form must not choose the host.
    const local = path.startsWith("/") ? path : "/";
    response.writeHead(308, { location: `${target}${local}`, "content-length": "0" }).end();
  });
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new TlsError("port_unavailable", `${options.host}:${options.port}: ${error.code ?? error.message}`)),
    );
    server.listen(options.port, options.host, () => resolve());
  });
  // It never keeps the process alive by itself: if the start fails later (the store, the secrets), the
  // process ends instead of idling with only a redirect open. While Bote runs, its HTTPS server does.
  server.unref();
  return {
    challenges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
