/**
 * The minimal durable relay: what a relay that does the same work as Bote's
 * hot path costs when written plainly — `ws`, the raw frames of rawwire.ts,
 * and better-sqlite3 with WAL and synchronous=FULL, as `bote serve` runs by
 * default. Every send is inserted and every ack deletes its entry (only the
 * recipient's own). The rows of one event-loop turn are written in one
 * transaction (flushed by setImmediate, after the turn's socket reads); only
 * after its commit do the send-results and deliveries go out, one frame of
 * each per socket. A client that connects gets what is queued for it.
 * Prepared statements, nothing tuned beyond that.
 *
 * Run as a child of the benchmark: `node durable.js DIRECTORY`; it prints
 * `durable listening on PORT` to stderr.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import type { WebSocket } from "ws";
import { ACK, ACK_BYTES, SEND, SEND_HEADER_BYTES, encodeRawDeliver, encodeRawSendResults } from "./rawwire.js";
import { serveRaw } from "./rawserver.js";

const directory = process.argv[2];
if (directory === undefined) throw new Error("usage: node durable.js DIRECTORY");
const db = new Database(join(directory, "durable.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec(`CREATE TABLE IF NOT EXISTS entry (
  id INTEGER PRIMARY KEY,
  recipient INTEGER NOT NULL,
  payload BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS entry_by_recipient ON entry (recipient, id);`);
const insert = db.prepare<[number, Buffer]>("INSERT INTO entry (recipient, payload) VALUES (?, ?)");
const remove = db.prepare<[number, number]>("DELETE FROM entry WHERE id = ? AND recipient = ?");
const queued = db.prepare<[number], { id: number; payload: Buffer }>(
  "SELECT id, payload FROM entry WHERE recipient = ? ORDER BY id",
);

/** What one socket gets after a commit. */
class Outbox {
  requestIds: number[] = [];
  ok: boolean[] = [];
  entryIds: number[] = [];
  payloads: Buffer[] = [];
}

// The turn's work, in arrival order.
let senders: number[] = [];
let requestIds: number[] = [];
let recipients: number[] = [];
let payloads: Buffer[] = [];
let acks: number[] = [];
let ackers: number[] = [];
let flushScheduled = false;

const commit = db.transaction((entryIds: number[]) => {
  for (let i = 0; i < recipients.length; i++)
    entryIds.push(Number(insert.run(recipients[i]!, payloads[i]!).lastInsertRowid));
  for (let i = 0; i < acks.length; i++) remove.run(acks[i]!, ackers[i]!);
});

function flush(): void {
  flushScheduled = false;
  const entryIds: number[] = [];
  commit(entryIds);
  const outboxes = new Map<number, Outbox>();
  const outbox = (index: number) => {
    let box = outboxes.get(index);
    if (box === undefined) outboxes.set(index, (box = new Outbox()));
    return box;
  };
  for (let i = 0; i < senders.length; i++) {
    const sender = outbox(senders[i]!);
    sender.requestIds.push(requestIds[i]!);
    sender.ok.push(true);
    if (sockets[recipients[i]!] === undefined) continue; // stays queued until it connects
    const recipient = outbox(recipients[i]!);
    recipient.entryIds.push(entryIds[i]!);
    recipient.payloads.push(payloads[i]!);
  }
  for (const [index, box] of outboxes) {
    const socket = sockets[index];
    if (socket === undefined) continue;
    if (box.requestIds.length > 0) socket.send(encodeRawSendResults(box.requestIds, box.ok));
    if (box.entryIds.length > 0) socket.send(encodeRawDeliver(box.entryIds, box.payloads));
  }
  senders = [];
  requestIds = [];
  recipients = [];
  payloads = [];
  acks = [];
  ackers = [];
}

const sockets = serveRaw("durable", {
  onFrame(index, frame) {
    if (frame[0] === SEND && frame.length >= SEND_HEADER_BYTES) {
      senders.push(index);
      requestIds.push(frame.readUInt32LE(1));
      recipients.push(frame.readUInt32LE(5));
      payloads.push(frame.subarray(SEND_HEADER_BYTES));
    } else if (frame[0] === ACK && (frame.length - 1) % ACK_BYTES === 0) {
      for (let o = 1; o < frame.length; o += ACK_BYTES) {
        acks.push(frame.readUInt32LE(o));
        ackers.push(index);
      }
    } else throw new Error(`bad frame of kind ${frame[0]}`);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  },
  onOpen(index: number, socket: WebSocket) {
    const rows = queued.all(index);
    if (rows.length > 0)
      socket.send(
        encodeRawDeliver(
          rows.map((r) => r.id),
          rows.map((r) => r.payload),
        ),
      );
  },
});
