/** `ria stack up | down | status | logs`: the local Kafka, Elasticsearch and schema registry without Docker. */
import { describeOptions, loadOptions } from '../config/options.js';
import { stackOptions } from '../config/settings.js';
import { ServiceError } from '../errors/errors.js';
import { ensureIndices } from '../setup/index-templates.js';
import { runStackScript } from '../setup/stack-script.js';
import { ensureTopics } from '../setup/topics.js';
import { dlqTopic } from '../shared/indices.js';
import { createEsClient } from '../sink/es-client.js';
import { type Command, wantsHelp } from './command.js';

const HELP = `usage: ria stack <up [kafka|es|registry] | down [kafka|es|registry] | status | logs [kafka|es|registry]> [options]

  up      download (once, into ~/.cache/ria), start and wait for Kafka (KRaft), Elasticsearch and
          Apicurio Registry (schemas: http://127.0.0.1:8081/apis/ccompat/v7) on 127.0.0.1, then
          create the topics and the index templates; a no-op when already up.
          KAFKA_BROKER / ELASTICSEARCH_HOST / SCHEMA_REGISTRY_URL set to other addresses: those
          services are used as they are.
  down    stop exactly what \`up\` started (down kafka / down es / down registry: one of them)
  status  one line per service (exit 1 when one is down)
  logs    the tail of each service's log

options:
`;

export const stackCommand: Command = {
  summary: 'the local Kafka + Elasticsearch + schema registry: up | down | status | logs',
  async run(args, env) {
    if (wantsHelp(args)) {
      process.stdout.write(`${HELP}${describeOptions(stackOptions)}\n`);
      return 0;
    }
    const { config, rest } = loadOptions(stackOptions, args, env);
    const [action, ...targets] = rest;
    if (!['up', 'down', 'status', 'logs'].includes(action ?? '')) {
      process.stderr.write(HELP);
      return 2;
    }
    // Flags reach the script as the environment it reads.
    const scriptEnv = { ...env };
    if (args.some((a) => a.startsWith('--kafka-broker'))) scriptEnv.KAFKA_BROKER = config.kafkaBroker;
    if (args.some((a) => a.startsWith('--elasticsearch-host')))
      scriptEnv.ELASTICSEARCH_HOST = config.elasticsearchHost;
    const code = await runStackScript([action, ...targets], scriptEnv);
    if (code !== 0 || action !== 'up') return code;

    const target = targets[0] ?? 'all';
    if (target === 'all' || target === 'kafka') {
      const topics = [
        { name: config.kafkaTopic, partitions: config.topicPartitions },
        { name: dlqTopic(config.kafkaTopic), partitions: 1 },
      ];
      const created = await ensureTopics(config, topics);
      process.stderr.write(
        `stack: topics ${topics.map((t) => t.name).join(', ')} ${created.length ? `(created ${created.join(', ')})` : 'present'}\n`,
      );
    }
    if (target === 'all' || target === 'es') {
      const es = createEsClient(config);
      try {
        await ensureIndices(es);
      } catch (e) {
        throw new ServiceError(
          `cannot create index templates on ${config.elasticsearchHost}`,
          'RIA_ERR_ES_SETUP',
          true,
          e,
        );
      } finally {
        await es.close();
      }
      process.stderr.write('stack: index templates and indices ready\n');
    }
    return 0;
  },
};
