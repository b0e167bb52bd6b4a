import { Foundation1764100000000 } from './1764100000000-foundation.js';

/** Every migration, in order. Hand-written and reviewed; entities must match them (see schema-drift test). */
export const MIGRATIONS = [Foundation1764100000000];
