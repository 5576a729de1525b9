import ipaddr from 'ipaddr.js';
import type { Cidr } from '../config.ts';
import { parseAddress } from './egress.ts';

/**
 * HOOKPORT_EGRESS_NO_PROXY: the targets that go direct instead of through the egress proxy, with the
 * rules curl and Go share for NO_PROXY (docs/configuration.md):
 * - `*` alone: every target goes direct (the proxy is off);
 * - a name (`example.com` or `.example.com`): that host and every host under it, case-insensitive,
 *   a trailing dot ignored;
 * - an IP address or CIDR range: targets written as an IP literal inside it. A name is never matched
 *   by its resolved addresses (the proxy decision is made on the URL, as every NO_PROXY does).
 * Ports are not part of the rules: an entry with a port is refused at start.
 */
export interface NoProxyRules {
  all: boolean;
  suffixes: string[];
  ranges: Cidr[];
}

const hostName = /^\.?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** Parses the comma-separated list; `problems` says which entries are not rules (the start stops). */
export function parseNoProxy(text: string): { rules: NoProxyRules; problems: string[] } {
  const rules: NoProxyRules = { all: false, suffixes: [], ranges: [] };
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (entry === '*') rules.all = true;
    else if (entry.includes('/') && ipaddr.isValidCIDR(entry)) rules.ranges.push(ipaddr.parseCIDR(entry));
    else if (parseAddress(entry)) {
      const addr = parseAddress(entry) as ipaddr.IPv4 | ipaddr.IPv6;
      rules.ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else if (hostName.test(entry)) rules.suffixes.push(entry.toLowerCase().replace(/^\./, '').replace(/\.$/, ''));
    else problems.push(`"${entry}" is not a host name, a domain suffix, an IP address or a CIDR range`);
  }
  return { rules, problems };
}

/** Does a delivery to this URL host go direct (true) or through the egress proxy (false)? */
export function bypassesProxy(hostname: string, rules: NoProxyRules): boolean {
  if (rules.all) return true;
  const literal = parseAddress(hostname);
  if (literal) {
    const addr =
      literal.kind() === 'ipv6' && (literal as ipaddr.IPv6).isIPv4MappedAddress()
        ? (literal as ipaddr.IPv6).toIPv4Address()
        : literal;
    return rules.ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
  }
  const host = hostname.toLowerCase().replace(/\.$/, '');
  return rules.suffixes.some((s) => host === s || host.endsWith(`.${s}`));
}
