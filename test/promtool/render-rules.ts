// Writes deploy/monitoring/prometheus-rule.yaml from the Helm chart (rule-manifest.ts), using the real
// helm built by test/helm/build.sh. With --check it writes nothing and fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { helmCli } from '../support/helm.ts';
import { expectedRuleManifest, RULE_MANIFEST } from './rule-manifest.ts';

const helm = await helmCli(join(import.meta.dirname, '..', '..'));
try {
  const want = await expectedRuleManifest(helm);
  const have = (() => {
    try {
      return readFileSync(RULE_MANIFEST, 'utf8');
    } catch {
      return '';
    }
  })();
  if (process.argv.includes('--check')) {
    if (have !== want) {
      console.error('deploy/monitoring/prometheus-rule.yaml is stale: run `node test/promtool/render-rules.ts`');
      process.exitCode = 1;
    }
  } else if (have !== want) writeFileSync(RULE_MANIFEST, want);
} finally {
  helm.cleanup();
}
