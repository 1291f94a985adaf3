import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';

/**
 * One layer's rule: files under `files` may not import from the sibling folders named in
 * `forbidden` (however the path is spelled), nor electron where electronForbidden (app alone may use it).
 */
function layer(files, forbidden, message, electronForbidden = true) {
  const folders = forbidden.join('|');
  const patterns = [{ regex: `(^|/)(${folders})(/|\\.[jt]s$)`, message }];
  if (electronForbidden) patterns.push({ group: ['electron', 'electron/*'], message });
  return { files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

/**
 * Modules that still hold SQL of their own, to move under src-main/core/sql/ (each
 * shrinks this list; a new module never joins it).
 */

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', '.ci/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'off',
    },
  },
  {
    files: ['src-renderer/**/*.{ts,svelte}', 'src-renderer/**/*.svelte.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  // Layers, in the manner of VS Code's layering rule: core is the inside and imports no
  // outer layer; app (Electron), server (browser mode) and cli each import core and never
  // each other; only src-main/cli.ts, the command's entry, joins cli and server.
  layer('src-main/core/**/*.ts', ['app', 'server', 'cli'], 'core imports no outer layer (app, server, cli, electron)'),
  layer('src-main/app/**/*.ts', ['server', 'cli'], 'app imports core, not server or cli', false),
  layer('src-main/server/**/*.ts', ['app', 'cli'], 'server imports core, not app or cli'),
  layer('src-main/cli/**/*.ts', ['app', 'server'], 'cli imports core, not app or server (src-main/cli.ts passes the server in)'),
  {
    // SQL lives in the data-access modules (src-main/core/sql/, one per table or
    // aggregate), the migration runner and `db check`: nowhere else may prepare, exec,
    // pragma or open a transaction on a database handle.
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/core/sql/**', 'src-main/core/db/database.ts', 'src-main/core/db/check.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(prepare|pragma|transaction)$/]",
          message: 'SQL belongs in a data-access module under src-main/core/sql/',
        },
        {
          // .exec on a database handle (RegExp#exec is fine)
          selector: "CallExpression[callee.property.name='exec']:matches([callee.object.name=/^(db|raw|database|handle|connection|sqlite)$/i], [callee.object.property.name=/^(db|database)$/])",
          message: 'SQL belongs in a data-access module under src-main/core/sql/',
        },
      ],
    },
  },
  {
    // The renderer talks to the Node side only through the typed API.
    files: ['src-renderer/**/*'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: 'src-main/(?!core/api/contract((\\.[jt]s)?|/[\\w-]+\\.[jt]s)$)', message: 'use the typed API' },
            { group: ['node:*', 'electron'], message: 'the renderer runs sandboxed: no Node, no Electron' },
          ],
        },
      ],
    },
  },
);
