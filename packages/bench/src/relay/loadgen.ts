/**
 * The load generator: a child process of the benchmark that holds the
 * WebSocket clients and drives them on command (see ipc.ts). Every client
 * sends 200-byte payloads to uniformly random other clients at its share of
 * a fixed offered rate, keeping at most `window` sends without SendResult in
 * flight, and acknowledges every entry it receives at once. The payload
 * carries the send time (performance.now(), this process's clock), sender,
 * recipient and phase, so latency and routing are checked per message.
 *
 * The hot path uses the hand-written codec in wire.ts, so that the generator
 * spends as little as possible per message.
 */
import { randomBytes, randomFillSync } from "node:crypto";
import { performance } from "node:perf_hooks";
import { ID_BYTES, missingCase } from "@bote/protocol";
import { createIdentities } from "./accounts.js";
import { Client, Phase, STAMP_BYTES, openAll, wireFor, type ClientObserver } from "./client.js";
import { encodeRecipientField, selfCheck } from "./wire.js";
import { cpuSecondsOf, latencyOf, machineBusySeconds, ownCpuSeconds } from "./stats.js";
import type { Command, Identity, LoadResult, LoadSpec, Reply, Request, WireName } from "./ipc.js";

const TICK_MS = 2;

class LoadGenerator implements ClientObserver {
  private identities: Identity[] = [];
  private readonly identitySets = new Map<string, Identity[]>();
  private clients: Client[] = [];
  private wire: WireName = "bote";
  private idle: Client[] = [];
  private phaseTag = 1;
  private faults: string[] = [];
  closedDuringLoad = 0;
  private loading = false;

  fault(text: string): void {
    if (this.faults.length < 20) this.faults.push(text);
  }

  onClientClosed(): void {
    if (this.loading) this.closedDuringLoad++;
  }

  async handle(command: Command): Promise<unknown> {
    switch (command.op) {
      case "relayIdentities": {
        const started = performance.now();
        this.identities = await createIdentities(
          command.baseUrl,
          command.adminInviteToken,
          command.count,
          command.concurrency,
          (done) => process.stderr.write(`  … ${done}/${command.count} devices\n`),
        );
        if (command.set !== undefined) this.identitySets.set(command.set, this.identities);
        return { count: command.count, seconds: (performance.now() - started) / 1000 };
      }
      case "connect": {
        const started = performance.now();
        this.useSet(command.set);
        this.wire = command.wire ?? "bote";
        this.clients = this.makeClients(command.wsUrls ?? [command.wsUrl], command.count, this.wire);
        await openAll(this.clients, command.concurrency);
        return { seconds: (performance.now() - started) / 1000 };
      }
      case "load":
        return this.load(command.load);
      case "disconnect":
        for (const c of this.clients) c.close();
        this.clients = [];
        return {};
      case "idleOpen": {
        const started = performance.now();
        this.useSet(command.set);
        this.idle = this.makeClients([command.wsUrl], command.count, "bote");
        await openAll(this.idle, command.concurrency);
        return { opened: this.idle.filter((c) => !c.closed).length, seconds: (performance.now() - started) / 1000 };
      }
      case "idleClose": {
        const stillOpen = this.idle.filter((c) => !c.closed).length;
        for (const c of this.idle) c.close();
        this.idle = [];
        return { stillOpen };
      }
      default:
        return missingCase(command);
    }
  }

  private useSet(name: string | undefined): void {
    if (name === undefined) return;
    const set = this.identitySets.get(name);
    if (set === undefined) throw new Error(`no identities named ${name}`);
    this.identities = set;
  }

  private makeClients(wsUrls: readonly string[], count: number, wire: WireName): Client[] {
    if (wire === "bote" && count > this.identities.length)
      throw new Error(`only ${this.identities.length} identities for ${count}`);
    return Array.from(
      { length: count },
      (_, i) => new Client(i, wsUrls[i % wsUrls.length]!, this.identities[i], this, wireFor(wire, i)),
    );
  }

