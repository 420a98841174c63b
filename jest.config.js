/** One jest run for everything: unit (libs), contract, integration and e2e (test/). */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] },
  moduleNameMapper: {
    '^@hearth/(domain|event-store|read-models|scheduling|platform)$': '<rootDir>/libs/$1/src',
    '^@hearth/(domain|event-store|read-models|scheduling|platform)/(.*)$': '<rootDir>/libs/$1/src/$2',
    '^@hearth/testing$': '<rootDir>/test/support',
    '^@hearth/testing/(.*)$': '<rootDir>/test/support/$1',
  },
  testTimeout: 60000,
};
