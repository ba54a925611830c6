/** Icons drawn inline (no icon font, no request): decorative, so hidden from screen readers. */
const paths = {
  back: "M15 18l-6-6 6-6",
  send: "M3 11l18-8-8 18-2-8-8-2z",
  attach: "M21 11l-8.5 8.5a5 5 0 01-7-7L14 4a3.5 3.5 0 015 5l-8.5 8.5a2 2 0 01-3-3L15 7",
  camera: "M4 7h3l2-3h6l2 3h3v12H4zM12 17a4 4 0 100-8 4 4 0 000 8z",
  plus: "M12 5v14M5 12h14",
  group: "M9 11a4 4 0 100-8 4 4 0 000 8zM2 21v-1a6 6 0 0112 0v1M17 11a3 3 0 100-6M22 21v-1a5 5 0 00-4-5",
  settings:
    "M12 15a3 3 0 100-6 3 3 0 000 6zM19 12l2-1-1-3-2 0-1-1 0-2-3-1-1 2h-2L10 3 7 4v2L6 7 4 7 3 10l2 1v2l-2 1 1 3h2l1 1v2l3 1 1-2h2l1 2 3-1v-2l1-1h2l1-3-2-1z",
  check: "M5 13l4 4L19 7",
  checks: "M2 13l4 4L16 7M10 15l2 2L22 7",
  clock: "M12 21a9 9 0 100-18 9 9 0 000 18zM12 7v5l3 2",
  timer: "M12 22a8 8 0 100-16 8 8 0 000 16zM12 10v4l2.5 1.5M10 2h4",
  shield: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z",
  shieldCheck: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM8.5 12l2.5 2.5 4.5-5",
  warning: "M12 3l10 18H2zM12 10v5M12 18v.01",
  close: "M6 6l12 12M18 6L6 18",
  more: "M5 12h.01M12 12h.01M19 12h.01",
  file: "M6 2h8l6 6v14H6zM14 2v6h6",
  download: "M12 3v12M7 10l5 5 5-5M5 21h14",
  search: "M11 18a7 7 0 100-14 7 7 0 000 14zM21 21l-5-5",
  lock: "M6 11h12v10H6zM8 11V7a4 4 0 018 0v4",
  mic: "M12 3a3 3 0 00-3 3v6a3 3 0 006 0V6a3 3 0 00-3-3zM5 11a7 7 0 0014 0M12 18v3",
  play: "M7 4l13 8-13 8z",
  pause: "M7 4h3v16H7zM14 4h3v16h-3z",
  inbox: "M3 13h5l2 3h4l2-3h5M5 5h14l2 8v6H3v-6z",
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 22 }: { name: IconName; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
