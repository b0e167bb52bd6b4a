import type { Request } from 'express';
import { loadConfig } from '../../config/app-config.js';
import { readCookie } from '../../modules/auth/session-cookie.js';
import { originAllowed } from './origin.js';

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
