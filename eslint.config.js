// Lint: TypeScript rules plus the dependency direction of DESIGN.md:
// api ← store ← apiserver; api ← client ← scheduler, controllers, agent, proxy, e2e.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['control-plane/api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['**/store/**', '**/apiserver/**', '**/client/**', '**/scheduler/**', '**/controllers/**', '**/cmd/**', '**/agent/**', '**/proxy/**', '**/cni/**'], 'control-plane/api imports nothing internal.'),
  },
  {
    files: ['control-plane/store/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['**/apiserver/**', '**/client/**', '**/scheduler/**', '**/controllers/**', '**/cmd/**', '**/agent/**', '**/proxy/**'], 'store imports only api.'),
  },
  {
    files: ['control-plane/apiserver/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['**/client/**', '**/scheduler/**', '**/controllers/**', '**/cmd/**', '**/agent/**', '**/proxy/**'], 'apiserver imports only api and store.'),
  },
  {
    files: ['control-plane/client/**/*.ts', 'control-plane/scheduler/**/*.ts', 'control-plane/controllers/**/*.ts', 'agent/**/*.ts', 'proxy/**/*.ts', 'cni/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: restrict(['**/store/**', '**/apiserver/**', '**/cmd/**'], 'Only the server composition root (control-plane/cmd) imports store and apiserver.'),
  },
);
