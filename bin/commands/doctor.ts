import type { Command } from 'commander';
import type { DoctorOptions } from '../../lib/doctor/command.js';

/**
 * `whopays doctor --config <file> [--outputs <cdk outputs>]`. The checks and their AWS clients load
 * only when the command runs: bundled eagerly they tripled the start of every other command.
 */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'check a deployed stack against AWS with read-only calls: export/report definitions, bucket policy and notifications, budgets payer, SNS subscriptions, Lake Formation',
    )
    .requiredOption('--config <file>', 'the deploy config the stack was deployed with')
    .option('--outputs <file>', 'stack outputs written by cdk deploy --outputs-file')
    .option('--stack <name>', 'the stack in --outputs, when it holds several')
    .action(async (options: DoctorOptions) => {
      const { runDoctorCommand } = await import('../../lib/doctor/command.js');
      await runDoctorCommand(options);
    });
}
