/**
 * `npm run bench:crypto`: what MLS costs through @bote/core, against the
 * floor measured in the same run (floor.ts: one AES-GCM seal+open and one
 * Ed25519 sign+verify per message with the platform's native primitives,
 * node:crypto called synchronously; the same through WebCrypto is a second
 * row). Measures
 *   - encrypt + decrypt per message, 1:1 and in a group, interleaved with
 *     both floors in rounds so that load from elsewhere on the machine hits
 *     all alike,
 *   - adding 10/100/500 members in one commit and removing one (time to
 *     create, time for one member to process, bytes),
 * and prints a table whose last line is `1:1 message cost / floor: X.X`.
 * Every figure is a ratio to the floor, since the machine is shared.
 * `--browser` runs the same in Chromium against a WebCrypto floor
 * measured in the same page (browser.ts).
 */
import { DEFAULT_CIPHERSUITE } from "@bote/core";
import { runInChromium } from "./browser.js";
import { nodeFloors } from "./floor.js";
import { parseOptions, UsageError, type Options } from "./options.js";
import { machineLine, report, type CryptoResult } from "./report.js";
import { runCryptoBench } from "./run.js";

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      log(err.message);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  let result: CryptoResult;
  let platform = machineLine();
  if (options.browser) {
    const run = await runInChromium(options, log);
    result = run.result;
    platform += `, ${run.browser}`;
  } else {
    result = await runCryptoBench(options, await nodeFloors(options.payload), log);
  }
  process.stdout.write(`${platform}\n${DEFAULT_CIPHERSUITE}, ${options.payload}-byte messages\n\n${report(result)}\n`);
}

await main();
