/**
 * The id codecs and UUIDv7 generation live in @hookport/spec (src/ids.ts),
 * next to the prefixes, so compat uses them too. Re-exported here so the
 * server's existing imports keep working while they move over.
 */
export { fromTypeId, newId, toTypeId } from '@hookport/spec';
