// `datahub-operator validate`: parses its flags, reads the manifests (files, directories, `-` for
// stdin), validates them offline against the CRDs and prints the problems. Returns the exit code:
// 0 no problem, 1 problems found, 2 usage error (bad flag, no input, unreadable path or CRDs).
import { loadCrds, type CrdSet } from './crds.ts';
import { expandPaths, readSource, STDIN_NAME, type Source } from './documents.ts';
import { formatJson, formatSummary, formatText } from './report.ts';
import { validateSources } from './validate.ts';

export const VALIDATE_USAGE = `Usage: datahub-operator validate [flags] <file|directory|->...

Checks manifests offline, as the API server and the operator would: every object of the operator's
kinds against its CRD's OpenAPI schema (with defaults applied) and CEL rules, the operator's own
checks (secret template placeholders), and conflicts between objects (the same clientId, or the same
Secret in a namespace). Objects of other kinds are ignored. Directories are read recursively
(*.yaml, *.yml, *.json); '-' reads standard input, e.g. kustomize build overlays/prod | datahub-operator validate -

Output: one line per problem, "file:line: Kind namespace/name: field: message".

Flags:
  --output text|json   output format (default text)
  --crds DIR           read the CRDs from DIR instead of the ones shipped with this version
  -h, --help           print this help

Exit codes: 0 no problem, 1 problems found, 2 usage error.
`;

export interface ValidateIo {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
}

interface Options {
  output: 'text' | 'json';
  crds?: string;
  paths: string[];
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): Options {
  const options: Options = { output: 'text', paths: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-h' || flag === '--help') options.help = true;
    else if (flag === '--output' || flag === '-o') {
      const output = value();
      if (output !== 'text' && output !== 'json') throw new UsageError(`--output must be text or json, not "${output}"`);
      options.output = output;
    } else if (flag === '--crds') options.crds = value();
    else if (flag.startsWith('-') && flag !== '-') throw new UsageError(`unknown flag "${flag}"`);
    else options.paths.push(arg);
  }
  if (!options.help && options.paths.length === 0) throw new UsageError('no input: name files or directories, or - for standard input');
  if (options.paths.filter((p) => p === '-').length > 1) throw new UsageError('- (standard input) can be given only once');
  return options;
}

async function readSources(paths: string[], io: ValidateIo): Promise<Source[]> {
  const sources: Source[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ name: STDIN_NAME, text: await io.readStdin() });
      continue;
    }
    let files: string[];
    try {
      files = expandPaths([path]);
    } catch (err) {
      throw new UsageError(`cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    for (const file of files) {
      try {
        sources.push(readSource(file));
      } catch (err) {
        throw new UsageError(`cannot read "${file}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    }
  }
  return sources;
}

export async function runValidate(argv: string[], io: ValidateIo): Promise<number> {
  let options: Options;
  let crds: CrdSet;
  let sources: Source[];
  try {
    options = parseArgs(argv);
    if (options.help) {
      io.stdout(VALIDATE_USAGE);
      return 0;
    }
    try {
      crds = loadCrds(options.crds);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    sources = await readSources(options.paths, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`datahub-operator validate: ${err.message}\n`);
    return 2;
  }
  const { problems, summary } = validateSources(sources, crds);
  io.stdout(options.output === 'json' ? formatJson(problems, summary) : formatText(problems));
  io.stderr(formatSummary(summary));
  return problems.length > 0 ? 1 : 0;
}
