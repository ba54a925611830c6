/** A labelled progress bar (role progressbar via <progress>). */
export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  return <progress class="progress" max={Math.max(total, 1)} value={done} aria-label={label} />;
}
