/**
 * SQL that is true when an endpoint's filters (column event_types) select the type bound to `$param`:
 * `*`, the type itself, or a `prefix.*` it starts with. Shared by core (listing endpoints by the type
 * they receive) and the delivery store (fanning an event out to them).
 */
export function filtersSelect(param: string): string {
  return `exists (select 1 from jsonb_array_elements_text(event_types) as f(filter)
    where f.filter = '*' or f.filter = ${param}
       or (right(f.filter, 2) = '.*' and starts_with(${param}, left(f.filter, -1))))`;
}
