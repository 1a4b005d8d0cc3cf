/** Epoch milliseconds as local date and time (empty when unknown). */
export function formatTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toLocaleString();
}

/** The exact instant, for a tooltip. */
export function exactTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}
