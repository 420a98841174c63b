import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench/results/**', 'data/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The domain stays pure: no Nest, no I/O, no clock reads.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@nestjs/*', 'node:*', 'fs', 'ioredis', 'bullmq', 'better-sqlite3', '@eventstore/*'] }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'time comes in as data (ctx.now)' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'time comes in as data (ctx.now)' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'deciders are deterministic' },
      ],
    },
  },
);
