/** The SDK's ports on Node: global fetch (undici) for HTTP, the `ws` package for the relay socket. */
import type { HttpTransport, OpenSocket, Transport } from "@bote/client";
import { WebSocket } from "ws";

const http: HttpTransport = async (serverUrl, request) => {
  const url = new URL(request.path.replace(/^\//, ""), serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
  // undici streams an async iterable body; "half" is required for that (not in the DOM typings).
  const init: RequestInit & { duplex?: "half" } = { method: request.method, headers: request.headers };
  if (request.body !== undefined) {
    init.body = request.body;
    init.duplex = "half";
  }
  const response = await fetch(url, init);
  let used = false;
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    async *stream() {
      if (used) throw new Error("response body already read");
      used = true;
      if (response.body === null) return;
      for await (const chunk of response.body) yield chunk;
    },
    async bytes() {
      used = true;
      return new Uint8Array(await response.arrayBuffer());
    },
  };
};

const openSocket: OpenSocket = (url, handlers) => {
  const socket = new WebSocket(url, { maxPayload: 8 * 1024 * 1024 });
  let closed = false;
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  socket.on("open", () => handlers.onOpen());
  socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (isBinary) handlers.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  });
  socket.on("close", (code, reason) => close(code, reason.toString()));
  // An error is followed by close; without a listener ws would throw it.
  socket.on("error", () => close(1006, "error"));
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => {
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(code, reason);
    },
  };
};

export const nodeTransport: Transport = { http, openSocket };
