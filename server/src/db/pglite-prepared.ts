import { type PGlite, protocol, types } from '@electric-sql/pglite';
import type { SqlValue } from './database.ts';

/**
 * Named prepared statements on PGlite.
 *
 * `PGlite.query()` parses and plans its text on every call, in five exchanges
 * with the WebAssembly backend (parse, describe, bind, describe, execute).
 * pg-boss's statements are long: measured on in-memory PGlite, an empty fetch
 * cost 1.1 ms and a one-job insert 1.2 ms, against 0.12 ms for `select 1`;
 * almost all of it parsing and planning. Here each distinct text is parsed
 * once under a name (with its parameter and result types described once), and
 * each call is one exchange: bind, execute, sync — what the worker's
 * PostgreSQL pool gets from postgres.js's prepared statements.
 *
 * The caller holds PGlite's locks (see `openPglite`): these messages bypass
 * them, as PGlite's own `query()` does once it holds them.
 */
export interface PreparedStatements {
  run<T extends object>(text: string, params: readonly SqlValue[]): Promise<T[]>;
}

interface Statement {
  name: string;
  /** Parameter types as the server inferred them, to serialise the values as PGlite's query() does. */
  paramTypes: number[];
  /** The columns of the result; empty for a statement that returns no rows. */
  fields: { name: string; dataTypeID: number }[];
}

export interface PreparedOptions {
  /** Texts kept prepared at most (default 1,000); past that all are deallocated and prepared again as they come. */
  maxStatements?: number;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function preparedStatements(pg: PGlite, { maxStatements = 1000 }: PreparedOptions = {}): PreparedStatements {
  const { serialize } = protocol;
  const statements = new Map<string, Statement>();
  let generation = 0;

  async function prepare(text: string): Promise<Statement> {
    const known = statements.get(text);
    if (known) return known;
    if (statements.size >= maxStatements) {
      await pg.execProtocolStream(serialize.query('deallocate all'), { syncToFs: false });
      statements.clear();
      generation++;
    }
    const name = `hp_${generation}_${statements.size}`;
    const replies = await pg.execProtocolStream(
      concat([serialize.parse({ name, text }), serialize.describe({ type: 'S', name }), serialize.sync()]),
      { syncToFs: false },
    );
    let paramTypes: number[] = [];
    let fields: Statement['fields'] = [];
    for (const m of replies) {
      if (m instanceof protocol.messages.ParameterDescriptionMessage) paramTypes = m.dataTypeIDs;
      else if (m instanceof protocol.messages.RowDescriptionMessage) {
        fields = m.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID }));
      }
    }
    const statement = { name, paramTypes, fields };
    statements.set(text, statement);
    return statement;
  }

  function serializeValue(value: SqlValue, type: number | undefined): string | null {
    if (value === null) return null;
    const serializer = type === undefined ? undefined : pg.serializers[type];
    return serializer ? serializer(value) : String(value);
  }

  return {
    async run<T extends object>(text: string, params: readonly SqlValue[]): Promise<T[]> {
      const statement = await prepare(text);
      const values = params.map((v, i) => serializeValue(v, statement.paramTypes[i]));
      // One buffer: an error skips to the sync, so the session is ready for the next statement either way.
      const replies = await pg.execProtocolStream(
        concat([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]),
        { syncToFs: false },
      );
      const rows: T[] = [];
      for (const m of replies) {
        if (!(m instanceof protocol.messages.DataRowMessage)) continue;
        const row: Record<string, unknown> = {};
        statement.fields.forEach((f, i) => {
          const raw = m.fields[i];
          row[f.name] = raw === null || raw === undefined ? null : types.parseType(raw, f.dataTypeID, pg.parsers);
        });
        rows.push(row as T);
      }
      return rows;
    },
  };
}
