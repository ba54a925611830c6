/**
 * `--peer ejabberd`: Debian's ejabberd (apt install ejabberd), started by the
 * benchmark with its own configuration in a temporary directory, so that the
 * system's /etc/ejabberd and any running ejabberd stay untouched. One node
 * (named after this process), one virtual host, XMPP over WebSocket on a free
 * 127.0.0.1 port, accounts in Mnesia (in-memory tables with a disc copy; no
 * fsync per message), registered through mod_http_api from 127.0.0.1 only; no
 * in-band registration, no shaper, no offline storage, no roster, stream
 * management (XEP-0198) on.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../boteServe.js";
import { XMPP_HOST, XMPP_PASSWORD, xmppUser } from "./xmppwire.js";

export const EJABBERDCTL = "/usr/sbin/ejabberdctl";
/** ejabberdctl runs ejabberd as this user when started by root. */
const INSTALL_USER = "ejabberd";

export function ejabberdConfig(port: number): string {
  return `hosts: ["${XMPP_HOST}"]
loglevel: warning
hide_sensitive_log_data: true
auth_method: [internal]
auth_password_format: plain
listen:
  - port: ${port}
    ip: "127.0.0.1"
    backlog: 1024
    module: ejabberd_http
    request_handlers:
      /ws: ejabberd_http_ws
      /api: mod_http_api
api_permissions:
  "bench registration":
    from: mod_http_api
    who:
      ip: 127.0.0.1/8
    what: ["register"]
shaper_rules:
  c2s_shaper: none
modules:
  mod_stream_mgmt:
    resend_on_timeout: false
`;
}

interface Owner {
  uid: number;
  gid: number;
  home: string;
}

/** uid, gid and home of the install user, from /etc/passwd. */
function installUser(): Owner | undefined {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${INSTALL_USER}:`));
  const [, , uid, gid, , home] = line?.split(":") ?? [];
  return uid === undefined ? undefined : { uid: Number(uid), gid: Number(gid), home: home ?? "/" };
}

/**
 * Runs ejabberdctl as the install user directly. Started by root, ejabberdctl
 * would switch user with `su`, whose PAM limits cut the node to 1,024 file
 * descriptors: too few for 1,000 clients. Our own limit is inherited instead.
 */
function runCtl(args: string[], command: string, owner: Owner | undefined) {
  const asOwner =
    owner !== undefined && process.getuid?.() === 0
      ? { uid: owner.uid, gid: owner.gid, env: { ...process.env, HOME: owner.home, USER: INSTALL_USER } }
      : {};
  return spawnSync(EJABBERDCTL, [...args, command], { encoding: "utf8", timeout: 60_000, ...asOwner });
}

export class Ejabberd {
  private stopped = false;

  private constructor(
    private readonly dir: string,
    private readonly args: string[],
    private readonly owner: Owner | undefined,
    readonly pid: number,
    readonly port: number,
  ) {}

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  static async start(): Promise<Ejabberd> {
    if (!existsSync(EJABBERDCTL))
      throw new Error(`--peer ejabberd: ${EJABBERDCTL} is missing; install it with: apt install ejabberd`);
    const owner = installUser();
    if (process.getuid?.() !== 0 && process.getuid?.() !== owner?.uid)
      throw new Error(`--peer ejabberd: ejabberdctl runs only as root or as ${INSTALL_USER}`);
    const dir = mkdtempSync(join(tmpdir(), "bote-bench-ejabberd-"));
    const port = await freePort();
    mkdirSync(join(dir, "spool"));
    mkdirSync(join(dir, "logs"));
    writeFileSync(join(dir, "ejabberd.yml"), ejabberdConfig(port));
    writeFileSync(
      join(dir, "ejabberdctl.cfg"),
      `ERLANG_NODE=bench${process.pid}@localhost\nPOLL=true\nERL_PROCESSES=250000\nEJABBERD_PID_PATH=${dir}/ejabberd.pid\n`,
    );
    if (existsSync("/etc/ejabberd/inetrc")) copyFileSync("/etc/ejabberd/inetrc", join(dir, "inetrc"));
    chmodSync(dir, 0o755);
    if (owner !== undefined && process.getuid?.() === 0)
      for (const path of ["", "spool", "logs", "ejabberd.yml", "ejabberdctl.cfg", "inetrc"])
        if (existsSync(join(dir, path))) chownSync(join(dir, path), owner.uid, owner.gid);
    const args = ["--config-dir", dir, "--spool", join(dir, "spool"), "--logs", join(dir, "logs")];
    const ctl = (command: string) => runCtl(args, command, owner);
    const started = ctl("start");
    const ready = started.status === 0 ? ctl("started") : started;
    const pidFile = join(dir, "ejabberd.pid");
    if (ready.status !== 0 || !existsSync(pidFile)) {
      const log = existsSync(join(dir, "logs/error.log")) ? readFileSync(join(dir, "logs/error.log"), "utf8") : "";
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`ejabberd did not start: ${ready.stdout}${ready.stderr}${log.slice(-2000)}`);
    }
    const ejabberd = new Ejabberd(dir, args, owner, Number(readFileSync(pidFile, "utf8").trim()), port);
    running.add(ejabberd);
    return ejabberd;
  }

  /** Registers u0…u(count-1) through mod_http_api, `concurrency` at a time. */
  async register(count: number, concurrency: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < count) {
        const user = xmppUser(next++);
        const response = await fetch(`http://127.0.0.1:${this.port}/api/register`, {
          method: "POST",
          body: JSON.stringify({ user, host: XMPP_HOST, password: XMPP_PASSWORD }),
        });
        if (!response.ok) throw new Error(`ejabberd: registering ${user}: ${response.status} ${await response.text()}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  }

  /** Stops the node (ejabberdctl stop, then SIGKILL if it is still there) and deletes its directory. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    running.delete(this);
    runCtl(this.args, "stop", this.owner);
    runCtl(this.args, "stopped", this.owner);
    try {
      // Only if the pid is still our node, not a process that reused it.
      if (readFileSync(`/proc/${this.pid}/cmdline`, "utf8").includes(`bench${process.pid}@`))
        process.kill(this.pid, "SIGKILL");
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const running = new Set<Ejabberd>();

/** For the benchmark's exit handler: no ejabberd it started outlives it. */
export function stopAllEjabberd(): void {
  for (const e of running) e.stop();
}
