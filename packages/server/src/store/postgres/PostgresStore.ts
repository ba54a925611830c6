/**
 * The distributed adapter of ServerStore: any number of relay nodes share one
 * PostgreSQL database. Whatever two nodes could race on is settled inside
 * the database (unique constraints, conditional updates, row locks).
 */
import type pg from "pg";
import type { Role } from "@bote/protocol";
import type {
  Account,
  BlobMeta,
  Bytes,
  DevicePrincipal,
  KeyPackageStock,
  Mailbox,
  Member,
  NewInvitation,
  Organisation,
  QueuedEntry,
  RedeemInvitation,
  RedeemResult,
  RelayBatch,
  RelayBatchResult,
  ServerStore,
  SweepResult,
  TakeKeyPackagesResult,
  TakenKeyPackage,
} from "../ServerStore.js";
import { toHex } from "../bytes.js";
import { applyMigrations } from "./migrations.js";
import { openPool } from "./pool.js";
import { commitBatch } from "./commitBatch.js";
import { Rollback, transaction } from "./transaction.js";

export async function openPostgresStore(url: string): Promise<ServerStore> {
  return new PostgresStore(await openPool(url));
}

interface PrincipalRow {
  device_id: Buffer;
  account_id: Buffer;
  org_id: Buffer;
  role: Role;
  display_name: string;
  public_key: Buffer;
}
interface AccountRow {
  id: Buffer;
  org_id: Buffer;
  display_name: string;
  role: Role;
  created_at: string;
}

const PRINCIPAL = `SELECT d.id AS device_id, d.account_id, a.org_id, a.role, a.display_name, d.public_key
  FROM devices d JOIN accounts a ON a.id = d.account_id`;

function principalOf(row: PrincipalRow): DevicePrincipal {
  return {
    deviceId: row.device_id,
    accountId: row.account_id,
    orgId: row.org_id,
    role: row.role,
    displayName: row.display_name,
    publicKey: row.public_key,
  };
}

function accountOf(row: AccountRow): Account {
  return {
    id: row.id,
    orgId: row.org_id,
    displayName: row.display_name,
    role: row.role,
    createdAt: Number(row.created_at),
  };
}

class PostgresStore implements ServerStore {
  readonly kind = "postgres";

