import { loginSignedBytes } from "@bote/protocol";
import { signWithDevice, type Device } from "@bote/core";
import { bytesFrom, ServerApi } from "./ServerApi.js";

// A token is renewed this long before the server would refuse it.
const RENEW_MARGIN_MS = 5 * 60_000;

/** Logs the device in by signing the server's challenge, and keeps the session token in memory only. */
export class Session {
  private token: { value: string; expiresAt: number } | undefined;
  readonly api: ServerApi;

  constructor(
    baseApi: ServerApi,
    private readonly deviceId: string,
    private readonly device: () => Device,
    private readonly now: () => number,
  ) {
    this.api = baseApi.withSession(() => this.token?.value);
  }

  async sessionToken(renew = false): Promise<string> {
    if (!renew && this.token !== undefined && this.token.expiresAt - RENEW_MARGIN_MS > this.now()) {
      return this.token.value;
    }
    const { challenge } = await this.api.loginChallenge(this.deviceId);
    const signed = loginSignedBytes(bytesFrom(this.deviceId, "deviceId"), bytesFrom(challenge, "challenge"));
    const signature = await signWithDevice(this.device(), signed);
    const login = await this.api.login(this.deviceId, challenge, signature);
    this.token = { value: login.sessionToken, expiresAt: Date.parse(login.expiresAt) };
    return login.sessionToken;
  }

  forget(): void {
    this.token = undefined;
  }
}
