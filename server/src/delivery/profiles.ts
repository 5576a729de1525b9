import type { DeliveryProfile, ProfileName } from '@hookport/spec';

/** Delivery profiles by name; the native one always, vendor ones as adapters register them. */
export class ProfileRegistry {
  readonly #profiles = new Map<ProfileName, DeliveryProfile>();
  readonly #fallback: DeliveryProfile;

  constructor(native: DeliveryProfile) {
    this.#fallback = native;
    this.register(native);
  }

  register(profile: DeliveryProfile): void {
    this.#profiles.set(profile.name, profile);
  }

  /** A profile not registered (yet) delivers the native way rather than not at all. */
  get(name: ProfileName): DeliveryProfile {
    return this.#profiles.get(name) ?? this.#fallback;
  }
}
