/**
 * A small tmpfs of the test's own, for disk faults that chmod cannot make
 * for root: a full disk (filled with a file) and a read-only mount. Mounting
 * needs root; elsewhere the tests skip and say why, but under CI=true a
 * mount that fails fails the run.
 */
import { execFile } from "node:child_process";
import { mkdtemp, open, rm, rmdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Tmpfs {
  /** The mount point; tests use a directory below it (the mount point itself cannot be removed). */
  readonly dir: string;
  /** Writes a file until the file system is full (ENOSPC). */
  fill(): Promise<void>;
  /** Deletes what fill wrote. */
  unfill(): Promise<void>;
  remount(mode: "ro" | "rw"): Promise<void>;
  /** Unmounts (lazily, so a process still holding a file cannot keep it) and removes the mount point. */
  unmount(): Promise<void>;
}

let possible: Promise<string | undefined> | undefined;

/** undefined when this process can mount a tmpfs; otherwise the reason to skip (printed). */
export function tmpfsSkipReason(): Promise<string | undefined> {
  possible ??= (async () => {
    let reason: string | undefined;
    if (process.getuid?.() !== 0) reason = "mounting a tmpfs needs root";
    else {
      try {
        const probe = await mountTmpfs("1m");
        await probe.unmount();
      } catch (error) {
        reason = `mount -t tmpfs failed: ${(error as Error).message}`;
      }
    }
    if (reason === undefined) return undefined;
    if (process.env.CI === "true") throw new Error(`${reason} (CI=true: the disk fault tests must run)`);
    console.log(`# skipping the disk fault tests: ${reason}`);
    return reason;
  })();
  return possible;
}

export async function mountTmpfs(size: string): Promise<Tmpfs> {
  const dir = await mkdtemp(join(tmpdir(), "bote-tmpfs-"));
  try {
    await run("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
  } catch (error) {
    await rmdir(dir).catch(() => undefined);
    throw error;
  }
  const filler = join(dir, "filler");
  let mounted = true;
  return {
    dir,
    async fill() {
      const file = await open(filler, "a");
      const chunk = Buffer.alloc(64 * 1024, 0x5a);
      try {
        for (;;) await file.write(chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      } finally {
        await file.close();
      }
      // The last partial chunk can leave a few bytes free; fill those too.
      const tail = await open(filler, "a");
      try {
        for (;;) await tail.write(Buffer.alloc(512));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      } finally {
        await tail.close();
      }
    },
    async unfill() {
      await rm(filler, { force: true });
    },
    async remount(mode) {
      await run("mount", ["-o", `remount,${mode}`, dir]);
    },
    async unmount() {
      if (!mounted) return;
      mounted = false;
      await run("umount", ["-l", dir]);
      await rmdir(dir);
    },
  };
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`${command} ${args.join(" ")}: ${stderr.trim() || error.message}`));
    });
  });
}
