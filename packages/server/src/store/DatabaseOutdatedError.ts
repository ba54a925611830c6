/**
 * A database made before signed certificates: its accounts have no account
 * key and no certificate, and nothing on the server could vouch for one now.
 * The operator starts with a fresh database and every person joins again.
 */
import { BoteError, errorText } from "@bote/protocol";

export class DatabaseOutdatedError extends BoteError {
  constructor() {
    super("database_outdated");
    this.name = "DatabaseOutdatedError";
    // `bote serve` prints the message of a start failure: both languages, since the operator's is unknown here.
    this.message = `${errorText("database_outdated", "de")}\n${errorText("database_outdated", "en")}`;
  }
}
