import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, newApiToken, newEndpointSecret, newSecretKey, SecretBox, sha256Hex } from './crypto.ts';

/** Re-encodes one dot-separated part of a sealed value with one bit flipped. */
function flipBit(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part] ?? '', 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretBox', () => {
  const box = new SecretBox(newSecretKey());

  it('round-trips secrets, including empty and non-ASCII text', () => {
    for (const plain of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '', 'ünïcødé ✓ 🔑', 'x'.repeat(10_000), 'a.b.c.d']) {
      expect(box.open(box.seal(plain))).toBe(plain);
    }
  });

  it('seals as v1.iv.tag.ciphertext with a 96-bit IV and a 128-bit tag', () => {
    const sealed = box.seal('hello');
    const [version, iv, tag, ct] = sealed.split('.');
    expect(version).toBe('v1');
    expect(Buffer.from(iv ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag ?? '', 'base64url')).toHaveLength(16);
    expect(Buffer.from(ct ?? '', 'base64url')).toHaveLength(5);
    expect(sealed).not.toContain('hello');
  });

  it('gives distinct ciphertexts for the same plaintext', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(box.seal('same secret'));
    expect(seen.size).toBe(50);
    const ivs = new Set([...seen].map((s) => s.split('.')[1]));
    expect(ivs.size).toBe(50);
  });

  it('refuses to open with a different key', () => {
    const other = new SecretBox(newSecretKey());
    expect(() => other.open(box.seal('secret'))).toThrow();
  });

  it('refuses tampered ciphertext, tag or IV', () => {
    const sealed = box.seal('a secret worth protecting');
    expect(() => box.open(flipBit(sealed, 3))).toThrow();
    expect(() => box.open(flipBit(sealed, 2))).toThrow();
    expect(() => box.open(flipBit(sealed, 1))).toThrow();
  });

  it('refuses a truncated ciphertext', () => {
    const [v, iv, tag, ct] = box.seal('a secret worth protecting').split('.');
    const short = Buffer.from(ct ?? '', 'base64url')
      .subarray(1)
      .toString('base64url');
    expect(() => box.open([v, iv, tag, short].join('.'))).toThrow();
  });

  it('refuses values that are not sealed secrets', () => {
    expect(() => box.open('plain text')).toThrow('not a sealed secret');
    expect(() => box.open('v1.a.b')).toThrow('not a sealed secret');
    expect(() => box.open('')).toThrow('not a sealed secret');
    const [, iv, tag, ct] = box.seal('x').split('.');
    expect(() => box.open(['v2', iv, tag, ct].join('.'))).toThrow('not a sealed secret');
  });

  it('needs a 32-byte key', () => {
    expect(() => new SecretBox(randomBytes(31))).toThrow('32-byte');
    expect(() => new SecretBox(randomBytes(33))).toThrow('32-byte');
    expect(() => new SecretBox(Buffer.alloc(0))).toThrow('32-byte');
    expect(() => new SecretBox(randomBytes(32))).not.toThrow();
  });

  it('opens with a second box built from the same key bytes', () => {
    const key = newSecretKey();
    const sealed = new SecretBox(key).seal('shared');
    expect(new SecretBox(Buffer.from(key)).open(sealed)).toBe('shared');
  });
});

describe('token and secret formats', () => {
  it('API tokens are hp_ and 43 base64url characters (256 bits)', () => {
    for (let i = 0; i < 50; i++) {
      const token = newApiToken();
      expect(token).toMatch(/^hp_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token.slice(3), 'base64url')).toHaveLength(32);
    }
  });

  it('endpoint secrets are whsec_ and the base64 of 32 bytes', () => {
    for (let i = 0; i < 50; i++) {
      const secret = newEndpointSecret();
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const raw = Buffer.from(secret.slice('whsec_'.length), 'base64');
      expect(raw).toHaveLength(32);
      expect(raw.toString('base64')).toBe(secret.slice('whsec_'.length));
    }
  });

  it('tokens, secrets and keys are random', () => {
    const tokens = new Set(Array.from({ length: 100 }, newApiToken));
    const secrets = new Set(Array.from({ length: 100 }, newEndpointSecret));
    const keys = new Set(Array.from({ length: 100 }, () => newSecretKey().toString('hex')));
    expect(tokens.size).toBe(100);
    expect(secrets.size).toBe(100);
    expect(keys.size).toBe(100);
    expect(newSecretKey()).toHaveLength(32);
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes UTF-8 text', () => {
    expect(sha256Hex('é')).toBe(sha256Hex(Buffer.from([0xc3, 0xa9]).toString('utf8')));
    expect(sha256Hex('é')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('constantTimeEqual', () => {
  it('is true for equal strings', () => {
    expect(constantTimeEqual('', '')).toBe(true);
    expect(constantTimeEqual('hp_abc', 'hp_abc')).toBe(true);
    const t = newApiToken();
    expect(constantTimeEqual(t, `${t}`)).toBe(true);
  });

  it('is false for different strings, without throwing on different lengths', () => {
    expect(constantTimeEqual('hp_abc', 'hp_abd')).toBe(false);
    expect(constantTimeEqual('hp_abc', 'hp_ab')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
    expect(constantTimeEqual('a', 'A')).toBe(false);
    expect(constantTimeEqual(newApiToken(), newApiToken())).toBe(false);
  });
});
