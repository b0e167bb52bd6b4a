// Where the repository is, seen from a compiled bench (bench/dist/support/*.js).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
