/** `ria produce`: synthetic traffic at a steady rate, with an optional ground-truth file. */
import { describeOptions, loadOptions } from '../config/options.js';
import { producerOptions } from '../config/producer-settings.js';
import { ConfigError } from '../errors/errors.js';
import { produce } from '../producer/producer.js';
import { type Command, wantsHelp } from './command.js';

const HELP = `usage: ria produce [options]

Sends realistic shop sessions (view → click → add_to_cart → purchase, Zipf item popularity) to
Kafka at --rate events/s until --count or --duration, keyed by user_id. Same --seed, same events.
With --truth FILE it writes the exact aggregates the engine must produce.

options:
`;

export const produceCommand: Command = {
  summary: 'synthetic shop traffic into Kafka, with ground truth',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(`${HELP}${describeOptions(producerOptions)}\n`);
      return 0;
    }
    const { config, rest } = loadOptions(producerOptions, args, env);
    if (rest.length)
      throw new ConfigError(`unexpected argument "${rest[0]}" (ria produce takes only options)`);
    const live = process.stderr.isTTY && !config.quiet;
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const summary = await produce(config, {
      signal: abort.signal,
      onProgress: live
        ? ({ sent, failed, elapsed }) =>
            process.stderr.write(
              `\rproduce: ${sent} sent  ${Math.round(sent / Math.max(elapsed, 1e-3))} events/s  ${failed} failed  ${elapsed.toFixed(0)} s   `,
            )
        : undefined,
    });
    if (live) process.stderr.write('\n');
    process.stdout.write(
      `produce: ${summary.sent} messages (${summary.valid} valid, ${summary.late} of them late, ${summary.invalid} invalid) to ${config.kafkaTopic} [${summary.partitions} partitions] in ${summary.seconds.toFixed(2)} s: ${Math.round(summary.eventsPerSecond)} events/s, ${summary.mbPerSecond.toFixed(2)} MB/s; delivered ${summary.delivered}, failed ${summary.failed}${config.truth ? `; truth in ${config.truth}` : ''}\n`,
    );
    if (summary.failed > 0) {
      process.stderr.write(
        `produce: ${summary.failed} messages were not delivered: ${summary.firstErrors.join('; ')}\n`,
      );
      return 1;
    }
    return 0;
  },
};
