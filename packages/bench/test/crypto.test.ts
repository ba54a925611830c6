// The crypto benchmark with tiny numbers, so that it cannot rot: every
// scenario runs through @bote/core and the table ends with the ratio line.
import { it } from "node:test";
import assert from "node:assert/strict";
import { parseOptions } from "../src/crypto/options.js";
import { report } from "../src/crypto/report.js";
import { runCryptoBench } from "../src/crypto/run.js";

it("bench:crypto measures every scenario and ends with the 1:1 ratio line", { timeout: 30_000 }, async () => {
  const options = parseOptions(["--seconds", "0.05", "--rounds", "1", "--group", "3", "--adds", "1,2"]);
  const result = await runCryptoBench(options);
  for (const figure of [result.floor, result.webCryptoFloor, result.oneToOne, result.group]) {
    assert.ok(figure.messages > 0);
  }
  assert.deepEqual(
    result.commits.map((c) => c.label),
    ["add 1 to a group of 2", "add 2 to a group of 2", "remove 1 of 3"],
  );
  assert.ok(result.commits.every((c) => c.commitBytes > 0));
  assert.match(report(result).split("\n").at(-1)!, /^1:1 message cost \/ floor: \d+\.\d$/);
});
