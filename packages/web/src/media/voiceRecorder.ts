/**
 * Voice messages from the microphone: MediaRecorder with Opus, in the
 * container this browser records (WebM in Chromium and Firefox, Ogg where
 * only that exists, MP4 in Safari) — the three types the protocol accepts
 * for a voice attachment. The duration is measured here, as MediaRecorder's
 * WebM carries none.
 */
const CONTAINERS = [
  { mimeType: "audio/webm;codecs=opus", mediaType: "audio/webm", extension: "webm" },
  { mimeType: "audio/ogg;codecs=opus", mediaType: "audio/ogg", extension: "ogg" },
  { mimeType: "audio/mp4", mediaType: "audio/mp4", extension: "m4a" },
] as const;

export interface Recording {
  readonly bytes: Uint8Array;
  /** audio/webm, audio/ogg or audio/mp4, without parameters. */
  readonly mediaType: string;
  readonly fileName: string;
  readonly durationMs: number;
}

export type VoiceErrorCode = "voice_unsupported" | "voice_denied";

export class VoiceError extends Error {
  override readonly name = "VoiceError";
  constructor(
    readonly code: VoiceErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
  }
}

export interface VoiceRecorder {
  /** Stops and returns what was recorded. */
  stop(): Promise<Recording>;
  /** Stops and throws the recording away. */
  cancel(): void;
  readonly startedAt: number;
}

/** Asks for the microphone (once per origin) and starts recording. */
export async function startRecording(): Promise<VoiceRecorder> {
  const container =
    typeof MediaRecorder === "undefined"
      ? undefined
      : CONTAINERS.find((c) => MediaRecorder.isTypeSupported(c.mimeType));
  if (container === undefined || navigator.mediaDevices === undefined) throw new VoiceError("voice_unsupported");
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (err) {
    throw new VoiceError("voice_denied", { cause: err });
  }
  const recorder = new MediaRecorder(stream, { mimeType: container.mimeType, audioBitsPerSecond: 32_000 });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => {
    if (event.data.size > 0) chunks.push(event.data);
  };
  const startedAt = performance.now();
  recorder.start();
  const release = () => stream.getTracks().forEach((track) => track.stop());
  return {
    startedAt,
    cancel() {
      recorder.onstop = release;
      recorder.stop();
    },
    stop() {
      return new Promise((resolve, reject) => {
        recorder.onerror = () => (release(), reject(new VoiceError("voice_unsupported")));
        recorder.onstop = () => {
          release();
          const durationMs = Math.round(performance.now() - startedAt);
          void new Blob(chunks)
            .arrayBuffer()
            .then((buffer) =>
              resolve({
                bytes: new Uint8Array(buffer),
                mediaType: container.mediaType,
                fileName: `Sprachnachricht.${container.extension}`,
                durationMs,
              }),
            )
            .catch(reject);
        };
        recorder.stop();
      });
    },
  };
}

/** "0:07", "1:42": minutes and seconds, as voice messages show their length. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}
