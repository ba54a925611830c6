/**
 * The package boundaries in eslint.config.js fire: fixture files linted through ESLint's Node API, as if
 * they lay in each package, so a zone that stops matching fails here rather than passing silently.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";

const repo = fileURLToPath(new URL("../../../../", import.meta.url));
// The fixtures are not on disk, so no TypeScript project knows them: only the syntactic rules run.
const eslint = new ESLint({
  cwd: repo,
  overrideConfig: [{ files: ["**/*.ts", "**/*.tsx"], ...tseslint.configs.disableTypeChecked }],
});

const boundaryRules = new Set(["no-restricted-imports", "bote/relative-import-stays-home"]);

/** The boundary rules that fire for `code` placed at `path` (relative to the repository). */
async function rulesFiring(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath: `${repo}${path}` });
  assert.ok(result !== undefined);
  const fatal = result.messages.filter((m) => m.fatal === true);
  assert.deepEqual(fatal, [], `${path} parses`);
  return result.messages
    .filter((m) => m.ruleId !== null && boundaryRules.has(m.ruleId))
    .map((m) => `${m.ruleId}: ${m.message}`);
}

const zones: [path: string, code: string, fires: RegExp | null][] = [
  ["packages/protocol/src/zoneFixture.ts", 'import "@bote/core";', /no-restricted-imports: .*no other Bote package/],
  ["packages/protocol/src/zoneFixture.ts", 'import { BoteError } from "@bote/server";', /no-restricted-imports/],
  ["packages/protocol/src/zoneFixture.ts", 'import { readFile } from "node:fs/promises";', /no-restricted-imports/],
  ["packages/core/src/zoneFixture.ts", 'import { BoteClient } from "@bote/client";', /no-restricted-imports/],
  ["packages/core/src/zoneFixture.ts", 'import { freePort } from "@bote/testing";', /no-restricted-imports/],
  ["packages/core/src/zoneFixture.ts", 'import { BoteError } from "@bote/protocol";', null],
  ["packages/client/src/zoneFixture.ts", 'import { buildServer } from "@bote/server";', /no-restricted-imports/],
  ["packages/client/src/zoneFixture.ts", 'import { sendText } from "@bote/core";', null],
  ["packages/server/src/zoneFixture.ts", 'import { createGroup } from "@bote/core";', /no-restricted-imports/],
  [
    "packages/server/src/zoneFixture.ts",
    'import { BoteClient } from "@bote/client/staffCsv";',
    /no-restricted-imports/,
  ],
  ["packages/server/src/zoneFixture.ts", 'import { readFile } from "node:fs/promises";', null],
  ["packages/web/src/app/ui/ZoneFixture.tsx", 'import { buildServer } from "@bote/server";', /no-restricted-imports/],
  [
    "packages/web/src/app/ui/ZoneFixture.tsx",
    'import { requireClient } from "../state/session.js";',
    /requireClient|state action/,
  ],
  ["packages/cli/src/zoneFixture.ts", 'import { buildServer } from "@bote/server";', null],
  [
    "packages/cli/src/zoneFixture.ts",
    'import { sendText } from "../../core/src/index.js";',
    /bote\/relative-import-stays-home: .*@bote\/core/,
  ],
  [
    "packages/server/test/zoneFixture.ts",
    'import { runCli } from "../../cli/src/cli.js";',
    /relative-import-stays-home/,
  ],
  ["packages/server/test/zoneFixture.ts", 'import { buildServer } from "../src/buildServer.js";', null],
  ["packages/server/src/zoneFixture.ts", 'import { startTestServer } from "../test/support/server.js";', /leaves src/],
  [
    "packages/server/src/http/zoneFixture.ts",
    'export { parse } from "../../../../scripts/x.mjs";',
    /leaves packages\/server/,
  ],
  [
    "packages/client/src/zoneFixture.ts",
    'const m = await import("../../web/src/index.js");',
    /relative-import-stays-home/,
  ],
];

describe("lint zones between the packages", () => {
  for (const [path, code, fires] of zones) {
    it(`${path}: ${code} ${fires === null ? "passes" : "is refused"}`, async () => {
      const messages = await rulesFiring(path, code);
      if (fires === null) assert.deepEqual(messages, []);
      else
        assert.ok(
          messages.some((m) => fires.test(m)),
          `expected ${String(fires)}, got ${JSON.stringify(messages)}`,
        );
    });
  }
});
