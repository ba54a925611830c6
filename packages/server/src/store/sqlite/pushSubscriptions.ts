/** Web Push subscriptions in SQLite: one per device, gone with the device by cascade. */
import type Database from "better-sqlite3";
import type { Bytes, PushSubscription } from "../ServerStore.js";

interface Row {
  device_id: Buffer;
  endpoint: string;
  p256dh: Buffer;
  auth: Buffer;
}

export class SqlitePushSubscriptions {
  private readonly put;
  private readonly ofMailbox;
  private readonly deleteAny;
  private readonly deleteOne;

  constructor(db: Database.Database) {
    const clear = db.prepare<[Bytes, string]>("DELETE FROM push_subscriptions WHERE device_id = ? OR endpoint = ?");
    const insert = db.prepare<[Bytes, string, Bytes, Bytes]>(
      "INSERT INTO push_subscriptions (device_id, endpoint, p256dh, auth) VALUES (?, ?, ?, ?)",
    );
    // One transaction: the device's old subscription, and this endpoint under another device, make way.
    this.put = db.transaction((deviceId: Bytes, s: PushSubscription) => {
      clear.run(deviceId, s.endpoint);
      insert.run(deviceId, s.endpoint, s.p256dh, s.auth);
    });
    this.ofMailbox = db.prepare<[Bytes], Row>(
      `SELECT p.device_id, p.endpoint, p.p256dh, p.auth FROM mailboxes m
         JOIN push_subscriptions p ON p.device_id = m.device_id WHERE m.id = ?`,
    );
    this.deleteAny = db.prepare<[Bytes]>("DELETE FROM push_subscriptions WHERE device_id = ?");
    this.deleteOne = db.prepare<[Bytes, string]>("DELETE FROM push_subscriptions WHERE device_id = ? AND endpoint = ?");
  }

  store(deviceId: Bytes, subscription: PushSubscription): void {
    this.put.immediate(deviceId, subscription);
  }

  ofMailboxId(mailboxId: Bytes): (PushSubscription & { deviceId: Bytes }) | undefined {
    const row = this.ofMailbox.get(mailboxId);
    return row && { deviceId: row.device_id, endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth };
  }

  delete(deviceId: Bytes, endpoint?: string): boolean {
    const result = endpoint === undefined ? this.deleteAny.run(deviceId) : this.deleteOne.run(deviceId, endpoint);
    return result.changes > 0;
  }
}