  private load(spec: LoadSpec): Promise<LoadResult> {
    const clients = this.clients;
    const n = clients.length;
    if (n < 2) throw new Error("need at least two clients");
    const phase = new Phase(spec, this.phaseTag++);
    // The in-flight total is split evenly, so that every client keeps its share of the loop going.
    const windowOf = (i: number) =>
      spec.inFlight === undefined ? spec.window : Math.floor(spec.inFlight / n) + (i < spec.inFlight % n ? 1 : 0);
    clients.forEach((c, i) => c.setPhase(phase, windowOf(i)));
    const recipientFields =
      this.wire === "bote"
        ? clients.map((_, i) => encodeRecipientField(this.identities[i]!.mailboxId, this.identities[i]!.capability))
        : [];
    const payload = randomBytes(spec.payloadBytes);
    if (spec.payloadBytes < STAMP_BYTES) throw new Error(`payload must be at least ${STAMP_BYTES} bytes`);
    // Message ids are random, as a real client's are; drawn from a pool refilled in bulk.
    const ids = Buffer.allocUnsafe(ID_BYTES * 4096);
    let idOffset = ids.length;
    const sendFrom = (c: Client) => {
      let to = Math.floor(Math.random() * (n - 1));
      if (to >= c.index) to++;
      if (idOffset === ids.length) {
        randomFillSync(ids);
        idOffset = 0;
      }
      c.send(recipientFields[to], to, ids, idOffset, payload);
      idOffset += ID_BYTES;
    };
    const start = performance.now();
    phase.warmupEnd = start + spec.warmupSeconds * 1000;
    phase.windowEnd = phase.warmupEnd + spec.seconds * 1000;
    if (spec.closedLoop === true) {
      phase.refill = (c) => {
        if (performance.now() < phase.windowEnd && c.inFlight < c.window && !c.closed) sendFrom(c);
      };
      for (const c of clients) while (c.inFlight < c.window && !c.closed) sendFrom(c);
    }
    let issued = 0;
    let cursor = 0;
    let cpuAtStart: { gen: number; target: number; machine: number } | undefined;
    let cpu = { generator: NaN, target: NaN, others: NaN };
    this.loading = true;
    this.closedDuringLoad = 0;
    this.faults = [];

    return new Promise<LoadResult>((resolve) => {
      const tick = () => {
        const now = performance.now();
        if (cpuAtStart === undefined && now >= phase.warmupEnd)
          cpuAtStart = { gen: ownCpuSeconds(), target: cpuSecondsOf(spec.targetPid), machine: machineBusySeconds() };
        if (now >= phase.windowEnd) {
          clearInterval(timer);
          const seconds = (now - phase.warmupEnd) / 1000;
          if (cpuAtStart !== undefined) {
            const generator = (ownCpuSeconds() - cpuAtStart.gen) / seconds;
            const target = (cpuSecondsOf(spec.targetPid) - cpuAtStart.target) / seconds;
            const machine = (machineBusySeconds() - cpuAtStart.machine) / seconds;
            cpu = { generator, target, others: Math.max(0, machine - generator - target) };
          }
          drain();
          return;
        }
        if (spec.closedLoop === true) return;
        let due = Math.floor(((now - start) * spec.rate) / 1000) - issued;
        issued += due;
        let progress = true;
        while (due > 0 && progress) {
          progress = false;
          for (let k = 0; k < n && due > 0; k++) {
            const c = clients[cursor]!;
            cursor = cursor + 1 === n ? 0 : cursor + 1;
            if (c.inFlight >= c.window || c.closed) continue;
            sendFrom(c);
            due--;
            progress = true;
          }
        }
        if (due > 0 && now >= phase.warmupEnd) phase.skippedWindowFull += due;
      };
      const timer = setInterval(tick, TICK_MS);

      const drain = () => {
        const drainStart = performance.now();
        const drainEnd = drainStart + spec.drainSeconds * 1000;
        const check = () => {
          const inFlight = clients.reduce((sum, c) => sum + c.inFlight, 0);
          const done = inFlight === 0 && phase.deliveredTotal >= phase.sendOk;
          if (!done && performance.now() < drainEnd) {
            setTimeout(check, 20);
            return;
          }
          this.loading = false;
          for (const c of clients) c.setPhase(undefined);
          const measuredSeconds = (phase.windowEnd - phase.warmupEnd) / 1000;
          if (this.faults.length > 0) process.stderr.write(`loadgen faults:\n  ${this.faults.join("\n  ")}\n`);
          resolve({
            spec,
            measuredSeconds,
            sent: phase.sentWindow,
            skippedWindowFull: phase.skippedWindowFull,
            sendOk: phase.sendOk,
            sendFailed: phase.sendFailed,
            delivered: phase.deliveredWindow,
            deliveredPerSecond: phase.deliveredWindow / measuredSeconds,
            sentPerSecond: phase.sentWindow / measuredSeconds,
            latencyMs: latencyOf(phase.latencies.subarray(0, phase.latencyCount)),
            misrouted: phase.misrouted,
            badPayload: phase.badPayload,
            undelivered: phase.sentTotal - phase.deliveredTotal,
            drainSeconds: (performance.now() - drainStart) / 1000,
            cpu,
          });
        };
        check();
      };
    });
  }
}

function main(): void {
  selfCheck();
  const gen = new LoadGenerator();
  process.on("message", (message: Request) => {
    gen.handle(message.command).then(
      (result) => process.send?.({ ok: true, id: message.id, result } satisfies Reply),
      (error: unknown) =>
        process.send?.({
          ok: false,
          id: message.id,
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        } satisfies Reply),
    );
  });
  process.on("disconnect", () => process.exit(0));
  process.send?.({ ok: true, id: 0, result: "ready" } satisfies Reply);
}

main();
