/**
 * A database a newer Bote has migrated: this version knows only some of its
 * schema and would write rows the newer one does not expect. Refused at
 * start, so that a rollback goes through the backup taken before the upgrade.
 */
import { BoteError, errorText } from "@bote/protocol";

export class DatabaseNewerError extends BoteError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super("database_newer");
    this.name = "DatabaseNewerError";
    // `bote serve` prints the message of a start failure: both languages, since the operator's is unknown here.
    this.message = `${errorText("database_newer", "de")}\n${errorText("database_newer", "en")}\n(schema ${found} > ${known})`;
  }
}
