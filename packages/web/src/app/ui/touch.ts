/**
 * Whether the primary pointer is a finger (phones, tablets): a touch-first
 * device has no hover, no right click and a keyboard with one Enter key. A
 * laptop with a touch screen still has a fine primary pointer.
 */
export function touchFirst(): boolean {
  return globalThis.matchMedia?.("(pointer: coarse)").matches ?? false;
}
