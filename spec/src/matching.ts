/**
 * Does an endpoint's event type filter select this event type?
 * `*` selects all; `cases.*` selects every type below `cases.` at any depth
 * (`cases.tasks.created` included); anything else must be equal.
 */
export function filterMatches(filter: string, type: string): boolean {
  if (filter === '*') return true;
  if (filter.endsWith('.*')) return type.startsWith(filter.slice(0, -1));
  return filter === type;
}

export function anyFilterMatches(filters: readonly string[], type: string): boolean {
  return filters.some((f) => filterMatches(f, type));
}
