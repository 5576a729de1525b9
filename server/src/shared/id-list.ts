/**
 * `= any(...)` over a list of ids passed as one uuid-array text parameter (`{a,b,…}`), for the
 * statements of the delivery store and of retention that take a batch of ids.
 *
 * Written as `any($1::text::uuid[])`, a custom plan sees the text as a constant whose cast to uuid[] is
 * not folded (array input is not immutable): the planner chose a sequential scan and cast the whole
 * list again for every row it read (528 s for one prune batch of 1,000 over 260,000 attempts, measured
 * by the retention soak). As an array built once by a sub-select it is a parameter to every plan,
 * custom or generic, and the statement walks its index.
 */
export const anyOfIds = (param: string): string => `any(array(select unnest(${param}::text::uuid[])))`;
