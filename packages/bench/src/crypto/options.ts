/** The command line of `npm run bench:crypto`, parsed and bounded before anything starts. */

export interface Options {
  /** Measured seconds per message scenario (floor, 1:1, group), split over `rounds`. */
  seconds: number;
  rounds: number;
  payload: number;
  group: number;
  adds: number[];
  /** Run the scenarios in Chromium against a WebCrypto floor measured in the same page. */
  browser: boolean;
}

export const USAGE = `usage: npm run bench:crypto -- [options]
  --seconds S     measured seconds per message scenario, split over the rounds (6)
  --rounds N      rounds that interleave floor, 1:1 and group, so that load from
                  elsewhere hits all alike (3)
  --payload BYTES application message size (100)
  --group N       members of the group for messages and the removal (100)
  --adds LIST     members added in one commit, comma-separated (10,100,500)
  --browser       run the same scenarios in Chromium (/usr/bin/chromium), against
                  a WebCrypto floor measured in the same page`;

export class UsageError extends Error {}

function bounded(name: string, text: string | undefined, min: number, max: number, integer: boolean): number {
  const value = Number(text);
  if (
    text === undefined ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw new UsageError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
  }
  return value;
}

export function parseOptions(argv: readonly string[]): Options {
  const o: Options = { seconds: 6, rounds: 3, payload: 100, group: 100, adds: [10, 100, 500], browser: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--seconds":
        o.seconds = bounded(flag, value(), 0.05, 600, false);
        break;
      case "--rounds":
        o.rounds = bounded(flag, value(), 1, 100, true);
        break;
      case "--payload":
        o.payload = bounded(flag, value(), 1, 1_000_000, true);
        break;
      case "--group":
        o.group = bounded(flag, value(), 3, 5000, true);
        break;
      case "--adds":
        o.adds = (value() ?? "").split(",").map((n) => bounded(flag, n, 1, 5000, true));
        break;
      case "--browser":
        o.browser = true;
        break;
      case "--help":
      case "-h":
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return o;
}
