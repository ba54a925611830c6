/**
 * One run of the crypto benchmark: the message scenarios in interleaved
 * rounds, then the commits. No node:* here: the browser run bundles it.
 */
import type { Options } from "./options.js";
import type { CommitRow, CryptoResult, FloorFigure, RateFigure } from "./report.js";
import { makeMessagePair, measureAdd, measureRemove, sendOne } from "./scenarios.js";
import type { FloorMessage } from "./webCryptoFloor.js";

/** A floor to measure alongside; the first one is what every "/ floor" divides by. */
export interface Floor {
  label: string;
  message: FloorMessage;
}

/** Runs `op` back to back for about `seconds`; adds to `into`. */
async function runFor(seconds: number, op: () => Promise<unknown> | void, into: RateFigure): Promise<void> {
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  let count = 0;
  while (now < end) {
    await op();
    count++;
    now = performance.now();
  }
  into.messages += count;
  into.seconds += (now - start) / 1000;
}

export async function runCryptoBench(
  o: Options,
  floorsToRun: readonly Floor[],
  log: (text: string) => void = () => {},
): Promise<CryptoResult> {
  const plaintext = crypto.getRandomValues(new Uint8Array(o.payload));
  log(`setting up a 1:1 conversation and a group of ${o.group}`);
  const oneToOnePair = await makeMessagePair(2);
  const groupPair = await makeMessagePair(o.group);
  const floors: FloorFigure[] = floorsToRun.map((f) => ({ label: f.label, messages: 0, seconds: 0 }));
  const oneToOne: RateFigure = { messages: 0, seconds: 0 };
  const group: RateFigure & { size: number } = { messages: 0, seconds: 0, size: o.group };
  // Warm-up: JIT and lazily loaded crypto modules, not counted.
  const warmup = Math.min(0.5, o.seconds / 10);
  for (const floor of floorsToRun) await runFor(warmup, floor.message, { messages: 0, seconds: 0 });
  await runFor(warmup, () => sendOne(oneToOnePair, plaintext), { messages: 0, seconds: 0 });
  await runFor(warmup, () => sendOne(groupPair, plaintext), { messages: 0, seconds: 0 });
  const slice = o.seconds / o.rounds;
  for (let round = 1; round <= o.rounds; round++) {
    log(`messages: round ${round} of ${o.rounds}`);
    for (const [i, floor] of floorsToRun.entries()) await runFor(slice, floor.message, floors[i]!);
    await runFor(slice, async () => (oneToOne.wireBytes = await sendOne(oneToOnePair, plaintext)), oneToOne);
    await runFor(slice, async () => (group.wireBytes = await sendOne(groupPair, plaintext)), group);
  }
  const commits: CommitRow[] = [];
  for (const count of o.adds) {
    log(`adding ${count} members`);
    const add = await measureAdd(count);
    commits.push({ label: `add ${count} to a group of 2`, processLabel: "join", ...add });
  }
  log(`removing one of ${o.group}`);
  const remove = await measureRemove(groupPair, o.group);
  commits.push({ label: `remove 1 of ${o.group}`, processLabel: "member", ...remove });
  return { floors, oneToOne, group, commits };
}
