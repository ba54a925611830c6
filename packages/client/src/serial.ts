/**
 * Runs tasks one after another. Everything that reads a conversation's state
 * and writes a new one goes through one of these: two concurrent steps from
 * the same state would fork the ratchet (and reuse nonces).
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
