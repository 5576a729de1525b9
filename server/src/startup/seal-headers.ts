import type { SecretBox } from '../core/crypto.ts';
import type { Database } from '../db/database.ts';
import { sealHeaders } from '../shared/sealed-headers.ts';

/**
 * Seals the custom headers still stored in clear (endpoints of an installation older than migration
 * 0007, which could not seal them: SQL has no key) and empties the clear column, row by row, each in one
 * statement. Runs at every start after the migrations and the key check; once nothing is left in clear
 * it is one scan of the endpoints that finds nothing. Two processes starting together both may seal a row:
 * the second update finds the clear column empty and does nothing. Returns how many rows it sealed.
 */
export async function sealClearHeaders(db: Database, box: SecretBox): Promise<number> {
  const rows = await db.query<{ id: string; headers_clear: Record<string, string> }>(
    `select id, headers_clear from endpoints where headers_clear <> '{}'::jsonb`,
  );
  let sealed = 0;
  for (const row of rows) {
    const done = await db.query(
      `update endpoints set headers_enc = $2, headers_clear = '{}'::jsonb
       where id = $1 and headers_clear = $3::text::jsonb returning id`,
      [row.id, sealHeaders(box, row.headers_clear), JSON.stringify(row.headers_clear)],
    );
    sealed += done.length;
  }
  return sealed;
}
