/**
 * The relay writer's thread: its own connection to the store's file, which
 * commits one relay batch at a time. The statements and the fsync of a
 * commit run here, and the sealing of each entry for its mailbox, so the
 * event loop goes on decoding and writing sockets meanwhile (issue 15: the
 * commits took 27% of it, the sealing about an eighth).
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { RelayBatch } from "../ServerStore.js";
import { unpackBatch } from "./batchBuffer.js";
import { AtRestKeys } from "../../secrets/AtRestKeys.js";
import { ServerSecrets } from "../../secrets/ServerSecrets.js";
import { WalTruncation, commitRelayBatch, configureConnection, prepareQueueStatements } from "./queue.js";
import type { WriterReply, WriterRequest, WriterSetup } from "./RelayWriter.js";

const setup = workerData as WriterSetup;
const port = parentPort!;
const db = new Database(setup.file);
configureConnection(db, setup.synchronous);
const q = prepareQueueStatements(db);
const wal = new WalTruncation(db);
const EMPTY = new Uint8Array(0);
const commit = db.transaction((batch: RelayBatch) => commitRelayBatch(q, batch));
let atRest: AtRestKeys | undefined;
const seal = (mailboxId: Uint8Array, payload: Uint8Array) => atRest!.sealEntry(mailboxId, payload);

port.on("message", (request: WriterRequest) => {
  if (request.kind === "close") {
    wal.stop();
    db.close();
    port.close();
    return;
  }
  if (request.kind === "secrets") {
    atRest = new AtRestKeys(ServerSecrets.parse(request.text, "(relay writer)"));
    return;
  }
  let reply: WriterReply;
  try {
    const result = commit.immediate(unpackBatch(request.batch, atRest === undefined ? undefined : seal));
    // The mailbox ids do not travel back: the main thread fills them in from its own batch.
    for (const outcome of result.sends) {
      if (outcome.kind === "stored") for (const e of outcome.entries) e.mailboxId = EMPTY;
    }
    reply = { id: request.id, result };
  } catch (error) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    reply = {
      id: request.id,
      error: { message: String(message ?? error), code: typeof code === "string" ? code : undefined },
    };
  }
  port.postMessage(reply);
  wal.schedule();
});
