// One Jest run for the whole workspace; projects split by environment and by what they need.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true, tsx: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
    },
    module: { type: 'commonjs' },
  },
];

const moduleNameMapper = {
  '^@miyu/(protocol|crypto|word-filter|org-directory)$': '<rootDir>/libs/$1/src/index.ts',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const base = {
  rootDir: '.',
  transform: { '^.+\\.(t|j)sx?$': swc },
  // NestJS 12 and friends ship ESM only: compile them to CommonJS too.
  // openid-client (OIDC sign-in) and its oauth4webapi and jose are ESM only as well.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@scarf|openid-client|oauth4webapi|jose)/)'],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

export default {
  testTimeout: 30000,
  projects: [
    {
      ...base,
      displayName: 'unit',
      testEnvironment: 'node',
      testMatch: [
        '<rootDir>/libs/*/src/**/*.spec.ts',
        '<rootDir>/apps/server/src/**/*.spec.ts',
        '<rootDir>/docker/**/*.spec.ts',
        '<rootDir>/scripts/**/*.spec.ts',
        '<rootDir>/bench/test/*.spec.ts',
      ],
    },
    {
      ...base,
      displayName: 'crypto-jsdom',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/libs/crypto/src/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'web',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/apps/web/src/**/*.spec.ts', '<rootDir>/apps/web/src/**/*.spec.tsx'],
      setupFilesAfterEnv: ['<rootDir>/apps/web/jest.setup.ts'],
    },
    {
      ...base,
      displayName: 'integration',
      testEnvironment: 'node',
      testMatch: ['<rootDir>/apps/server/test/**/*.int-spec.ts', '<rootDir>/libs/*/test/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/apps/server/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/apps/server/test/setup/global-teardown.ts',
    },
  ],
};
