/**
 * The ceiling: the least any WebSocket relay must do for the benchmark's
 * load, and nothing more. A bare `ws` server speaking the raw frames of
 * rawwire.ts: a send is forwarded at once as a one-entry deliver frame to
 * the recipient's socket and answered with a send-result; acks are read and
 * dropped. No Protocol Buffers, no storage, no capability check.
 *
 * Run as a child of the benchmark: `node ceiling.js`; it prints
 * `ceiling listening on PORT` to stderr.
 */
import { ACK, ACK_BYTES, SEND, SEND_HEADER_BYTES, encodeRawDeliver, encodeRawSendResults } from "./rawwire.js";
import { serveRaw } from "./rawserver.js";

let entrySeq = 0;
const sockets = serveRaw("ceiling", {
  onFrame(index, frame) {
    if (frame[0] === ACK && (frame.length - 1) % ACK_BYTES === 0) return;
    if (frame[0] !== SEND || frame.length < SEND_HEADER_BYTES) throw new Error(`bad frame of kind ${frame[0]}`);
    const target = sockets[frame.readUInt32LE(5)];
    const ok = target !== undefined && target.readyState === target.OPEN;
    entrySeq = (entrySeq + 1) >>> 0;
    if (ok) target.send(encodeRawDeliver([entrySeq], [frame.subarray(SEND_HEADER_BYTES)]));
    sockets[index]!.send(encodeRawSendResults([frame.readUInt32LE(1)], [ok]));
  },
});
