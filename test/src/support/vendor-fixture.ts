import type { Vendor } from '@hookport/spec';
import { afterAll, expect } from 'vitest';
import { DeliveryKit } from './delivery.ts';
import { type Api, createTenant, startHookport, type TenantFixture, type TestHookport, vendorApi } from './harness.ts';
import type { Receiver, Responder } from './receiver.ts';

/** What a compat test file works with: one server, one tenant of the vendor's profile, its API. */
export interface VendorFixture {
  t: TestHookport;
  /** The vendor's API, every response checked against compat/openapi/<vendor>.json. */
  api: Api;
  /** A tenant with the vendor's preset catalogue and a token of every scope. */
  tenant: TenantFixture;
  /** Native helpers over the same server and tenant; its receivers are closed with the fixture. */
  kit: DeliveryKit;
  /** A receiver on loopback, closed with the fixture. */
  receiver(responder?: Responder): Promise<Receiver>;
}

/**
 * The setup every compat test file shares. Awaited at the top of the file, before its tests are
 * collected, so the file reads the server, tenant and API as constants; it registers its own
 * teardown, which closes the receivers and the server and then asserts that no request reached
 * the server's unhandled-error path (a log line of level 50): a bad request must always get a
 * vendor-shaped answer, never a crash.
 */
export async function vendorFixture(vendor: Vendor, env: Record<string, string> = {}): Promise<VendorFixture> {
  const t = await startHookport(env);
  let tenant: TenantFixture;
  try {
    tenant = await createTenant(t, { presets: [vendor] });
  } catch (err) {
    // A file whose setup failed runs no hooks: stop the server here.
    await t.close();
    throw err;
  }
  const kit = new DeliveryKit(t, tenant);
  afterAll(async () => {
    await kit.close();
    const errorLines = t.logs.filter((line) => line.includes('"level":50'));
    await t.close();
    expect(errorLines).toEqual([]);
  });
  return { t, api: vendorApi(t, vendor), tenant, kit, receiver: (responder) => kit.receiver(responder) };
}
