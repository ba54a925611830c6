/**
 * What the README promises a person who installs Bote: `npm ci` on the Node
 * it names installs without an engine warning, and the quick start names the
 * flags it relies on, as `bote serve --help` spells them.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import semver from "semver";
import { bote } from "./support/processes.js";

const repoFile = (name: string) => fileURLToPath(new URL(`../../../../${name}`, import.meta.url));

interface Lockfile {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}

describe("installing Bote as the README says", () => {
  it("every locked package accepts the oldest Node the README names, so npm ci prints no EBADENGINE", async () => {
    const root = JSON.parse(await readFile(repoFile("package.json"), "utf8")) as { engines: { node: string } };
    const oldest = semver.minVersion(root.engines.node)!.version;
    const readme = await readFile(repoFile("README.md"), "utf8");
    assert.match(readme, new RegExp(`Node\\.js 20 \\(≥ ${oldest.replace(/\.0$/, "").replace(/\./g, "\\.")}\\)`));
    const lock = JSON.parse(await readFile(repoFile("package-lock.json"), "utf8")) as Lockfile;
    const refusing = Object.entries(lock.packages)
      .filter(([, p]) => {
        const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
        return range !== undefined && !semver.satisfies(oldest, range);
      })
      .map(([path, p]) => `${path}@${p.version} wants node ${(p.engines as { node: string }).node}`);
    assert.deepEqual(refusing, []);
  });

  it("the quick start names the port flag of `bote serve`", async () => {
    const help = await bote(["serve", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--port <n>/);
    const readme = await readFile(repoFile("README.md"), "utf8");
    const quickStart = readme.slice(readme.indexOf("## Quick start"), readme.indexOf("**In the browser:**"));
    assert.match(quickStart, /npm start -- --port \d+/);
  });
});
