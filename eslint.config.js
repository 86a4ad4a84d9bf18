// ESLint flat config: TypeScript-aware rules for the server and the web app.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', '*.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests may reach into a module's files; application code may not.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Another module is used through its index.ts only: '../accounts/index.js', not '../accounts/auth.js'.
              regex: '(^\\.\\./[a-z-]+/|modules/[a-z-]+/)(?!index\\.js$)[^/]+$',
              message: 'Import another module through its index.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/modules/**'], message: 'platform/ never imports a module.' }] },
      ],
    },
  },
  {
    files: ['web/**/*.{ts,tsx}', 'src/**/assets/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
