import { describe, expect, it } from 'vitest';
import { hasWebhooksPlan, planMetadataKey } from './access.ts';

describe('the Pro-plan gate', () => {
  it('opens for Pro and Enterprise, and for tenants with no plan recorded', () => {
    expect(hasWebhooksPlan({})).toBe(true);
    expect(hasWebhooksPlan({ [planMetadataKey]: 'pro' })).toBe(true);
    expect(hasWebhooksPlan({ [planMetadataKey]: ' Pro ' })).toBe(true);
    expect(hasWebhooksPlan({ [planMetadataKey]: 'enterprise' })).toBe(true);
  });

  it('closes for any other plan', () => {
    for (const plan of ['free', 'starter', 'basic', '', 'professional']) {
      expect(hasWebhooksPlan({ [planMetadataKey]: plan })).toBe(false);
    }
  });
});
