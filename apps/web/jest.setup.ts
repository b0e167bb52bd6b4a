import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';
import { TextDecoder, TextEncoder } from 'node:util';

// jsdom lacks TextEncoder/TextDecoder, which react-router uses at import time.
Object.assign(globalThis, { TextEncoder, TextDecoder });

// Debounced searches (250 ms) plus a busy CI machine can outlast the default 1 s of findBy/waitFor.
configure({ asyncUtilTimeout: 4000 });

afterEach(() => {
  window.localStorage.clear();
});
