/*
 * The floor under catch-up: librdkafka alone reading a topic from its beginning to its end, no
 * processing — what kcat -C -e does, built against the very librdkafka the engine loads
 * (node-rdkafka's, so the same version and codecs) and on any machine with a C compiler, without
 * root (bench/source/kcat-floor.ts compiles and runs it). Same fetch settings as the engine
 * (engine/source/fetch-settings.ts), given as name=value arguments.
 *
 * Usage: rdkafka-floor <broker> <topic> [name=value ...]
 * Prints: messages=<n> bytes=<n> seconds=<s>
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "rdkafka-floor: %s: %s\n", what, why);
  exit(1);
}

int main(int argc, char **argv) {
  if (argc < 3) die("usage", "rdkafka-floor <broker> <topic> [name=value ...]");
  double t0 = now();
  char err[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char group[64];
  snprintf(group, sizeof group, "rdkafka-floor-%ld-%ld", (long)t0, (long)getpid());
  const char *fixed[][2] = {
      {"bootstrap.servers", argv[1]}, {"group.id", group},         {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"}, {"enable.partition.eof", "true"},
  };
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    if (rd_kafka_conf_set(conf, fixed[i][0], fixed[i][1], err, sizeof err) != RD_KAFKA_CONF_OK)
      die(fixed[i][0], err);
  for (int i = 3; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) die(argv[i], "expected name=value");
    *eq = 0;
    if (rd_kafka_conf_set(conf, argv[i], eq + 1, err, sizeof err) != RD_KAFKA_CONF_OK) die(argv[i], err);
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die("rd_kafka_new", err);
  rd_kafka_poll_set_consumer(rk);

  /* The topic's partitions, then all of them assigned from the beginning. */
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, argv[2], NULL);
  const struct rd_kafka_metadata *md;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (e) die("metadata", rd_kafka_err2str(e));
  if (md->topic_cnt != 1 || md->topics[0].err) die(argv[2], "no such topic");
  int partitions = md->topics[0].partition_cnt;
  rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(parts, argv[2], md->topics[0].partitions[p].id)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  e = rd_kafka_assign(rk, parts);
  if (e) die("assign", rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(parts);

  int64_t messages = 0, bytes = 0;
  int ended = 0;
  while (ended < partitions) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 1000);
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
      ended++;
    else if (m->err)
      die("consume", rd_kafka_message_errstr(m));
    else {
      messages++;
      bytes += m->len;
    }
    rd_kafka_message_destroy(m);
  }
  double seconds = now() - t0;
  printf("messages=%" PRId64 " bytes=%" PRId64 " seconds=%.3f\n", messages, bytes, seconds);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}
