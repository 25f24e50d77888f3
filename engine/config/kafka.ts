/**
 * librdkafka configuration shared by every client: bootstrap servers, then pass-through
 * properties (TLS and SASL too: security.protocol, sasl.mechanisms, ssl.ca.location, …). Any
 * property can be read from a file instead — `RDKAFKA_FILE_<NAME>=path` (ssl.key.password,
 * sasl.oauthbearer.client.secret, …), and KAFKA_SASL_PASSWORD_FILE for sasl.password — so that no
 * secret needs to be a plain environment value (a Kubernetes Secret mounted as a file).
 * Secret properties are registered for redaction.
 */
import { readFileSync } from 'node:fs';
import Kafka from 'node-rdkafka';
import { ConfigError, ServiceError } from '../errors/errors.js';
import { rdkafkaPropsFromEnv } from './options.js';
import { isSecretProperty, registerSecret } from './secrets.js';

export interface KafkaConnection {
  kafkaBroker: string;
  rdkafka: Record<string, string>;
  kafkaSaslPasswordFile?: string;
}

/** A secret read from a file (one trailing newline dropped); `setting` names it in errors. */
function secretFromFile(path: string, setting: string): string {
  let v: string;
  try {
    v = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    throw new ConfigError(
      `invalid setting ${setting}: cannot read ${path} (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  if (!v) throw new ConfigError(`invalid setting ${setting}: ${path} is empty`);
  return v;
}

/** librdkafka properties read from files: RDKAFKA_FILE_SSL_KEY_PASSWORD=/path → ssl.key.password. */
function filePropsFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const props: Record<string, string> = {};
  for (const [k, path] of Object.entries(env))
    if (k.startsWith('RDKAFKA_FILE_') && path)
      props[k.slice(13).toLowerCase().replaceAll('_', '.')] = secretFromFile(path, k);
  return props;
}

export function kafkaClientConfig(
  conn: KafkaConnection,
  clientId: string,
  ours: Record<string, string | number | boolean>,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | number | boolean> {
  // Our defaults first; the user's librdkafka properties (environment, then flags) override them.
  const props: Record<string, string | number | boolean> = {
    'bootstrap.servers': conn.kafkaBroker,
    'client.id': clientId,
    ...ours,
    ...rdkafkaPropsFromEnv(env),
    ...conn.rdkafka,
  };
  Object.assign(props, filePropsFromEnv(env));
  if (conn.kafkaSaslPasswordFile)
    props['sasl.password'] = secretFromFile(conn.kafkaSaslPasswordFile, 'KAFKA_SASL_PASSWORD_FILE');
  for (const [k, v] of Object.entries(props)) if (isSecretProperty(k)) registerSecret(String(v));
  return props;
}

const CONNECT_TIMEOUT_MS = 15_000;

/**
 * What a person must check when librdkafka reports an authentication or TLS failure. Its error
 * events carry text only ("authentication failure", "SSL handshake failed…"), hence the patterns.
 */
function settingHint(message: string): string | undefined {
  if (/authenticat|sasl/i.test(message))
    return 'check RDKAFKA_SECURITY_PROTOCOL, RDKAFKA_SASL_MECHANISMS, RDKAFKA_SASL_USERNAME and the password (RDKAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE)';
  if (/ssl|certificate|handshake/i.test(message))
    return 'check RDKAFKA_SECURITY_PROTOCOL and RDKAFKA_SSL_CA_LOCATION (the CA that signed the broker certificate)';
  return undefined;
}

/**
 * Connects a producer or consumer. Wrong credentials or an untrusted certificate fail at once with
 * a ConfigError naming the settings (librdkafka would otherwise retry quietly until the timeout
 * and say only "broker transport failure"); any other failure says the client's last error.
 */
export function connectKafka(
  client: Kafka.Producer | Kafka.KafkaConsumer,
  broker: string,
  what: string,
): Promise<void> {
  // The event API differs in type between producer and consumer, not in behaviour.
  const events = client as unknown as {
    on(event: 'event.error', f: (e: Kafka.LibrdKafkaError) => void): void;
    removeListener(event: 'event.error', f: (e: Kafka.LibrdKafkaError) => void): void;
  };
  return new Promise<void>((resolve, reject) => {
    let last: Kafka.LibrdKafkaError | undefined;
    let settled = false;
    const onError = (e: Kafka.LibrdKafkaError) => {
      last = e;
      const hint = settingHint(e.message);
      if (hint && !settled) {
        settled = true;
        clearInterval(poller);
        events.removeListener('event.error', onError);
        // No disconnect here: it would wait for the connect attempt to time out; the caller exits.
        reject(new ConfigError(`${what}: Kafka at ${broker} refused the connection: ${e.message}; ${hint}`));
      }
    };
    events.on('event.error', onError);
    // A producer's error events are delivered only when it is polled: poll while connecting.
    const poller =
      client instanceof Kafka.Producer
        ? setInterval(() => {
            try {
              client.poll();
            } catch {
              // not connected yet
            }
          }, 200)
        : undefined;
    client.connect({ timeout: CONNECT_TIMEOUT_MS }, (e) => {
      clearInterval(poller);
      if (settled) return;
      settled = true;
      events.removeListener('event.error', onError);
      if (!e) return resolve();
      const detail = last && last.message !== e.message ? ` (${last.message})` : '';
      reject(
        new ServiceError(
          `${what}: cannot connect to Kafka at ${broker}: ${e.message}${detail}`,
          'RIA_ERR_KAFKA_CONNECT',
          true,
          e,
        ),
      );
    });
  });
}
