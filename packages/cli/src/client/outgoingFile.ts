/**
 * What `bote send --file` makes of a file, decided by its content rather than
 * its name: a document goes as it is; bytes named like a photo must be one
 * (the SDK refuses them otherwise, and --as-file sends them as a plain file).
 */
import { createReadStream } from "node:fs";
import { basename, extname } from "node:path";
import { ClientError, type OutgoingFile } from "@bote/client";
import type { Language } from "../messages.js";
import { clientMessages } from "./clientMessages.js";

/** Types by extension for files sent as files; never a photo or voice type, which only the content decides. */
const DOCUMENT_TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".txt": "text/plain",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** What a name promises; the SDK holds the content to it. */
const PHOTO_TYPES: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".gif": "image/gif",
};

export interface SendChoice {
  /** Send the bytes as a plain file: never shown as a photo or played as a voice message. */
  readonly asFile: boolean;
}

/** The file for the SDK's sendFile; `size` as stat found it. */
export function outgoingFile(path: string, size: number, caption: string, choice: SendChoice): OutgoingFile {
  const extension = extname(path).toLowerCase();
  const mediaType = choice.asFile
    ? (DOCUMENT_TYPES[extension] ?? "application/octet-stream")
    : (PHOTO_TYPES[extension] ?? DOCUMENT_TYPES[extension] ?? "application/octet-stream");
  return {
    stream: createReadStream(path, { highWaterMark: 256 * 1024 }),
    size,
    fileName: basename(path),
    mediaType,
    caption,
  };
}

/** The SDK's refusals of a file that the CLI tells in its own words: naming the file and the flag that helps. */
type RefusalCode = keyof ReturnType<typeof clientMessages>["fileRefused"];

function isRefusal(code: string): code is RefusalCode {
  return Object.hasOwn(clientMessages("de").fileRefused, code);
}

/** A refusal of the SDK, with the same code, told in the CLI's words. */
export class FileRefusal extends ClientError {
  constructor(
    private readonly refusal: RefusalCode,
    private readonly fileName: string,
    options: { cause: unknown },
  ) {
    super(refusal, fileName, options);
  }

  override text(language: Language): string {
    return clientMessages(language).fileRefused[this.refusal](this.fileName);
  }
}

/** Runs a send; an SDK refusal of the file comes back as a FileRefusal. */
export async function explainRefusal<T>(path: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    if (err instanceof ClientError && isRefusal(err.code))
      throw new FileRefusal(err.code, basename(path), { cause: err });
    throw err;
  }
}
