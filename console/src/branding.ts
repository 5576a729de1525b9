import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

/** The operator's branding (`GET /console/branding.json`, from HOOKPORT_PORTAL_*); null fields: Hookport's own. */
export interface Branding {
  name: string | null;
  logoUrl: string | null;
  accent: string | null;
}

export const noBranding: Branding = { name: null, logoUrl: null, accent: null };

const hexColour = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

/**
 * Reads the branding once at load. A failure or an odd answer falls back to no branding: the console
 * must work without it. The server validates the values at start-up; the accent is checked again here
 * because it becomes a CSS value.
 */
export async function loadBranding(): Promise<Branding> {
  try {
    const res = await fetch('/console/branding.json', { headers: { accept: 'application/json' } });
    if (!res.ok) return noBranding;
    const body: unknown = await res.json();
    if (typeof body !== 'object' || body === null) return noBranding;
    const { name, logoUrl, accent } = body as Record<string, unknown>;
    const colour = stringOrNull(accent);
    return {
      name: stringOrNull(name),
      logoUrl: stringOrNull(logoUrl),
      accent: colour && hexColour.test(colour) ? colour : null,
    };
  } catch {
    return noBranding;
  }
}

/**
 * The title and accent colour. The accent is set through the CSSOM (`style.setProperty`), which the
 * CSP's `style-src 'self'` allows, unlike a style attribute or an inline <style>.
 */
export function applyBranding(branding: Branding): void {
  if (branding.name) document.title = branding.name;
  if (branding.accent) document.documentElement.style.setProperty('--accent', branding.accent);
}

export const BrandingContext = createContext<Branding>(noBranding);

export function useBranding(): Branding {
  return useContext(BrandingContext);
}
