/** The changelog topics (docs/schemas.md): every document the engine writes, also in Kafka. */
import { opt } from './options.js';

export const changelogOptions = {
  changelogTopics: opt.bool(
    'CHANGELOG_TOPICS',
    'changelog-topics',
    false,
    'also write every document to a compacted Kafka topic per index, <index>.changelog (key: the document id), before the cut is acknowledged: what a Kafka Connect sink reads',
  ),
  changelogFormat: opt.choice(
    'CHANGELOG_FORMAT',
    'changelog-format',
    'json',
    ['json', 'avro'] as const,
    'changelog values as JSON, or Avro with a schema registered under <index>.changelog-value (needs SCHEMA_REGISTRY_URL)',
  ),
};
