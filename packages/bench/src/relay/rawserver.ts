/**
 * What the two baselines (ceiling.ts, durable.ts) share: a plain `ws` server
 * on 127.0.0.1 (permessage-deflate off) that knows each socket by the load
 * client's index from its URL, announces `NAME listening on PORT` on stderr
 * and exits when the benchmark that forked it goes away.
 */
import { WebSocketServer, type WebSocket } from "ws";
import { clientIndexOf } from "./rawwire.js";

export interface RawRelay {
  /** One binary frame from client `index`; a malformed frame throws and the socket is dropped. */
  onFrame(index: number, frame: Buffer): void;
  onOpen?(index: number, socket: WebSocket): void;
}

export function serveRaw(name: string, relay: RawRelay): (WebSocket | undefined)[] {
  const sockets: (WebSocket | undefined)[] = [];
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/v1/ws", perMessageDeflate: false });
  wss.on("connection", (socket, request) => {
    const index = clientIndexOf(request.url);
    if (index === undefined) return socket.close(1008, "no client index");
    sockets[index] = socket;
    socket.on("message", (data: Buffer, isBinary) => {
      try {
        if (!isBinary || data.length === 0) throw new Error("not a binary frame");
        relay.onFrame(index, data);
      } catch (error) {
        console.error(`${name}: client ${index}: ${String(error)}`);
        socket.terminate();
      }
    });
    socket.on("close", () => {
      if (sockets[index] === socket) sockets[index] = undefined;
    });
    socket.on("error", () => socket.terminate());
    relay.onOpen?.(index, socket);
  });
  wss.on("listening", () => {
    const address = wss.address();
    if (address === null || typeof address === "string") throw new Error("unexpected address");
    console.error(`${name} listening on ${address.port}`);
  });
  wss.on("error", (error) => {
    console.error(`${name}:`, error);
    process.exit(1);
  });
  // The benchmark owns this process: when it goes, so do we.
  process.on("disconnect", () => process.exit(0));
  return sockets;
}
