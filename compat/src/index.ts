/**
 * Vendor-compatible surfaces (Spedy, Helpdesk, TSANet, Rapidly, XPath v2.3).
 * Each will live in its own folder here and talk only to the core port of
 * @hookport/spec. None is mounted yet: this package is the skeleton the compat
 * adapters issue fills in.
 */
export const vendorSurfaces: readonly string[] = [];
