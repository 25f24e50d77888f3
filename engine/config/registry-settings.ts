import { opt } from './options.js';

/** A Confluent-compatible schema registry (Avro events, CHANGELOG_FORMAT=avro); docs/schemas.md. */
export const schemaRegistryOptions = {
  schemaRegistryUrl: opt.optionalStr(
    'SCHEMA_REGISTRY_URL',
    'schema-registry-url',
    'base URL of a Confluent-compatible schema registry API (local Apicurio: http://127.0.0.1:8081/apis/ccompat/v7); unset: Avro messages are dead letters',
  ),
  schemaRegistryCaFile: opt.optionalStr(
    'SCHEMA_REGISTRY_CA_FILE',
    'schema-registry-ca-file',
    'PEM file of the CA certificate(s) to trust for an https registry',
  ),
  schemaRegistryUsername: opt.optionalStr(
    'SCHEMA_REGISTRY_USERNAME',
    'schema-registry-username',
    'user for basic authentication to the registry',
  ),
  schemaRegistryPassword: opt.secret(
    'SCHEMA_REGISTRY_PASSWORD',
    'password for basic authentication to the registry',
  ),
  schemaRegistryPasswordFile: opt.optionalStr(
    'SCHEMA_REGISTRY_PASSWORD_FILE',
    'schema-registry-password-file',
    'file holding the registry password',
  ),
};
