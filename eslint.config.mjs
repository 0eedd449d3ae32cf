import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VSCODE_ONLY_IN_VIEWS = { name: 'vscode', message: 'Only src/views and src/extension.ts may import vscode.' };

/**
 * Import rules of one layer: none of the `forbidden` folders of src/ (nor extension.ts, which
 * only wires things), and no vscode unless `plainNode` is false.
 */
function layer(files, message, forbidden, plainNode) {
  return [
    {
      files: [files],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths: plainNode ? [VSCODE_ONLY_IN_VIEWS] : [],
            patterns: [{ group: [...forbidden.map((folder) => `**/${folder}/**`), '**/extension'], message }],
          },
        ],
      },
    },
  ];
}

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test/**', '.cache/**', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': 'off',
    },
  },
  // The layers, and the one direction imports go: common <- model <- local, sqs <- services <- views <- extension.ts.
  ...layer('src/common/**/*.ts', 'common/ is the shared plain-Node base: it imports nothing of ours.', ['model', 'local', 'sqs', 'services', 'views'], true),
  ...layer('src/model/**/*.ts', 'model/ is pure data and rules: it imports only common/.', ['local', 'sqs', 'services', 'views'], true),
  ...layer('src/local/**/*.ts', 'local/ (the built-in server) imports only model/ and common/.', ['sqs', 'services', 'views'], true),
  ...layer('src/sqs/**/*.ts', 'sqs/ imports only model/ and common/.', ['local', 'services', 'views'], true),
  ...layer('src/services/**/*.ts', 'services/ import sqs/, local/, model/ and common/, never a view.', ['views'], true),
  ...layer('src/protocol.ts', 'protocol.ts is shared with the webview: it imports only model/.', ['local', 'sqs', 'services', 'views'], true),
  ...layer('src/views/**/*.ts', 'views/ reach the built-in server through services/.', ['local'], false),
);
