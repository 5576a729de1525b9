import { randomBytes } from 'node:crypto';
import { createPublisher, type Publisher } from '@hookport/server';
import { CoreError } from '@hookport/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startHookport, type TenantFixture, type TestHookport } from './support/harness.ts';
import { uuidOf } from './support/ids.ts';
import { postgres, type Sql } from './support/postgres.ts';
import { type Receiver, startReceiver } from './support/receiver.ts';
import type { EndpointWithSecret } from './support/types.ts';

/*
 * The transactional outbox: an application on Hookport's PostgreSQL database
 * publishes inside its own postgres.js transaction, next to its own writes.
 * The event, its deliveries and their pg-boss jobs commit or roll back with it.
 */

let t: TestHookport;
let tenant: TenantFixture;
let receiver: Receiver;
let publisher: Publisher | undefined;
/** New events the publisher reported through onPublished. */
let counted = 0;
let sql: Sql | undefined;
/** The application's own schema, with its `orders` table, on its search_path. */
const appSchema = `app_${randomBytes(6).toString('hex')}`;

function app(): Sql {
  if (!sql) throw new Error('no application connection');
  return sql;
}

function hookport(): Publisher {
  if (!publisher) throw new Error('no publisher');
  return publisher;
}

/** What Hookport holds: events, deliveries and delivery jobs in pg-boss. */
async function stored() {
  const [row] = await t.hp.db.query<{ events: number; deliveries: number; jobs: number }>(
    `select (select count(*)::int from events) as events,
            (select count(*)::int from deliveries) as deliveries,
            (select count(*)::int from "${t.config.dbSchema}_boss".job where name in ('hookport.deliver', 'hookport.deliver.slow')) as jobs`,
  );
  return row;
}

async function orders(): Promise<string[]> {
  const rows = await app()<{ ref: string }[]>`select ref from orders order by id`;
  return rows.map((r) => r.ref);
}

async function searchPath(q: Sql | Parameters<Publisher['publish']>[0]): Promise<string> {
  const [row] = await q<{ path: string }[]>`select current_setting('search_path') as path`;
  if (!row) throw new Error('no search_path');
  return row.path;
}

beforeAll(async () => {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('the outbox tests need DATABASE_URL');
  t = await startHookport();
  tenant = await createTenant(t);
  receiver = await startReceiver();
  const ep = await t.api.post<EndpointWithSecret>('/v1/endpoints', {
    token: tenant.token,
    json: { url: receiver.url, eventTypes: ['ticket.created'] },
  });
  if (ep.status !== 201) throw new Error(`endpoint create failed: ${ep.text}`);
  // One connection, so every statement below runs in the same session as the transactions.
  sql = postgres(databaseUrl, {
    max: 1,
    onnotice: () => {},
    connection: { search_path: `${appSchema}, public`, application_name: 'outbox-test-app' },
  });
  await sql.unsafe(`create schema ${appSchema}; create table ${appSchema}.orders (id serial primary key, ref text)`);
  publisher = await createPublisher({
    databaseUrl,
    schema: t.config.dbSchema,
    onPublished: (count) => {
      counted += count;
    },
  });
});
afterAll(async () => {
  await publisher?.close();
  await sql?.unsafe(`drop schema if exists ${appSchema} cascade`);
  await sql?.end({ timeout: 5 });
  await receiver?.close();
  await t?.close();
});

