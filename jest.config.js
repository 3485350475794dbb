/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleNameMapper: {
    '^tornadio$': '<rootDir>/src/index.ts',
  },
  globalSetup: '<rootDir>/tests/global-setup.js',
  testTimeout: 30000,
  // Real sockets and a real browser: two cores do better with two workers.
  maxWorkers: 2,
};
