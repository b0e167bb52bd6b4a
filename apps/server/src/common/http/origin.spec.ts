import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import { loadConfig } from '../../config/app-config.js';
import { readCookie } from '../../modules/auth/session-cookie.js';
import { forwardedClientIp, originAllowed } from './origin.js';

const config = loadConfig({ PUBLIC_URL: 'https://chat.example.com' });
const req = (headers: Record<string, string>) => ({ headers }) as unknown as Request;

describe('originAllowed', () => {
  it('accepts our public origin, the addressed host, and non-browser requests without Origin', () => {
    expect(originAllowed(req({ origin: 'https://chat.example.com' }), config)).toBe(true);
    expect(originAllowed(req({ origin: 'http://localhost:5173', host: 'localhost:5173' }), config)).toBe(true);
    expect(originAllowed(req({}), config)).toBe(true);
  });

  it('refuses other sites', () => {
    expect(originAllowed(req({ origin: 'https://evil.example', host: 'chat.example.com' }), config)).toBe(false);
    expect(originAllowed(req({ origin: 'null', host: 'chat.example.com' }), config)).toBe(false);
  });
});

describe('readCookie', () => {
  it('finds one cookie among many and survives malformed encodings', () => {
    expect(readCookie('a=1; miyu_session=abc%2Ddef; b=2', 'miyu_session')).toBe('abc-def');
    expect(readCookie('miyu_session=%E0%A4%A', 'miyu_session')).toBeUndefined();
    expect(readCookie(undefined, 'miyu_session')).toBeUndefined();
  });
});

describe('forwardedClientIp', () => {
  const handshake = (forwarded?: string) =>
    ({
      socket: { remoteAddress: '10.0.0.2' },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as IncomingMessage;

  it('reads the address as Express does under TRUST_PROXY', () => {
    expect(forwardedClientIp(handshake('203.0.113.9'), false)).toBe('10.0.0.2');
    expect(forwardedClientIp(handshake('203.0.113.9, 198.51.100.1'), 1)).toBe('198.51.100.1');
    expect(forwardedClientIp(handshake('203.0.113.9, 198.51.100.1'), 2)).toBe('203.0.113.9');
    expect(forwardedClientIp(handshake('203.0.113.9, 198.51.100.1'), 5)).toBe('203.0.113.9');
    expect(forwardedClientIp(handshake('203.0.113.9, 198.51.100.1'), true)).toBe('203.0.113.9');
    expect(forwardedClientIp(handshake(), 1)).toBe('10.0.0.2');
  });
});
