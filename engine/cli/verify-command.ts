/** `ria verify --truth FILE`: the three indices against a producer truth file. */
import { describeOptions, loadOptions, opt } from '../config/options.js';
import { elasticsearchOptions } from '../config/settings.js';
import { ConfigError } from '../errors/errors.js';
import { createEsClient } from '../sink/es-client.js';
import { readTruth, verify } from '../verify/verify.js';
import { type Command, wantsHelp } from './command.js';

const verifyOptions = {
  ...elasticsearchOptions,
  truth: opt.optionalStr('TRUTH_FILE', 'truth', 'the truth file written by ria produce --truth'),
};

export const verifyCommand: Command = {
  summary: 'compare the three indices with a truth file (exit 1 on any difference)',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(
        `usage: ria verify --truth FILE [options]\n\noptions:\n${describeOptions(verifyOptions)}\n`,
      );
      return 0;
    }
    const { config } = loadOptions(verifyOptions, args, env);
    if (!config.truth) throw new ConfigError('missing setting --truth: the truth file to compare with');
    const truth = readTruth(config.truth);
    const es = createEsClient(config);
    try {
      const r = await verify(es, truth);
      if (r.count === 0) {
        process.stdout.write(
          `verify: OK: ${Object.keys(truth.items).length} items, ${Object.keys(truth.users).length} users and the global average equal the truth (${truth.events.valid} valid events)\n`,
        );
        return 0;
      }
      process.stdout.write(
        `verify: ${r.count} differences (${r.checked.items} item and ${r.checked.users} user documents read):\n  ${r.differences.join('\n  ')}\n`,
      );
      return 1;
    } finally {
      await es.close();
    }
  },
};
