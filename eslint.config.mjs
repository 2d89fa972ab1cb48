// ESLint 9 flat config. Type-aware rules for promises and type imports everywhere; for
// src/workflows/** (Temporal's deterministic sandbox) no runtime imports of I/O code.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

/** Workflow code may import these only as types (`import type`). */
const workflowForbidden = {
  paths: [
    ...nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in a sandbox without Node builtins; do I/O in an activity' })),
    ...['@temporalio/activity', '@temporalio/client', '@temporalio/worker', '@temporalio/testing'].map((name) => ({
      name,
      message: 'workflow code may use @temporalio/workflow and @temporalio/common only',
    })),
    ...['pg', 'simple-git', 'yaml', 'zod'].map((name) => ({
      name,
      message: 'I/O and parsing belong in activities or the client, not in workflow code',
    })),
  ],
  patterns: [
    { group: ['node:*'], message: 'workflow code runs in a sandbox without Node builtins; do I/O in an activity' },
    {
      group: ['**/activities', '**/activities/**', '**/activities.*', '../activities*'],
      message: 'workflow code calls activities through proxyActivities; import their types only (import type)',
    },
    {
      group: ['@temporalio/activity/**', '@temporalio/client/**', '@temporalio/worker/**', 'pg/**', 'simple-git/**', 'yaml/**', 'zod/**'],
      message: 'not allowed in workflow code except as types',
    },
  ],
};

export default defineConfig(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', '.beadflow/**', 'test/.tmp/**', 'bench/results/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself tracks.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'bench/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: workflowForbidden.paths.map((p) => ({ ...p, allowTypeImports: true })),
          patterns: workflowForbidden.patterns.map((p) => ({ ...p, allowTypeImports: true })),
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
  {
    // The web page's scripts: browser ES modules, served as they are (no build step).
    files: ['src/web/static/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'location',
          'history',
          'fetch',
          'sessionStorage',
          'performance',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'URLSearchParams',
          'FormData',
          'Node',
          'Element',
          'console',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