  constructor(private readonly pool: pg.Pool) {}

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  migrate(): Promise<void> {
    return applyMigrations(this.pool);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  async createOrganisation(org: Organisation): Promise<void> {
    await this.pool.query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)", [
      org.id,
      org.name,
      org.createdAt,
    ]);
  }

  async listOrganisations(): Promise<Organisation[]> {
    const rows = await this.rows<{ id: Buffer; name: string; created_at: string }>(
      "SELECT * FROM organisations ORDER BY created_at, id",
      [],
    );
    return rows.map((row) => ({ id: row.id, name: row.name, createdAt: Number(row.created_at) }));
  }

  async getOrganisation(id: Bytes): Promise<Organisation | undefined> {
    const [row] = await this.rows<{ id: Buffer; name: string; created_at: string }>(
      "SELECT * FROM organisations WHERE id = $1",
      [id],
    );
    return row && { id: row.id, name: row.name, createdAt: Number(row.created_at) };
  }

  async createInvitation(inv: NewInvitation): Promise<void> {
    await this.pool.query(
      `INSERT INTO invitations (id, org_id, token_hash, role, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [inv.id, inv.orgId, inv.tokenHash, inv.role, inv.expiresAt, inv.createdAt],
    );
  }

  redeemInvitation(r: RedeemInvitation): Promise<RedeemResult> {
    return transaction(this.pool, async (client): Promise<RedeemResult> => {
      // Of two concurrent redeems the second waits on the row, then finds redeemed_at set.
      const claimed = await client.query<{ org_id: Buffer; role: Role }>(
        `UPDATE invitations SET redeemed_at = $2
          WHERE token_hash = $1 AND redeemed_at IS NULL AND expires_at > $2 RETURNING org_id, role`,
        [r.tokenHash, r.now],
      );
      const invitation = claimed.rows[0];
      if (invitation === undefined) {
        const state = await client.query<{ expires_at: string }>(
          "SELECT expires_at FROM invitations WHERE token_hash = $1",
          [r.tokenHash],
        );
        const row = state.rows[0];
        return {
          ok: false,
          code: row === undefined || Number(row.expires_at) <= r.now ? "invitation_invalid" : "invitation_used",
        };
      }
      await client.query(
        "INSERT INTO accounts (id, org_id, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5)",
        [r.accountId, invitation.org_id, r.displayName, invitation.role, r.now],
      );
      const device = await client.query(
        `INSERT INTO devices (id, account_id, public_key, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (public_key) DO NOTHING`,
        [r.deviceId, r.accountId, r.publicKey, r.now],
      );
      if (device.rowCount !== 1) throw new Rollback<RedeemResult>({ ok: false, code: "device_key_taken" });
      await client.query("INSERT INTO mailboxes (id, device_id, retired) VALUES ($1, $2, false)", [
        r.mailboxId,
        r.deviceId,
      ]);
      return { ok: true, orgId: invitation.org_id, role: invitation.role };
    });
  }

  async countAccounts(orgId: Bytes): Promise<number> {
    const [row] = await this.rows<{ n: string }>("SELECT count(*) AS n FROM accounts WHERE org_id = $1", [orgId]);
    return Number(row?.n ?? 0);
  }

  async getDevice(deviceId: Bytes): Promise<DevicePrincipal | undefined> {
    const [row] = await this.rows<PrincipalRow>(`${PRINCIPAL} WHERE d.id = $1`, [deviceId]);
    return row && principalOf(row);
  }

  async getAccount(accountId: Bytes): Promise<Account | undefined> {
    const [row] = await this.rows<AccountRow>("SELECT * FROM accounts WHERE id = $1", [accountId]);
    return row && accountOf(row);
  }

  async listMembers(orgId: Bytes): Promise<Member[]> {
    const accounts = await this.rows<AccountRow>("SELECT * FROM accounts WHERE org_id = $1 ORDER BY created_at, id", [
      orgId,
    ]);
    const devices = await this.rows<{ id: Buffer; account_id: Buffer; public_key: Buffer; created_at: string }>(
      `SELECT d.* FROM devices d JOIN accounts a ON a.id = d.account_id
        WHERE a.org_id = $1 ORDER BY d.created_at, d.id`,
      [orgId],
    );
    const members: Member[] = accounts.map((row) => ({ ...accountOf(row), devices: [] }));
    const byAccount = new Map(members.map((m) => [toHex(m.id), m]));
    for (const d of devices) {
      byAccount.get(d.account_id.toString("hex"))?.devices.push({
        id: d.id,
        accountId: d.account_id,
        publicKey: d.public_key,
        createdAt: Number(d.created_at),
      });
    }
    return members;
  }

  async createChallenge(challenge: Bytes, deviceId: Bytes, expiresAt: number): Promise<void> {
    await this.pool.query("INSERT INTO challenges (challenge, device_id, expires_at) VALUES ($1, $2, $3)", [
      challenge,
      deviceId,
      expiresAt,
    ]);
  }

  async consumeChallenge(challenge: Bytes, deviceId: Bytes, now: number): Promise<boolean> {
    // Deleted whoever presents it: a challenge is single use even when misused.
    const [row] = await this.rows<{ device_id: Buffer; expires_at: string }>(
      "DELETE FROM challenges WHERE challenge = $1 RETURNING device_id, expires_at",
      [challenge],
    );
    return row !== undefined && Number(row.expires_at) > now && row.device_id.equals(deviceId);
  }

  async createSession(tokenHash: Bytes, deviceId: Bytes, expiresAt: number): Promise<void> {
    await this.pool.query("INSERT INTO sessions (token_hash, device_id, expires_at) VALUES ($1, $2, $3)", [
      tokenHash,
      deviceId,
      expiresAt,
    ]);
  }

  async getSession(tokenHash: Bytes, now: number): Promise<DevicePrincipal | undefined> {
    const [row] = await this.rows<PrincipalRow>(
      `${PRINCIPAL} JOIN sessions s ON s.device_id = d.id WHERE s.token_hash = $1 AND s.expires_at > $2`,
      [tokenHash, now],
    );
    return row && principalOf(row);
  }

  async deleteSession(tokenHash: Bytes): Promise<void> {
    await this.pool.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
  }

  addKeyPackages(deviceId: Bytes, oneTime: Bytes[], lastResort: Bytes | undefined, max: number): Promise<boolean> {
    return transaction(this.pool, async (client) => {
      // Serialises uploads of one device, so two cannot both pass the count check.
      await client.query("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE", [deviceId]);
      if ((await stock(client, deviceId)).oneTime + oneTime.length > max) return false;
      if (oneTime.length > 0) {
        await client.query(
          "INSERT INTO key_packages (device_id, data, last_resort) SELECT $1, data, false FROM unnest($2::bytea[]) AS k(data)",
          [deviceId, oneTime],
        );
      }
      if (lastResort !== undefined) {
        await client.query("DELETE FROM key_packages WHERE device_id = $1 AND last_resort", [deviceId]);
        await client.query("INSERT INTO key_packages (device_id, data, last_resort) VALUES ($1, $2, true)", [
          deviceId,
          lastResort,
        ]);
      }
      return true;
    });
  }

  countKeyPackages(deviceId: Bytes): Promise<KeyPackageStock> {
    return stock(this.pool, deviceId);
  }

  takeKeyPackages(accountId: Bytes): Promise<TakeKeyPackagesResult> {
    return transaction(this.pool, async (client) => {
      const devices = await client.query<{ device_id: Buffer; mailbox_id: Buffer | null }>(
        `SELECT d.id AS device_id, m.id AS mailbox_id FROM devices d
           LEFT JOIN mailboxes m ON m.device_id = d.id AND NOT m.retired
          WHERE d.account_id = $1 ORDER BY d.created_at, d.id`,
        [accountId],
      );
      const taken: TakenKeyPackage[] = [];
      const unavailable: Bytes[] = [];
      for (const { device_id: deviceId, mailbox_id: mailboxId } of devices.rows) {
        // A device without a current mailbox could not be reached by the Welcome.
        if (mailboxId === null) {
          unavailable.push(deviceId);
          continue;
        }
        // SKIP LOCKED: a concurrent taker holding the oldest package makes this one take the next.
        const oneTime = await client.query<{ data: Buffer }>(
          `DELETE FROM key_packages WHERE id =
             (SELECT id FROM key_packages WHERE device_id = $1 AND NOT last_resort
               ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
           RETURNING data`,
          [deviceId],
        );
        const lastResort =
          oneTime.rows[0] === undefined
            ? await client.query<{ data: Buffer }>(
                "SELECT data FROM key_packages WHERE device_id = $1 AND last_resort",
                [deviceId],
              )
            : undefined;
        const data = oneTime.rows[0]?.data ?? lastResort?.rows[0]?.data;
        if (data === undefined) {
          unavailable.push(deviceId);
          continue;
        }
        const remaining = (await stock(client, deviceId)).oneTime;
        taken.push({ deviceId, data, lastResort: lastResort !== undefined, remaining, mailboxId });
      }
      return { taken, unavailable };
    });
  }

  async listMailboxes(deviceId: Bytes): Promise<Mailbox[]> {
    const rows = await this.rows<{ id: Buffer; device_id: Buffer; retired: boolean }>(
      "SELECT id, device_id, retired FROM mailboxes WHERE device_id = $1 ORDER BY retired, id",
      [deviceId],
    );
    return rows.map((row) => ({ id: row.id, deviceId: row.device_id, retired: row.retired }));
  }

  rotateMailbox(deviceId: Bytes, newMailboxId: Bytes): Promise<void> {
    return transaction(this.pool, async (client) => {
      // Two rotations at once would otherwise each retire the old mailbox and both insert a current one.
      await client.query("SELECT 1 FROM devices WHERE id = $1 FOR NO KEY UPDATE", [deviceId]);
      await client.query("UPDATE mailboxes SET retired = true WHERE device_id = $1 AND NOT retired", [deviceId]);
      await client.query("INSERT INTO mailboxes (id, device_id, retired) VALUES ($1, $2, false)", [
        newMailboxId,
        deviceId,
      ]);
    });
  }

  deleteDrainedMailboxes(deviceId: Bytes): Promise<number> {
    return transaction(this.pool, async (client) => {
      // Once locked, no send can add an entry, and the NOT EXISTS below
      // (a new statement, a new snapshot) sees every entry committed before.
      const locked = await client.query<{ id: Buffer }>(
        "SELECT id FROM mailboxes WHERE device_id = $1 AND retired ORDER BY id FOR UPDATE",
        [deviceId],
      );
      if (locked.rows.length === 0) return 0;
      const deleted = await client.query(
        `DELETE FROM mailboxes m WHERE m.id = ANY($1::bytea[])
            AND NOT EXISTS (SELECT 1 FROM queue q WHERE q.mailbox_id = m.id)`,
        [locked.rows.map((row) => row.id)],
      );
      return deleted.rowCount ?? 0;
    });
  }

  commitBatch(batch: RelayBatch): Promise<RelayBatchResult> {
    return transaction(this.pool, (client) => commitBatch(client, batch));
  }

  async fetchQueue(mailboxIds: Bytes[], afterEntryId: number, limit: number, now: number): Promise<QueuedEntry[]> {
    const result = await this.pool.query<{ id: string; mailbox_id: Buffer; payload: Buffer }>({
      name: "bote_fetch_queue",
      text: `SELECT q.id, q.mailbox_id, e.payload FROM queue q JOIN envelopes e ON e.id = q.envelope_id
              WHERE q.mailbox_id = ANY($1::bytea[]) AND q.id > $2 AND q.expires_at > $4 AND e.payload IS NOT NULL
              ORDER BY q.id LIMIT $3`,
      values: [mailboxIds, afterEntryId, limit, now],
    });
    return result.rows.map((row) => ({ entryId: Number(row.id), mailboxId: row.mailbox_id, payload: row.payload }));
  }

  async createBlob(meta: BlobMeta): Promise<void> {
    await this.pool.query("INSERT INTO blobs (id, size, expires_at) VALUES ($1, $2, $3)", [
      meta.id,
      meta.size,
      meta.expiresAt,
    ]);
  }

  async getBlob(id: Bytes, now: number): Promise<BlobMeta | undefined> {
    const [row] = await this.rows<{ id: Buffer; size: string; expires_at: string }>(
      "SELECT id, size, expires_at FROM blobs WHERE id = $1 AND expires_at > $2",
      [id, now],
    );
    return row && { id: row.id, size: Number(row.size), expiresAt: Number(row.expires_at) };
  }

  sweep(now: number): Promise<SweepResult> {
    return transaction(this.pool, async (client) => {
      // Entries expire with their envelope; deleting them first keeps the two consistent.
      const entries = await client.query("DELETE FROM queue WHERE expires_at <= $1", [now]);
      const envelopes = await client.query("DELETE FROM envelopes WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM challenges WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM sessions WHERE expires_at <= $1", [now]);
      await client.query("DELETE FROM invitations WHERE redeemed_at IS NULL AND expires_at <= $1", [now]);
      const blobs = await client.query<{ id: Buffer }>("DELETE FROM blobs WHERE expires_at <= $1 RETURNING id", [now]);
      return {
        entries: entries.rowCount ?? 0,
        envelopes: envelopes.rowCount ?? 0,
        blobs: blobs.rows.map((row) => row.id),
      };
    });
  }
}

async function stock(db: pg.Pool | pg.PoolClient, deviceId: Bytes): Promise<KeyPackageStock> {
  const result = await db.query<{ one_time: string; last_resort: string }>(
    `SELECT count(*) FILTER (WHERE NOT last_resort) AS one_time, count(*) FILTER (WHERE last_resort) AS last_resort
       FROM key_packages WHERE device_id = $1`,
    [deviceId],
  );
  const row = result.rows[0];
  return { oneTime: Number(row?.one_time ?? 0), lastResort: Number(row?.last_resort ?? 0) > 0 };
}
