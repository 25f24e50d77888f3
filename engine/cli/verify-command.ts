/**
 * `ria verify --truth FILE`: the indices against a producer truth file (--changelog: the changelog
 * topics instead, read as compacted topics are: the last value per key).
 * `ria verify --live`: the indices against the engine's own state (no truth file): read from the
 * checkpoint directory when no engine runs, asked of the running engine otherwise (which rewrites
 * what differs).
 */
import { describeOptions, loadOptions, opt } from '../config/options.js';
import { schemaRegistryOptions } from '../config/registry-settings.js';
import { checkpointDirOf, elasticsearchOptions, engineOptions, kafkaOptions } from '../config/settings.js';
import { ConfigError } from '../errors/errors.js';
import { createEsClient } from '../sink/es-client.js';
import { changelogOf } from '../verify/changelog-documents.js';
import { type LiveVerdict, verifyByEngine, verifyFromCheckpoint } from '../verify/live-verify.js';
import { readTruth, verify, verifyDocuments } from '../verify/verify.js';
import { type Command, wantsHelp } from './command.js';

const { consumerGroup, role, checkpointDir, dashboardHost, dashboardPort } = engineOptions;
const verifyOptions = {
  ...elasticsearchOptions,
  ...kafkaOptions,
  ...schemaRegistryOptions,
  changelog: opt.bool(
    'VERIFY_CHANGELOG',
    'changelog',
    false,
    'compare the changelog topics (<index>.changelog: the last value per key) with the truth, instead of the indices',
  ),
  truth: opt.optionalStr('TRUTH_FILE', 'truth', 'the truth file written by ria produce --truth'),
  live: opt.bool(
    'VERIFY_LIVE',
    'live',
    false,
    "compare with the engine's own state instead of a truth file: its checkpoint, or the running engine (over DASHBOARD_HOST:DASHBOARD_PORT)",
  ),
  kpis: opt.choice(
    'VERIFY_KPIS',
    'kpis',
    'all',
    ['all', 'counts'] as const,
    "what to compare with the truth: every KPI of the contract, or `counts` — the seed's three documents only (what the peer systems in the benchmarks write)",
  ),
  consumerGroup,
  role,
  checkpointDir,
  dashboardHost,
  dashboardPort,
};

function report(v: LiveVerdict): number {
  const read = `${v.checked.items} item and ${v.checked.users} user documents read`;
  if (v.count === 0) {
    process.stdout.write(`verify: OK: the indices equal ${v.source} (${read})\n`);
    return 0;
  }
  process.stdout.write(
    `verify: ${v.count === 1 ? '1 document differs' : `${v.count} documents differ`} from ${v.source} (${read})${v.repaired ? '; the engine is rewriting them' : ''}:\n  ${v.differences.join('\n  ')}\n`,
  );
  return 1;
}

export const verifyCommand: Command = {
  summary:
    'compare the indices with a truth file, or with the engine itself (--live); exit 1 on any difference',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(
        `usage: ria verify --truth FILE [options]\n       ria verify --live [options]\n\noptions:\n${describeOptions(verifyOptions)}\n`,
      );
      return 0;
    }
    const { config } = loadOptions(verifyOptions, args, env);
    const es = createEsClient(config);
    try {
      if (config.live) {
        const fromCheckpoint = await verifyFromCheckpoint(es, checkpointDirOf(config));
        return report(
          fromCheckpoint ?? (await verifyByEngine(`http://${config.dashboardHost}:${config.dashboardPort}`)),
        );
      }
      if (!config.truth)
        throw new ConfigError('missing setting --truth: the truth file to compare with (or --live)');
      const truth = readTruth(config.truth);
      const r = config.changelog
        ? await verifyDocuments(changelogOf(config), truth, config.kpis)
        : await verify(es, truth, config.kpis);
      const where = config.changelog ? 'the changelog topics: ' : '';
      if (r.count === 0) {
        process.stdout.write(
          `verify: OK: ${where}${Object.keys(truth.items).length} items, ${Object.keys(truth.users).length} users and the global average equal the truth (${truth.events.valid} valid events)\n`,
        );
        return 0;
      }
      process.stdout.write(
        `verify: ${where}${r.count} differences (${r.checked.items} item and ${r.checked.users} user documents read):\n  ${r.differences.join('\n  ')}\n`,
      );
      return 1;
    } finally {
      await es.close();
    }
  },
};
