"""
The Spark Structured Streaming peer: the seed stack's job, as a Spark user would write it.

Reads the topic from the earliest offset with trigger(availableNow=True) (every record there at
start, in micro-batches, then stop), parses the JSON events, and in each micro-batch counts per
(item, 1 s window) and per user with Spark; the driver merges the micro-batch counts into the
running aggregates and upserts the changed documents (bulk `update` with `doc_as_upsert`, full
values) into the same indices as our engine: per item total / max / min per second, per user
total, the global average. Timed by the caller from process start to exit.

With WRITE `index` (the tuned variant) it writes each changed document whole with a bulk `index`
operation instead: what a tuned job does, with no read-modify-write in Elasticsearch.

With MODE `streaming` it runs as the seed ran it instead: a 1 s processing-time trigger, until
killed (the cost suite measures it at a steady rate); it prints `spark-peer: streaming` once the
query has started.

Usage: spark_peer.py BOOTSTRAP TOPIC ES_URL CHECKPOINT_DIR [MODE [WRITE]]
"""
import json
import sys
import time
import urllib.request
from datetime import datetime, timezone

from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

bootstrap, topic, es_url, checkpoint = sys.argv[1:5]
mode = sys.argv[5] if len(sys.argv) > 5 else "available-now"
write_mode = sys.argv[6] if len(sys.argv) > 6 else "upsert"
WINDOW_MS = 1000

spark = (
    SparkSession.builder.appName("ria-spark-peer")
    .master("local[*]")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")

schema = StructType(
    [StructField("user_id", StringType()), StructField("item_id", StringType()), StructField("timestamp", StringType())]
)

events = (
    spark.readStream.format("kafka")
    .option("kafka.bootstrap.servers", bootstrap)
    .option("subscribe", topic)
    .option("startingOffsets", "earliest")
    .option("maxOffsetsPerTrigger", 1_000_000)
    .load()
    .select(F.from_json(F.col("value").cast("string"), schema).alias("e"))
    .select("e.user_id", "e.item_id", F.to_timestamp("e.timestamp").alias("ts"))
    .where("user_id IS NOT NULL AND item_id IS NOT NULL AND ts IS NOT NULL AND user_id != '' AND item_id != ''")
    .withColumn("w", F.floor(F.unix_micros("ts") / (WINDOW_MS * 1000)).cast("long"))
)

item_windows = {}  # item -> {window: count}
user_totals = {}
seen = [0]


def bulk(lines):
    if not lines:
        return
    body = ("\n".join(lines) + "\n").encode()
    req = urllib.request.Request(
        f"{es_url}/_bulk", data=body, headers={"content-type": "application/x-ndjson"}, method="POST"
    )
    with urllib.request.urlopen(req, timeout=120) as r:
        res = json.load(r)
    if res.get("errors"):
        bad = [i for i in res["items"] if next(iter(i.values())).get("status", 200) >= 300][:3]
        raise RuntimeError(f"bulk errors: {bad}")


def upsert(index, doc_id, doc):
    if write_mode == "index":
        return [json.dumps({"index": {"_index": index, "_id": doc_id}}), json.dumps(doc)]
    return [json.dumps({"update": {"_index": index, "_id": doc_id}}), json.dumps({"doc": doc, "doc_as_upsert": True})]


def write(batch, batch_id):
    items = batch.groupBy("item_id", "w").count().collect()
    users = batch.groupBy("user_id").count().collect()
    changed_items = set()
    for r in items:
        ws = item_windows.setdefault(r["item_id"], {})
        ws[r["w"]] = ws.get(r["w"], 0) + r["count"]
        changed_items.add(r["item_id"])
        seen[0] += r["count"]
    for r in users:
        user_totals[r["user_id"]] = user_totals.get(r["user_id"], 0) + r["count"]
    now = datetime.now(timezone.utc).isoformat()
    lines = []
    for item in changed_items:
        counts = item_windows[item].values()
        lines += upsert(
            "interaction-agg_item",
            item,
            {"item_id": item, "total_interactions": sum(counts), "max_per_sec": max(counts), "min_per_sec": min(counts), "@timestamp": now},
        )
    for r in users:
        u = r["user_id"]
        lines += upsert("interaction-agg_user", u, {"user_id": u, "total_interactions": user_totals[u], "@timestamp": now})
    total = sum(user_totals.values())
    lines += upsert(
        "interaction-agg_avg",
        "global",
        {
            "avg_interactions_per_user": total / max(1, len(user_totals)),
            "total_interactions": total,
            "distinct_users": len(user_totals),
            "@timestamp": now,
        },
    )
    for i in range(0, len(lines), 10_000):
        bulk(lines[i : i + 10_000])


t0 = time.time()
writer = events.writeStream.foreachBatch(write).option("checkpointLocation", checkpoint)
if mode == "streaming":
    query = writer.trigger(processingTime="1 second").start()
    print("spark-peer: streaming", flush=True)
    query.awaitTermination()
    sys.exit(0)
query = writer.trigger(availableNow=True).start()
query.awaitTermination()
print(json.dumps({"spark_peer": {"events": seen[0], "seconds_in_query": time.time() - t0}}), flush=True)
spark.stop()
