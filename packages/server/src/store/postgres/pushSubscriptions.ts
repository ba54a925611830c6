/** Web Push subscriptions in PostgreSQL: one per device, gone with the device by cascade. */
import type pg from "pg";
import type { Bytes, PushSubscription } from "../ServerStore.js";
import { transaction } from "./transaction.js";

interface Row {
  device_id: Buffer;
  endpoint: string;
  p256dh: Buffer;
  auth: Buffer;
}

export function putPushSubscription(pool: pg.Pool, deviceId: Bytes, s: PushSubscription): Promise<void> {
  return transaction(pool, async (client) => {
    // The device's old subscription, and this endpoint under another device, make way.
    await client.query("DELETE FROM push_subscriptions WHERE device_id = $1 OR endpoint = $2", [deviceId, s.endpoint]);
    await client.query("INSERT INTO push_subscriptions (device_id, endpoint, p256dh, auth) VALUES ($1, $2, $3, $4)", [
      deviceId,
      s.endpoint,
      s.p256dh,
      s.auth,
    ]);
  });
}

export async function pushSubscriptionOfMailbox(
  pool: pg.Pool,
  mailboxId: Bytes,
): Promise<(PushSubscription & { deviceId: Bytes }) | undefined> {
  const result = await pool.query<Row>(
    `SELECT p.device_id, p.endpoint, p.p256dh, p.auth FROM mailboxes m
       JOIN push_subscriptions p ON p.device_id = m.device_id WHERE m.id = $1`,
    [mailboxId],
  );
  const row = result.rows[0];
  return row && { deviceId: row.device_id, endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth };
}

export async function deletePushSubscription(pool: pg.Pool, deviceId: Bytes, endpoint?: string): Promise<boolean> {
  const result =
    endpoint === undefined
      ? await pool.query("DELETE FROM push_subscriptions WHERE device_id = $1", [deviceId])
      : await pool.query("DELETE FROM push_subscriptions WHERE device_id = $1 AND endpoint = $2", [deviceId, endpoint]);
  return (result.rowCount ?? 0) > 0;
}
