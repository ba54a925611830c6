/**
 * One `bote serve` for a benchmark that drives it through the SDK: a free
 * port on 127.0.0.1, a given data directory, the first admin's invitation
 * read once the server wrote it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { BOTE_BIN } from "./relay/paths.js";
import { track } from "./relay/processes.js";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminInvitation: string;
}

/** `extraArgs` are more `bote serve` flags; `needs` are built files without which the run is pointless. */
export async function startBote(
  dataDir: string,
  extraArgs: readonly string[],
  needs: readonly string[] = [],
): Promise<BenchServer> {
  for (const file of [BOTE_BIN, ...needs]) {
    if (!existsSync(file)) throw new Error(`${file} is missing; run tsc -b and npm run build -w @bote/web`);
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = track(
    spawn(
      process.execPath,
      [
        BOTE_BIN,
        ...["serve", "--host", "127.0.0.1", "--port", String(port), "--data", dataDir, "--public-url", url],
        ...["--org-name", "Bench", "--log-level", "warn", ...extraArgs],
      ],
      { stdio: "ignore" },
    ),
  );
  const inviteFile = join(dataDir, "initial-admin-invite");
  for (let waited = 0; !existsSync(inviteFile); waited += 100) {
    if (waited > 30_000 || child.exitCode !== null) throw new Error("bote serve did not start");
    await sleep(100);
  }
  await sleep(100);
  return { child, url, adminInvitation: readFileSync(inviteFile, "utf8").trim() };
}