describe('createPublisher().publish() inside the caller’s transaction', () => {
  it('stores nothing of the event when the transaction throws after publishing', async () => {
    const before = await stored();
    let insideTx: { events: number; deliveries: number; jobs: number } | undefined;
    await expect(
      app().begin(async (tx) => {
        await tx`insert into orders (ref) values ('rolled-back')`;
        const event = await hookport().publish(tx, {
          tenantId: tenant.id,
          type: 'ticket.created',
          data: { ref: 'rolled-back' },
        });
        expect(event.deliveryCount).toBe(1);
        // Inside the transaction the event, its delivery and its job exist; the rollback is what removes them.
        const [row] = await tx<{ events: number; deliveries: number; jobs: number }[]>`
          select (select count(*)::int from ${tx(t.config.dbSchema)}.events where id = ${event.id}) as events,
                 (select count(*)::int from ${tx(t.config.dbSchema)}.deliveries where event_id = ${event.id}) as deliveries,
                 (select count(*)::int from ${tx(`${t.config.dbSchema}_boss`)}.job where name in ('hookport.deliver', 'hookport.deliver.slow')) as jobs`;
        insideTx = row;
        throw new Error('the application changed its mind');
      }),
    ).rejects.toThrow('the application changed its mind');
    expect(insideTx).toMatchObject({ events: 1, deliveries: 1, jobs: (before?.jobs ?? 0) + 1 });
    expect(await stored()).toEqual(before);
    expect(await orders()).not.toContain('rolled-back');
  });

  it('rolls back with a savepoint of the caller while the outer transaction commits', async () => {
    const before = await stored();
    await app().begin(async (tx) => {
      await tx`insert into orders (ref) values ('kept')`;
      await expect(
        tx.savepoint(async (sp) => {
          await hookport().publish(sp, { tenantId: tenant.id, type: 'ticket.created', data: { ref: 'savepoint' } });
          throw new Error('undo the publish only');
        }),
      ).rejects.toThrow('undo the publish only');
    });
    expect(await stored()).toEqual(before);
    expect(await orders()).toContain('kept');
  });

  it('delivers the event once the transaction commits, and only then', async () => {
    const before = await stored();
    const countedBefore = counted;
    const event = await app().begin(async (tx) => {
      await tx`insert into orders (ref) values ('committed')`;
      return hookport().publish(tx, { tenantId: tenant.id, type: 'ticket.created', data: { ref: 'committed' } });
    });
    // Counted through onPublished, as the server counts its publishes.
    expect(counted).toBe(countedBefore + 1);
    expect(await stored()).toMatchObject({
      events: (before?.events ?? 0) + 1,
      deliveries: (before?.deliveries ?? 0) + 1,
    });
    expect(await orders()).toContain('committed');
    const [got] = await receiver.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(uuidOf(String(got.headers['webhook-id']))).toBe(event.id);
    expect(JSON.parse(got.body)).toMatchObject({ type: 'ticket.created', data: { ref: 'committed' } });
    // The receiver saw this event and nothing of the rolled-back ones published before it.
    expect(receiver.received.map((r) => JSON.parse(r.body).data.ref)).toEqual(['committed']);
  });

  it('gives the caller its search_path back, in the transaction and after it', async () => {
    const session = await searchPath(app());
    await app().begin(async (tx) => {
      const before = await searchPath(tx);
      await hookport().publish(tx, { tenantId: tenant.id, type: 'ticket.created', data: { ref: 'path' } });
      expect(await searchPath(tx)).toBe(before);
      // A path the caller set for this transaction only is kept as well.
      await tx.unsafe(`set local search_path to ${appSchema}`);
      await hookport().publish(tx, { tenantId: tenant.id, type: 'ticket.created', data: { ref: 'path-local' } });
      expect(await searchPath(tx)).toBe(appSchema);
      // Unqualified names still mean the application's tables.
      await tx`insert into orders (ref) values ('after-publish')`;
    });
    expect(await searchPath(app())).toBe(session);
    expect(await orders()).toContain('after-publish');
  });

  it('leaves the caller’s transaction usable, on its own search_path, when it refuses an event', async () => {
    await app().begin(async (tx) => {
      const before = await searchPath(tx);
      // An unknown type is refused after Hookport's schema was put on the path, without a SQL error.
      const refused = await hookport()
        .publish(tx, { tenantId: tenant.id, type: 'no.such.type', data: {} })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(CoreError);
      expect(await searchPath(tx)).toBe(before);
      await tx`insert into orders (ref) values ('after-refusal')`;
    });
    expect(await orders()).toContain('after-refusal');
  });

  it('refuses a type Hookport publishes itself, naming `type`, and stores nothing when the caller commits', async () => {
    const before = await stored();
    await app().begin(async (tx) => {
      const refused = await hookport()
        .publish(tx, { tenantId: tenant.id, type: 'delivery.exhausted', data: { forged: true } })
        .then(
          () => null,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(CoreError);
      expect(refused).toMatchObject({
        code: 'validation_failed',
        errors: [expect.objectContaining({ path: 'type', code: 'reserved_event_type' })],
      });
      await tx`insert into orders (ref) values ('after-reserved')`;
    });
    expect(await orders()).toContain('after-reserved');
    expect(await stored()).toEqual(before);
  });

  it("applies the tenant's daily event quota: over it, a CoreError naming the limit, and nothing of the event stored when the caller commits", async () => {
    const limited = await createTenant(t);
    const set = await t.api.patch(`/v1/tenants/${limited.id}`, {
      token: t.adminToken,
      json: { quotas: { eventsPerDay: 1 } },
    });
    expect(set.status).toBe(200);
    const publish = (tx: Parameters<Publisher['publish']>[0]) =>
      hookport().publish(tx, { tenantId: limited.id, type: 'ticket.created', data: {} });
    await app().begin((tx) => publish(tx));
    const before = await stored();
    let refused: unknown = null;
    await app().begin(async (tx) => {
      refused = await publish(tx).then(
        () => null,
        (err: unknown) => err,
      );
      await tx`insert into orders (ref) values ('after-quota')`;
    });
    expect(refused).toBeInstanceOf(CoreError);
    expect((refused as CoreError).code).toBe('daily_quota_exceeded');
    expect((refused as CoreError).message).toContain('quota of 1 events');
    expect(await stored()).toEqual(before);
    expect(await orders()).toContain('after-quota');
  });
});
