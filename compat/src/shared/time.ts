/** Timestamps without milliseconds (`2025-06-01T10:00:00Z`), as Spedy, TSANet and XPath show them. */
export function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
