/**
 * A full garbage collection in another Node process, through its inspector
 * (started with --inspect=127.0.0.1:0), so that an RSS reading after it
 * counts live memory rather than whatever garbage the last phase left. It
 * also reads process.memoryUsage() there, to split RSS into heap and the rest.
 */
import { WebSocket } from "ws";
import { withTimeout } from "./time.js";

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The inspector's WebSocket URL from the "Debugger listening on ws://…" line Node prints to stderr. */
export function inspectorUrlIn(stderr: string): string | undefined {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(stderr)?.[1];
}

export async function collectGarbage(url: string): Promise<MemoryUsage> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
      }),
      10_000,
      "inspector connect",
    );
    let nextId = 1;
    const pending = new Map<number, (result: unknown) => void>();
    ws.on("message", (data: Buffer) => {
      const message = JSON.parse(data.toString("utf8")) as { id?: number; result?: unknown };
      if (message.id !== undefined) pending.get(message.id)?.(message.result);
    });
    const call = (method: string, params: object = {}) => {
      const id = nextId++;
      const answer = new Promise<unknown>((resolve) => pending.set(id, resolve));
      ws.send(JSON.stringify({ id, method, params }));
      return withTimeout(answer, 30_000, `inspector ${method}`);
    };
    // Twice: the first pass may leave objects whose finalizers free more.
    await call("HeapProfiler.collectGarbage");
    await call("HeapProfiler.collectGarbage");
    const evaluated = (await call("Runtime.evaluate", {
      expression: "JSON.stringify(process.memoryUsage())",
      returnByValue: true,
    })) as { result: { value: string } };
    return JSON.parse(evaluated.result.value) as MemoryUsage;
  } finally {
    ws.close();
  }
}
