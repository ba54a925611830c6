/**
 * Issue 14: a server that cannot store closes sockets with 1013
 * (store_unavailable) or answers HTTP 503. The SDK must not reconnect in a
 * tight loop then: it backs off with full jitter up to 30 s and comes back
 * to the short backoff once a send succeeds. Time is virtual (mocked
 * timers), the socket is a scripted stand-in for the server.
 */
import { afterEach, beforeEach, it, mock } from "node:test";
import assert from "node:assert/strict";
import { ClientError, RelayConnection, type RelaySocket, type SocketHandlers } from "@bote/client";
import { decodeClientFrame, encodeServerFrame, PROTOCOL_VERSION } from "@bote/protocol";

type Answer = "storeFault" | "ok";

/** A scripted server: every socket is answered by `answer()` at its Hello, and each attempt's virtual time is kept. */
class ScriptedServer {
  readonly attempts: number[] = [];
  answer: () => Answer = () => "ok";
  handlers: SocketHandlers | undefined;

  constructor(private readonly clock: { now: number }) {}

  open = (_url: string, handlers: SocketHandlers): RelaySocket => {
    this.attempts.push(this.clock.now);
    this.handlers = handlers;
    queueMicrotask(() => handlers.onOpen());
    return {
      send: (data) => {
        const frame = decodeClientFrame(data);
        if (frame.case === "hello") {
          if (this.answer() === "storeFault") {
            queueMicrotask(() => handlers.onClose(1013, "store_unavailable"));
            return;
          }
          const helloOk = encodeServerFrame({
            case: "helloOk",
            value: {
              $typeName: "bote.v1.HelloOk",
              protocolVersion: PROTOCOL_VERSION,
              receiving: true,
              pingIntervalSeconds: 30,
            },
          });
          queueMicrotask(() => handlers.onMessage(helloOk));
        }
        if (frame.case === "send") {
          const result = encodeServerFrame({
            case: "sendResult",
            value: {
              $typeName: "bote.v1.SendResult",
              requestId: frame.value.requestId,
              errorCode: "",
              rejected: [],
              duplicate: false,
              currentEpoch: 0n,
            },
          });
          queueMicrotask(() => handlers.onMessage(result));
        }
      },
      close: (code = 1000, reason = "") => queueMicrotask(() => handlers.onClose(code, reason)),
    };
  };

  /** The server drops the open socket for a reason that is not the store's (a restart). */
  drop(): void {
    this.handlers?.onClose(1001, "going away");
  }
}

const clock = { now: 0 };

beforeEach(() => {
  clock.now = 0;
  mock.timers.enable({ apis: ["setTimeout"] });
});
afterEach(() => mock.timers.reset());

/** Advances virtual time in small steps, letting the promises between timers settle. */
async function advance(ms: number): Promise<void> {
  for (let step = 0; step < ms; step += 50) {
    clock.now += 50;
    mock.timers.tick(50);
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function gaps(times: readonly number[]): number[] {
  return times.slice(1).map((t, i) => t - times[i]!);
}

it("backs off up to 30 s while the server closes with 1013, and fast again after a successful send", async () => {
  const server = new ScriptedServer(clock);
  server.answer = () => "storeFault";
  const connection = new RelayConnection({
    url: "ws://bote.test/v1/ws",
    openSocket: server.open,
    sessionToken: () => Promise.resolve("token"),
    onEntries: () => Promise.resolve(),
    random: () => 0.5,
  });
  connection.start().catch(() => undefined);
  await advance(120_000);
  // The short backoff (2 s ceiling, half of it pinned here) would make over a hundred attempts in two minutes.
  assert.ok(
    server.attempts.length <= 12,
    `${server.attempts.length} attempts in 120 s: ${gaps(server.attempts).join(",")}`,
  );
  const waits = gaps(server.attempts);
  assert.ok(
    waits.every((wait, i) => i === 0 || wait >= waits[i - 1]!),
    `the waits grow: ${waits.join(",")}`,
  );
  assert.ok(Math.max(...waits) <= 30_000 && Math.max(...waits) >= 10_000, `capped at 30 s: ${waits.join(",")}`);

  // The store is back: the next attempt gets in, a send goes through, and a later drop reconnects quickly.
  server.answer = () => "ok";
  const opened = connection.start();
  await advance(31_000);
  await opened;
  const result = connection.send({ messageId: new Uint8Array(16), recipients: [] } as unknown as Parameters<
    RelayConnection["send"]
  >[0]);
  await advance(100);
  assert.equal((await result).errorCode, "");
  const before = server.attempts.length;
  const droppedAt = clock.now;
  server.drop();
  await advance(3_000);
  assert.equal(server.attempts.length, before + 1);
  assert.ok(server.attempts.at(-1)! - droppedAt <= 2_000, "after a success the short backoff applies again");
  connection.stop();
});

it("backs off the same way while the login answers HTTP 503 (store_unavailable or a proxy's unavailable)", async () => {
  const server = new ScriptedServer(clock);
  let logins = 0;
  const connection = new RelayConnection({
    url: "ws://bote.test/v1/ws",
    openSocket: server.open,
    sessionToken: () => {
      logins += 1;
      return Promise.reject(new ClientError(logins % 2 === 0 ? "store_unavailable" : "unavailable"));
    },
    onEntries: () => Promise.resolve(),
    random: () => 0.5,
  });
  connection.start().catch(() => undefined);
  await advance(120_000);
  assert.ok(logins <= 12, `${logins} logins in 120 s`);
  assert.equal(server.attempts.length, 0);
  connection.stop();
});
