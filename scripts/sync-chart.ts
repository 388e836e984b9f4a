// Keeps the Helm chart in step with its single sources: copies crds/*.yaml into the chart's crds/
// (Helm installs only plain files from there) and sets Chart.yaml's version and appVersion to
// package.json's. With --check it writes nothing and fails, listing what is stale.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const chart = join(root, 'deploy/helm/datahub-operator');
const check = process.argv.includes('--check');
const HEADER = '# Copied from crds/ by scripts/sync-chart.ts (`npm run sync:chart`); do not edit: change crds/ instead.\n';

/** What the chart's files must contain: path → content (undefined: must not exist). */
function expected(): Map<string, string | undefined> {
  const want = new Map<string, string | undefined>();
  const sources = readdirSync(join(root, 'crds')).filter((f) => /\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f));
  for (const f of sources) want.set(join(chart, 'crds', f), HEADER + readFileSync(join(root, 'crds', f), 'utf8'));
  // A CRD removed from crds/ must go from the chart too.
  for (const f of existsSync(join(chart, 'crds')) ? readdirSync(join(chart, 'crds')) : []) if (!sources.includes(f)) want.set(join(chart, 'crds', f), undefined);

  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const chartYaml = join(chart, 'Chart.yaml');
  const text = readFileSync(chartYaml, 'utf8');
  const synced = text.replace(/^version: .*$/m, `version: ${version}`).replace(/^appVersion: .*$/m, `appVersion: "${version}"`);
  if (!/^version: /m.test(text) || !/^appVersion: /m.test(text)) throw new Error(`cannot sync "${relative(root, chartYaml)}": it needs top-level version: and appVersion: lines`);
  want.set(chartYaml, synced);
  return want;
}

const stale: string[] = [];
for (const [path, content] of expected()) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current === content) continue;
  stale.push(relative(root, path));
  if (check) continue;
  if (content === undefined) rmSync(path);
  else writeFileSync(path, content);
}
if (check && stale.length > 0) {
  console.error(`the Helm chart is stale (run \`npm run sync:chart\`): ${stale.join(', ')}`);
  process.exit(1);
}
if (!check) console.log(stale.length ? `updated ${stale.join(', ')}` : 'the Helm chart is up to date');
