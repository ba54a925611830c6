/**
 * The inactivity lock's clock: calls `onIdle` once after `ms` without a
 * touch, click, key or scroll in this page. A hidden tab's time counts too
 * (timers are throttled there, so it also checks when the page shows again).
 */
export const INACTIVITY_LOCK_MS = 5 * 60_000;

const ACTIVITY = ["pointerdown", "keydown", "wheel", "touchstart", "scroll"] as const;

export function watchInactivity(onIdle: () => void, ms: number): () => void {
  let last = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const left = last + ms - Date.now();
    if (left <= 0) {
      stop();
      onIdle();
    } else {
      timer = setTimeout(check, left);
    }
  };
  const active = () => {
    last = Date.now();
  };
  const shown = () => {
    if (document.visibilityState === "visible") check();
  };
  function stop(): void {
    clearTimeout(timer);
    for (const event of ACTIVITY) window.removeEventListener(event, active, { capture: true });
    document.removeEventListener("visibilitychange", shown);
  }
  for (const event of ACTIVITY) window.addEventListener(event, active, { capture: true, passive: true });
  document.addEventListener("visibilitychange", shown);
  timer = setTimeout(check, ms);
  return stop;
}
