import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { TextDecoder, TextEncoder } from 'node:util';

// jsdom lacks TextEncoder/TextDecoder, which react-router uses at import time. Encoded bytes are copied into this
// realm's Uint8Array, which libsodium's `instanceof` checks expect (as in a browser).
class RealmTextEncoder extends TextEncoder {
  override encode(input?: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(super.encode(input));
  }
}
Object.assign(globalThis, { TextEncoder: RealmTextEncoder, TextDecoder });

// Debounced searches (250 ms) plus a busy CI machine can outlast the default 1 s of findBy/waitFor.
configure({ asyncUtilTimeout: 4000 });

afterEach(() => {
  window.localStorage.clear();
});
