// Lint rules: typescript-eslint's recommended set, plus a ban on console in services (pino only).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'bench/results/**', '.tessera/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  // The explorer page runs in the browser (plain ES modules served by the profile API).
  {
    files: ['services/profile-api/explorer/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(['window', 'document', 'location', 'history', 'sessionStorage', 'fetch', 'URLSearchParams', 'FormData', 'Node']
        .map((g) => [g, 'readonly'])),
    },
  },
  { files: ['test/**', 'bench/**', 'infra/**', '**/*.test.ts', 'services/*/cli.ts', 'services/demo/**', 'services/tools/**'], rules: { 'no-console': 'off' } },
);
