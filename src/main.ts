#!/usr/bin/env node
// Entry point and composition root: the only module that reads process.argv and process.env.
// Subcommands: run (the operator), simulator (the Data Hub simulator), validate (offline manifest
// checks), version, help.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, usage } from './config.ts';
import { runOperator } from './operator.ts';
import { runSimulatorCli } from './simulator/index.ts';
import { runValidate } from './validate/command.ts';

const version = (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;

const HELP = `datahub-operator ${version}: manages AVEVA Data Hub authorization code clients from Kubernetes

Usage:
  datahub-operator run [flags]        run the operator (see 'datahub-operator run --help')
  datahub-operator simulator [flags]  run the Data Hub simulator (see 'datahub-operator simulator --help')
  datahub-operator validate <paths|-> check manifests offline against the CRDs (see 'datahub-operator validate --help')
  datahub-operator version            print the version
  datahub-operator help               print this help
`;

// process.exit() right after start-up can hang for ever: a V8 background compile job (Sparkplug,
// Maglev) waiting for a main-thread GC while the exit joins its thread (Node.js issue 54918, open;
// here 5 in 60 bad-flag runs under --optimize-for-size). An idle event loop serves that GC and runs
// no JS that could start new jobs, so a start-up failure exits after a short idle instead.
const SETTLE_BEFORE_EXIT_MS = 200;

function fatal(message: string, code = 2): void {
  process.stderr.write(`datahub-operator: ${message}\n`);
  process.exitCode = code;
  setTimeout(() => process.exit(code), SETTLE_BEFORE_EXIT_MS);
}

async function main(argv: string[]): Promise<void> {
  const [command = 'help', ...rest] = argv;
  switch (command) {
    case 'run': {
      if (rest.includes('--help') || rest.includes('-h')) {
        process.stdout.write(`${usage()}\n`);
        return;
      }
      let config;
      try {
        config = loadConfig(rest, process.env, hostname());
      } catch (err) {
        if (err instanceof ConfigError) return fatal(err.message);
        throw err;
      }
      const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST) && !config.kubeconfig && !process.env.KUBECONFIG;
      await runOperator(config, {
        inCluster,
        version,
        exit: (code) => process.exit(code),
        onSignal: (signal, handler) => process.on(signal, handler),
      });
      return;
    }
    case 'simulator':
      await runSimulatorCli(rest);
      return;
    case 'validate':
      process.exitCode = await runValidate(rest, {
        readStdin: async () => Buffer.concat((await process.stdin.toArray()) as Buffer[]).toString('utf8'),
        stdout: (text) => process.stdout.write(text),
        stderr: (text) => process.stderr.write(text),
      });
      return;
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`${version}\n`);
      return;
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return;
    default:
      fatal(`unknown command "${command}"; try 'datahub-operator help'`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => fatal((err as Error).message ?? String(err), 1));
