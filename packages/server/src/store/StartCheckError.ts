/**
 * A start-up check failed: the data directory cannot be written, or the
 * SQLite file is damaged. `bote serve` prints this and exits instead of
 * starting and failing on the first write (issue 14).
 */
import { BoteError, errorText } from "@bote/protocol";

export type StartCheckProblem = "database_corrupt" | "data_directory_unwritable";

export class StartCheckError extends BoteError {
  constructor(
    code: StartCheckProblem,
    readonly location: string,
    reason: string,
  ) {
    super(code);
    this.name = "StartCheckError";
    // Both languages: the operator's is unknown here. The path and the system's words help find the fault.
    this.message = `${errorText(code, "de")}\n${errorText(code, "en")}\n${location}: ${reason}`;
  }
}
