/** librdkafka configuration shared by every client: bootstrap servers, then pass-through properties. */
import { rdkafkaPropsFromEnv } from './options.js';

export interface KafkaConnection {
  kafkaBroker: string;
  rdkafka: Record<string, string>;
}

export function kafkaClientConfig(
  conn: KafkaConnection,
  clientId: string,
  ours: Record<string, string | number | boolean>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | number | boolean> {
  // Our defaults first; the user's librdkafka properties (environment, then flags) override them.
  return {
    'bootstrap.servers': conn.kafkaBroker,
    'client.id': clientId,
    ...ours,
    ...rdkafkaPropsFromEnv(env),
    ...conn.rdkafka,
  };
}
