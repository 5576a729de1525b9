import ipaddr from 'ipaddr.js';
import type { Cidr } from '../config.ts';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Ranges refused even where ipaddr.js calls them unicast: documentation,
 * benchmarking and other special-purpose blocks of RFC 6890 and its updates.
 */
const extraBlocked: Cidr[] = [
  '0.0.0.0/8',
  '100.64.0.0/10',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '240.0.0.0/4',
  '2001:db8::/32',
  '64:ff9b:1::/48',
].map((c) => ipaddr.parseCIDR(c));

function inRanges(addr: Address, ranges: readonly Cidr[]): boolean {
  return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
}

/** The IPv4 address an IPv6 form carries (mapped, compatible, NAT64, 6to4), if any. */
function embeddedIpv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = addr.range();
  const bytes = addr.toByteArray();
  if (range === 'ipv4Mapped') return addr.toIPv4Address();
  if (range === 'rfc6052' || range === 'rfc6145') {
    return new ipaddr.IPv4(bytes.slice(12, 16));
  }
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  // IPv4-compatible (::a.b.c.d, deprecated) keeps the address in the last 32 bits.
  if (bytes.slice(0, 12).every((b) => b === 0)) return new ipaddr.IPv4(bytes.slice(12, 16));
  return null;
}

/** True when the address is globally routable unicast: the only kind a webhook may reach by default. */
export function isPublicAddress(addr: Address): boolean {
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const v4 = embeddedIpv4(v6);
    if (v4) return isPublicAddress(v4);
    if (v6.range() !== 'unicast') return false;
  } else if (addr.range() !== 'unicast') {
    return false;
  }
  return !inRanges(addr, extraBlocked);
}

/** Is the address (or the IPv4 address an IPv6 form carries) inside the operator's allowlist? */
function inAllowlist(addr: Address, allowlist: readonly Cidr[]): boolean {
  if (inRanges(addr, allowlist)) return true;
  const v4 = addr.kind() === 'ipv6' ? embeddedIpv4(addr as ipaddr.IPv6) : null;
  return v4 !== null && inRanges(v4, allowlist);
}

/** May a delivery connect to this address? Public, or inside the operator's allowlist. */
export function isAddressAllowed(addr: Address, allowlist: readonly Cidr[]): boolean {
  return inAllowlist(addr, allowlist) || isPublicAddress(addr);
}

export function parseAddress(text: string): Address | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : null;
}

/**
 * The addresses a URL's host stands for without asking DNS: an IP literal, or
 * a localhost name (RFC 6761: `localhost`, `*.localhost`, trailing dot or not)
 * as both loopback addresses. Empty for other names, which are judged on what
 * they resolve to. Used at creation and again at delivery, so both agree
 * whatever the machine's resolver makes of `localhost.` or `api.localhost`.
 */
export function fixedAddresses(hostname: string): Address[] {
  // A trailing dot is the same name, fully qualified (`localhost.`).
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const literal = parseAddress(host);
  if (literal) return [literal];
  if (host === 'localhost' || host.endsWith('.localhost')) return [ipaddr.parse('127.0.0.1'), ipaddr.parse('::1')];
  return [];
}

/** The addresses a delivery may connect to, of those a host stands for: the public and allowlisted ones. */
export function admittedAddresses<A extends Address>(addresses: readonly A[], allowlist: readonly Cidr[]): A[] {
  return addresses.filter((a) => isAddressAllowed(a, allowlist));
}

/**
 * The allowlist entry that admits an address: the IPv4 address an IPv6 form
 * carries (the allowlist admits every form of it), else the address itself.
 * `::1` and `::` are themselves, not IPv4-compatible forms of 0.0.0.1 and 0.0.0.0.
 */
function admittingEntry(addr: Address): string {
  const own = addr.kind() === 'ipv4' || ['loopback', 'unspecified'].includes(addr.range());
  const v4 = own ? null : embeddedIpv4(addr as ipaddr.IPv6);
  return (v4 ?? addr).toString();
}

/**
 * Why no address of a host may be reached, in words an operator can act on:
 * the addresses the host stands for, and the HOOKPORT_EGRESS_ALLOWLIST entry
 * that would admit them (IPv4 first: one admitted address is enough).
 */
export function egressRefusal(host: string, addresses: readonly Address[]): string {
  if (addresses.length === 0) return `${host} resolves to no address`;
  const where = parseAddress(host)
    ? `${host} is not public and not in HOOKPORT_EGRESS_ALLOWLIST`
    : `${host} resolves to ${addresses.join(', ')}, ${addresses.length === 1 ? 'not public and not' : 'none of them public or'} in HOOKPORT_EGRESS_ALLOWLIST`;
  const ordered = [...addresses].sort((a, b) => (a.kind() === b.kind() ? 0 : a.kind() === 'ipv4' ? -1 : 1));
  const [first, ...others] = [...new Set(ordered.map(admittingEntry))];
  const alternatives = others.length > 0 ? ` (or ${others.join(', ')})` : '';
  return `${where}; add ${first}${alternatives} to HOOKPORT_EGRESS_ALLOWLIST to allow it`;
}

/** C0 controls, space and DEL: never part of a URL as RFC 3986 writes one. */
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Checks an endpoint URL when it is created or changed. IP literals and
 * localhost names are judged here; other names are judged again at connect
 * time on the addresses they resolve to. A localhost name is accepted when one
 * of its loopback addresses is admitted: deliveries connect to that one only.
 * Returns why the URL is refused, or null.
 */
export function urlRefusal(rawUrl: string, allowlist: readonly Cidr[]): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return 'is not a valid URL';
  }
  // The URL parser silently drops tabs and line breaks (`https://a.example.com\r\n.evil.com`
  // connects to a.example.com.evil.com) while the text shown back keeps them: refuse, as RFC 3986 does.
  if (hasSpaceOrControl(rawUrl)) return 'must not contain spaces or control characters';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  const addresses = fixedAddresses(url.hostname);
  if (addresses.length > 0 && admittedAddresses(addresses, allowlist).length === 0) {
    return `points to a non-public address: ${egressRefusal(url.hostname, addresses)}`;
  }
  // Loopback is never public: the addresses admitted here are the allowlisted ones.
  const allowlisted = addresses.some((a) => inAllowlist(a, allowlist));
  if (url.protocol === 'http:' && !allowlisted) {
    return 'must use https (http is allowed only for targets inside HOOKPORT_EGRESS_ALLOWLIST)';
  }
  return null;
}
