import { loginSignedBytes } from "@bote/protocol";
import { isGuest, signWithDevice, type Device } from "@bote/core";
import { ClientError } from "./clientError.js";
import { bytesFrom, ServerApi } from "./ServerApi.js";

// A token is renewed this long before the server would refuse it.
const RENEW_MARGIN_MS = 5 * 60_000;

export interface SessionToken {
  readonly value: string;
  /** Milliseconds since 1970. */
  readonly expiresAt: number;
}

/**
 * Where a short-lived process (a `bote` command) keeps its session token
 * between runs, so it need not log in each time: two requests to the
 * server's rate-limited public endpoints per command would throttle a
 * script. The token is a bearer secret; keep it where the device keys are.
 */
export interface SessionCache {
  load(): Promise<SessionToken | undefined>;
  save(token: SessionToken | undefined): Promise<void>;
}

/** Logs the device in by signing the server's challenge; keeps the token in memory (and in the cache, if given). */
export class Session {
  private token: SessionToken | undefined;
  private loaded = false;
  readonly api: ServerApi;

  constructor(
    private readonly baseApi: ServerApi,
    private readonly deviceId: string,
    private readonly device: () => Device,
    private readonly now: () => number,
    private readonly cache?: SessionCache,
  ) {
    this.api = baseApi.withSession(
      () => this.token?.value,
      async () => {
        await this.sessionToken(true);
      },
    );
  }

  async sessionToken(renew = false): Promise<string> {
    if (!this.loaded && this.cache !== undefined) {
      this.loaded = true;
      this.token = await this.cache.load();
    }
    if (!renew && this.token !== undefined && this.token.expiresAt - RENEW_MARGIN_MS > this.now()) {
      return this.token.value;
    }
    // Through the API without the session: a login carrying the old token would renew on its own 401, in a loop.
    const { challenge } = await this.baseApi.loginChallenge(this.deviceId);
    const signed = loginSignedBytes(bytesFrom(this.deviceId, "deviceId"), bytesFrom(challenge, "challenge"));
    const signature = await signWithDevice(this.device(), signed);
    const login = await this.baseApi.login(this.deviceId, challenge, signature).catch((error: unknown) => {
      // A customer's guest account that the business erased, or that expired: the server no longer knows the device.
      if (error instanceof ClientError && error.code === "challenge_invalid" && isGuest(this.device().credential))
        throw new ClientError("inquiry_gone");
      throw error;
    });
    this.token = { value: login.sessionToken, expiresAt: Date.parse(login.expiresAt) };
    await this.cache?.save(this.token);
    return login.sessionToken;
  }
}
