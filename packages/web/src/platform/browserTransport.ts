import type { HttpTransport, OpenSocket, Transport } from "@bote/client";

/**
 * The SDK's ports in the browser: `fetch` for HTTP, `WebSocket` for the
 * relay socket. They behave as the CLI's Node transport does: a request
 * that reaches no server rejects with the browser's own error (a TypeError
 * from fetch), which the SDK's ServerApi turns into ClientError "offline";
 * redirects are not followed; a socket that never opens still reports
 * onClose (1006, "error").
 */
export function browserTransport(): Transport {
  return { http, openSocket };
}

const http: HttpTransport = async (serverUrl, request) => {
  const url = new URL(request.path.replace(/^\//, ""), serverUrl.endsWith("/") ? serverUrl : `${serverUrl}/`);
  const body = request.body;
  const response = await fetch(url, {
    method: request.method,
    // content-length is a forbidden header here; the browser sets it from the body.
    headers: request.headers,
    // Chromium streams request bodies only over HTTP/2 and QUIC (fetch with
    // duplex "half"); over HTTP/1.1, as behind many reverse proxies, it
    // refuses them. So an upload stream is gathered into a Blob first: the
    // browser keeps large Blobs on disk, not in the page's memory.
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : await toBlob(body) }),
    redirect: "manual",
    credentials: "omit",
    cache: "no-store",
  });
  let used = false;
  const take = (): Response => {
    if (used) throw new Error("response body already read");
    used = true;
    return response;
  };
  return {
    status: response.status,
    header: (name) => response.headers.get(name) ?? undefined,
    async *stream() {
      const reader = take().body?.getReader();
      if (reader === undefined) return;
      let finished = false;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            finished = true;
            return;
          }
          yield value;
        }
      } finally {
        // A reader that stops early ends the download, as breaking out of a Node stream does.
        if (!finished) await reader.cancel().catch(() => undefined);
        reader.releaseLock();
      }
    },
    async bytes() {
      return new Uint8Array(await take().arrayBuffer());
    },
  };
};

async function toBlob(body: Uint8Array | AsyncIterable<Uint8Array>): Promise<Blob> {
  if (body instanceof Uint8Array) return new Blob([body as Uint8Array<ArrayBuffer>]);
  const parts: BlobPart[] = [];
  for await (const chunk of body) parts.push(chunk as Uint8Array<ArrayBuffer>);
  return new Blob(parts);
}

const openSocket: OpenSocket = (url, handlers) => {
  let closed = false;
  const close = (code: number, reason: string) => {
    if (closed) return;
    closed = true;
    handlers.onClose(code, reason);
  };
  let socket: WebSocket;
  try {
    socket = new WebSocket(url);
  } catch {
    // A malformed URL throws at once; the SDK still expects onClose, later.
    queueMicrotask(() => close(1006, "error"));
    return { send: () => undefined, close: () => undefined };
  }
  socket.binaryType = "arraybuffer";
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event: MessageEvent<unknown>) => {
    if (event.data instanceof ArrayBuffer) handlers.onMessage(new Uint8Array(event.data));
  };
  socket.onclose = (event) => close(event.code, event.reason);
  // An error is always followed by close; report it as the Node transport does.
  socket.onerror = () => close(1006, "error");
  return {
    send: (data) => socket.send(data as Uint8Array<ArrayBuffer>),
    close: (code, reason) => socket.close(code, reason),
  };
};
