export { normalizeForMatching } from './normalize.js';
