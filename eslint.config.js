import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'docs/api/**', 'node_modules/**', 'coverage/**', 'test-results/**', 'bench/results/**', 'bench/.build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.name='Number'][arguments.0.property.name=/^(id|.*_id)$/]",
          message: 'Ids are strings: never Number(id). Compare as BigInt where order matters.',
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', 'scripts/**'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['src/mapping/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.property.name=/^(getDate|getDay|getMonth|getFullYear|getHours|getMinutes|getSeconds|getTimezoneOffset|toLocaleDateString|toLocaleString|toLocaleTimeString|setDate|setMonth|setFullYear|setHours)$/]",
          message: 'Local-time getters depend on the machine zone: use src/core/dates.ts.',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.0.type='Literal'][arguments.0.value=/^\\d{4}-\\d{2}-\\d{2}$/]",
          message: "new Date('<plain date>') parses as UTC midnight: keep plain dates as strings.",
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Mapping reads no clock: take the time from ctx.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'Mapping reads no clock: take the time from ctx.',
        },
      ],
      'no-restricted-imports': ['error', { paths: ['ky'], patterns: ['**/core/http*', '**/cliniko/client*', '**/tradify/http*'] }],
    },
  },
);
