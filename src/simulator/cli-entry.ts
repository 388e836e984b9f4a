// Standalone entry for the simulator (`npx node src/simulator/cli-entry.ts --listen 127.0.0.1:0`),
// for tests and for users without the built operator; `datahub-operator simulator` in main.ts
// calls the same runSimulatorCli. Nothing else belongs here.
import { runSimulatorCli } from './cli.ts';

await runSimulatorCli(process.argv.slice(2));
