// Jest runs NestJS 12 (ESM-only) in native ESM mode: NODE_OPTIONS=--experimental-vm-modules is
// set by scripts/jest.mjs. @swc/jest compiles TypeScript with decorator metadata, which Nest's
// dependency injection and class-validator need (esbuild/tsx would drop it).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const libs = [
  'contracts',
  'domain',
  'validation',
  'config',
  'database',
  'directory',
  'ledger-store',
  'messaging',
  'risk-views',
  'sharing-store',
  'testing',
  'audit',
];
const moduleNameMapper = {
  '^(\\.{1,2}/.*)\\.js$': '$1',
  ...Object.fromEntries(libs.map((lib) => [`^@caravan/${lib}$`, `<rootDir>/libs/${lib}/src/index.ts`])),
};

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  testMatch,
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper,
  testEnvironment: 'node',
  rootDir: '.',
  ...extra,
});

export default {
  // Integration and end-to-end tests start servers and wait on real I/O; unit tests finish in ms.
  testTimeout: 120_000,
  projects: [
    project('unit', ['<rootDir>/{apps,libs}/**/*.unit.spec.ts']),
    project('int', ['<rootDir>/{apps,libs}/**/*.int.spec.ts']),
    project('e2e', ['<rootDir>/test/**/*.e2e.spec.ts']),
  ],
};
