// The crypto benchmark with tiny numbers, so that it cannot rot: every
// scenario runs through @bote/core, on Node and in Chromium, and the table
// ends with the ratio line.
import { existsSync } from "node:fs";
import { it } from "node:test";
import assert from "node:assert/strict";
import { CHROMIUM, runInChromium } from "../src/crypto/browser.js";
import { nodeFloors } from "../src/crypto/floor.js";
import { parseOptions } from "../src/crypto/options.js";
import { report, type CryptoResult } from "../src/crypto/report.js";
import { runCryptoBench } from "../src/crypto/run.js";
import { WEBCRYPTO_FLOOR_LABEL } from "../src/crypto/webCryptoFloor.js";

const tiny = ["--seconds", "0.05", "--rounds", "1", "--group", "3", "--adds", "1,2"];

function assertComplete(result: CryptoResult, floorCount: number, cpu: boolean): void {
  assert.equal(result.floors.length, floorCount);
  for (const figure of [...result.floors, result.oneToOne, result.group]) {
    assert.ok(figure.messages > 0);
  }
  assert.deepEqual(
    result.commits.map((c) => c.label),
    ["add 1 to a group of 2", "add 2 to a group of 2", "remove 1 of 3"],
  );
  assert.ok(result.commits.every((c) => c.commitBytes > 0));
  // Process CPU time only where there is a process.
  assert.ok(result.commits.every((c) => (cpu ? c.commitCpuMs! > 0 : c.commitCpuMs === undefined)));
  assert.match(report(result).split("\n").at(-1)!, /^1:1 message cost \/ floor: \d+\.\d$/);
}

it("bench:crypto measures every scenario and ends with the 1:1 ratio line", { timeout: 30_000 }, async () => {
  const options = parseOptions(tiny);
  assertComplete(await runCryptoBench(options, await nodeFloors(options.payload)), 2, true);
});

it(
  "bench:crypto --browser runs the same scenarios in Chromium against a WebCrypto floor",
  { timeout: 120_000, skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed` },
  async () => {
    const options = parseOptions([...tiny, "--browser"]);
    assert.equal(options.browser, true);
    const { result, browser } = await runInChromium(options, () => {});
    assert.match(browser, /^Chromium \d+/);
    assertComplete(result, 1, false);
    assert.equal(result.floors[0]!.label, WEBCRYPTO_FLOOR_LABEL);
  },
);
