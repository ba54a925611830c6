/**
 * A TCP load balancer in front of cluster nodes, as a deployment puts one
 * in front of its nodes: each connection goes to the first node that
 * accepts it, so a client whose node stopped reconnects to another one
 * under the same URL. The SDK knows one server URL; failing over is the
 * balancer's job.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface Balancer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBalancer(ports: readonly number[]): Promise<Balancer> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server: Server = createServer((client) => {
    track(client);
    client.pause();
    const tryNode = (i: number) => {
      if (i >= ports.length) return client.destroy();
      const upstream = connect({ host: "127.0.0.1", port: ports[i]! });
      upstream.once("error", () => tryNode(i + 1));
      upstream.once("connect", () => {
        track(upstream);
        upstream.removeAllListeners("error");
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        upstream.once("close", () => client.destroy());
        client.once("close", () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryNode(0);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
