/** Where the benchmark's pieces are, from the compiled file's own location. */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/bench/dist/src/relay */
export const here = fileURLToPath(new URL(".", import.meta.url));
export const repoRoot = resolve(here, "../../../../..");
export const BOTE_BIN = join(repoRoot, "packages/cli/dist/src/bin.js");
