/** The Elasticsearch client every part uses, with the connection settings in one place. */
import { Client } from '@elastic/elasticsearch';

export interface EsConnection {
  elasticsearchHost: string;
}

export function createEsClient(conn: EsConnection): Client {
  return new Client({
    node: conn.elasticsearchHost,
    // Retries are ours (per bulk item, with backoff): the transport's own would hide failures.
    maxRetries: 0,
    requestTimeout: 30_000,
    compression: false,
  });
}
