// Lint rules for src, tests, scripts and benchmarks (typescript-eslint, type-aware).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/controlplane/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Import layers (design.md §7): api ← datahub ← connections ← engine ← kinds ← operator.ts, with kube
  // beside them. A later entry replaces the rule for its folder, so each lists every ban it needs.
  ...layers({
    'src/**/*.ts': ['kinds'],
    'src/api/**/*.ts': ['outside-api'],
    'src/datahub/**/*.ts': ['kinds', 'kube', 'engine', 'connections'],
    'src/kube/**/*.ts': ['kinds', 'engine', 'connections', 'datahub'],
    'src/connections/**/*.ts': ['kinds', 'kube', 'engine'],
    'src/engine/**/*.ts': ['kinds'],
    'src/kinds/**/*.ts': ['kube'],
    'src/operator.ts': [],
  }),
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);

/** Import bans by folder, as no-restricted-imports patterns with the reason in the message. */
function layers(byFiles) {
  const bans = {
    kinds: { group: ['**/kinds/**'], message: 'Only operator.ts imports a kind (the engine and everything else stay kind-agnostic).' },
    kube: { group: ['**/kube/**'], message: 'This layer does not talk to Kubernetes: the engine does.' },
    engine: { group: ['**/engine/**'], message: 'This layer sits below the engine and must not import it.' },
    connections: { group: ['**/connections/**'], message: 'This layer sits below connections and must not import them.' },
    datahub: { group: ['**/datahub/**'], message: 'kube/ knows nothing of Data Hub.' },
    'outside-api': { group: ['../**'], message: 'api/ is the bottom layer: it imports nothing of ours outside api/.' },
  };
  return Object.entries(byFiles).map(([files, names]) => ({
    files: [files],
    rules: { 'no-restricted-imports': names.length === 0 ? 'off' : ['error', { patterns: names.map((n) => bans[n]) }] },
  }));
}
