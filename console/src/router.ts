import { useEffect, useState } from 'preact/hooks';

/**
 * Routes live in the URL's fragment (`/console#/deliveries?status=failed`): the server serves one page at
 * /console, links and the back button work, and no token or id ever reaches the server's logs.
 */
export type Route =
  | { page: 'endpoints' }
  | { page: 'endpoint-new' }
  | { page: 'endpoint'; id: string }
  | { page: 'endpoint-edit'; id: string }
  | { page: 'deliveries'; query: URLSearchParams }
  | { page: 'delivery'; id: string }
  | { page: 'event-types' }
  | { page: 'tenants' }
  | { page: 'not-found'; path: string };

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === 'endpoints' && parts.length === 1)) return { page: 'endpoints' };
  if (first === 'endpoints' && second === 'new' && parts.length === 2) return { page: 'endpoint-new' };
  if (first === 'endpoints' && second && parts.length === 2) return { page: 'endpoint', id: second };
  if (first === 'endpoints' && second && third === 'edit' && parts.length === 3)
    return { page: 'endpoint-edit', id: second };
  if (first === 'deliveries' && parts.length === 1) return { page: 'deliveries', query: new URLSearchParams(search) };
  if (first === 'deliveries' && second && parts.length === 2) return { page: 'delivery', id: second };
  if (first === 'event-types' && parts.length === 1) return { page: 'event-types' };
  if (first === 'tenants' && parts.length === 1) return { page: 'tenants' };
  return { page: 'not-found', path };
}

/** `href` for a route: `link('endpoints', id)` → `#/endpoints/<id>`. */
export function link(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join('/')}`;
}

export function navigate(href: string): void {
  window.location.hash = href.replace(/^#/, '');
}

export function useRoute(): Route {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = () => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return parseRoute(hash);
}
