import { describe, expect, it } from 'vitest';
import { bypassesProxy, parseNoProxy } from './no-proxy.ts';

const rules = (text: string) => parseNoProxy(text).rules;

describe('HOOKPORT_EGRESS_NO_PROXY', () => {
  it.each<[string, string, boolean]>([
    ['example.com', 'example.com', true],
    ['example.com', 'api.example.com', true],
    ['.example.com', 'example.com', true],
    ['.example.com', 'a.b.example.com', true],
    ['example.com', 'EXAMPLE.com.', true],
    ['example.com', 'badexample.com', false],
    ['example.com', 'example.org', false],
    ['10.0.0.0/8', '10.1.2.3', true],
    ['10.0.0.0/8', '11.1.2.3', false],
    ['10.0.0.0/8', '[::ffff:10.1.2.3]', true],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['fd00::/8', '[fd00::1]', true],
    // A name is judged as written, never by what it resolves to.
    ['127.0.0.0/8', 'localhost', false],
    ['*', 'anything.example', true],
    ['', 'example.com', false],
    [' a.example , b.example ', 'x.b.example', true],
  ])('%j sends %s direct: %s', (list, host, direct) => {
    expect(bypassesProxy(host, rules(list))).toBe(direct);
  });

  it('refuses entries that are not rules, naming each', () => {
    const { problems } = parseNoProxy('ok.example, example.com:443, http://x, 10.0.0.0/40');
    expect(problems).toEqual([
      '"example.com:443" is not a host name, a domain suffix, an IP address or a CIDR range',
      '"http://x" is not a host name, a domain suffix, an IP address or a CIDR range',
      '"10.0.0.0/40" is not a host name, a domain suffix, an IP address or a CIDR range',
    ]);
  });
});
