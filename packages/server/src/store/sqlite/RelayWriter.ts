/**
 * Hands relay batches to a thread of their own (relayWorker.ts) and
 * resolves each once its transaction is durable. The worker holds a second
 * connection to the same WAL file: SQLite serialises it with the store's
 * own writes, and the store's reads see each commit once it resolves.
 */
import { Worker } from "node:worker_threads";
import { once } from "node:events";
import { isOpenPart, type OpenRelayBatch, type RelayBatch, type RelayBatchResult } from "../ServerStore.js";
import { packBatch } from "./batchBuffer.js";

export interface WriterSetup {
  file: string;
  synchronous: "full" | "normal";
}

export type WriterRequest =
  | { kind: "batch"; id: number; batch: ArrayBuffer }
  /** The server's secrets file, for sealing the entries of open batches (AtRestKeys). */
  | { kind: "secrets"; text: string }
  | { kind: "close" };

export type WriterReply =
  | { id: number; result: RelayBatchResult; error?: undefined }
  | { id: number; error: { message: string; code: string | undefined } };

/** Read by isStoreFault: the batch may or may not have committed, and the client resends it under the same id. */
export const WRITER_STOPPED = "STORE_WRITER_STOPPED";

interface Pending {
  batch: RelayBatch | OpenRelayBatch;
  resolve: (result: RelayBatchResult) => void;
  reject: (error: unknown) => void;
}

export class RelayWriter {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  /** Told to every thread this writer starts, so a restarted one seals as well. */
  private secrets: string | undefined;

  constructor(private readonly setup: WriterSetup) {
    // Started now, not at the first batch: loading the thread took up to a second on a busy machine.
    this.start();
  }

  /** From now on the thread can seal the entries of open batches; kept only in this process's memory. */
  useSecrets(text: string): void {
    this.secrets = text;
    this.worker?.postMessage({ kind: "secrets", text } satisfies WriterRequest);
  }

  commit(batch: RelayBatch | OpenRelayBatch): Promise<RelayBatchResult> {
    if (this.closed) return Promise.reject(stoppedError("the store is closed"));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    const buffer = packBatch(batch);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { batch, resolve, reject });
      // An idle writer must not keep the process alive; one with a batch must.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ kind: "batch", id, batch: buffer } satisfies WriterRequest, [buffer]);
    });
  }

  /** Waits for the batches handed over, then closes the writer's connection. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return;
    const exited = once(worker, "exit");
    worker.ref();
    worker.postMessage({ kind: "close" } satisfies WriterRequest);
    await exited;
  }

  /** The writer's thread, for tests that stop it; undefined after it died, until the next batch. */
  get thread(): Worker | undefined {
    return this.worker;
  }

  private start(): Worker {
    const worker = new Worker(new URL("./relayWorker.js", import.meta.url), { workerData: this.setup });
    worker.unref();
    worker.on("message", (reply: WriterReply) => this.onReply(reply));
    worker.on("error", (error) => this.stopped(worker, error));
    worker.on("exit", (code) => this.stopped(worker, new Error(`the relay writer exited with ${code}`)));
    if (this.secrets !== undefined) worker.postMessage({ kind: "secrets", text: this.secrets } satisfies WriterRequest);
    this.worker = worker;
    return worker;
  }

  private onReply(reply: WriterReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.error !== undefined) {
      // The code (SQLITE_FULL, SQLITE_IOERR…) is what isStoreFault reads.
      return pending.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    }
    const { sends } = pending.batch;
    reply.result.sends.forEach((outcome, i) => {
      if (outcome.kind !== "stored") return;
      const parts = sends[i]!.parts;
      for (const e of outcome.entries) {
        const part = parts[e.part]!;
        e.mailboxId = isOpenPart(part) ? part.mailboxIds[e.index]! : part[e.index]!.mailboxId;
      }
    });
    pending.resolve(reply.result);
  }

  /** The thread died: every batch handed to it fails as a store fault, and the next batch starts a new one. */
  private stopped(worker: Worker, cause: unknown): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const error = stoppedError("the relay writer stopped", cause);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

function stoppedError(message: string, cause?: unknown): Error {
  return Object.assign(new Error(message, { cause }), { code: WRITER_STOPPED });
}
