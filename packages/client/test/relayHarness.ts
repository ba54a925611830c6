/** A RelayConnection wired to a MemoryRelay, a fake clock and a seeded random source. */
import type { Entry } from "@bote/protocol";
import { RelayConnection, type RelayConnectionOptions } from "@bote/client/connectionLayer";
import { FakeClock, MemoryRelay, seededRandom, settle, testSeed } from "@bote/testing";
import type { TestContext } from "node:test";

export const MAILBOX = new Uint8Array(16).fill(7);

export interface Harness {
  readonly seed: number;
  readonly relay: MemoryRelay;
  readonly clock: FakeClock;
  readonly connection: RelayConnection;
  /** Every `renew` flag the connection asked a session token with. */
  readonly tokenRequests: boolean[];
  readonly states: string[];
  revoked: number;
}

/**
 * Builds the pieces; the seed is printed when the test fails (TEST_SEED=<n>
 * replays it). `onEntries` defaults to accepting everything at once.
 */
export function relayHarness(
  t: TestContext,
  options: Partial<Pick<RelayConnectionOptions, "onEntries" | "sessionToken" | "onState" | "quietMs">> & {
    seed?: number;
  } = {},
): Harness {
  const seed = options.seed ?? testSeed();
  const relay = new MemoryRelay();
  const clock = new FakeClock();
  let session = 0;
  relay.addSession("token-0", MAILBOX);
  const tokenRequests: boolean[] = [];
  const states: string[] = [];
  const harness: Harness = {
    seed,
    relay,
    clock,
    tokenRequests,
    states,
    revoked: 0,
    connection: new RelayConnection({
      url: "ws://relay.test/v1/ws",
      openSocket: relay.openSocket,
      sessionToken:
        options.sessionToken ??
        ((renew) => {
          tokenRequests.push(renew);
          if (renew) {
            relay.endSession(`token-${session}`);
            session += 1;
            relay.addSession(`token-${session}`, MAILBOX);
          }
          return Promise.resolve(`token-${session}`);
        }),
      onEntries: options.onEntries ?? ((_entries: readonly Entry[]) => Promise.resolve()),
      onRevoked: () => (harness.revoked += 1),
      onState: (state) => {
        states.push(state);
        options.onState?.(state);
      },
      random: seededRandom(seed),
      timers: clock,
      // The watch for silent sockets adds a timer to every open socket; only its own test turns it on.
      quietMs: options.quietMs ?? 0,
    }),
  };
  t.after(() => {
    harness.connection.stop();
  });
  return harness;
}

/** Runs `body`, and names the seed if it fails, so the run can be replayed. */
export async function withSeed(seed: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    console.error(`failed with TEST_SEED=${seed}`);
    throw err;
  }
}

export { settle };
