/**
 * The SDK's ports on Node: node:http(s) for HTTP, the `ws` package for the
 * relay socket. Not fetch: undici reads an async-iterable upload body ahead
 * of the socket (a 100 MB file was held whole in memory, measured), while a
 * pipeline into the request honours backpressure.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { HttpTransport, OpenSocket, Transport } from "@bote/client";
import { WebSocket } from "ws";

const http: HttpTransport = async (serverUrl, request) => {
  const url = new URL(request.path.replace(/^\//, ""), serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, { method: request.method, headers: request.headers }, resolve);
    outgoing.once("error", reject);
    const body = request.body;
    if (body === undefined) outgoing.end();
    else if (typeof body === "string" || body instanceof Uint8Array) outgoing.end(body);
    else pipeline(Readable.from(body, { objectMode: false }), outgoing).catch(reject);
  });
  let used = false;
  const take = () => {
    if (used) throw new Error("response body already read");
    used = true;
    return response;
  };
  return {
    status: response.statusCode ?? 0,
    header: (name) => {
      const value = response.headers[name.toLowerCase()];
      return Array.isArray(value) ? value.join(", ") : value;
    },
    async *stream() {
      for await (const chunk of take()) yield chunk as Uint8Array;
    },
    async bytes() {
      const chunks: Buffer[] = [];
      for await (const chunk of take()) chunks.push(chunk as Buffer);
      return new Uint8Array(Buffer.concat(chunks));
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
