package ria;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The Flink peer: the seed's three documents computed as a Flink 2.2 DataStream user writes them,
 * in a local MiniCluster (parallelism 2). The Kafka source reads the topic from the beginning to
 * the offsets at start (bounded, like Spark's availableNow), Jackson parses each event, watermarks
 * per partition (the source's own, bounded out-of-orderness = ALLOWED_LATENESS_MS, with
 * idleness); per item 1 s tumbling event-time windows give the per-second maximum and minimum,
 * late events count in totals only (the window's late-data side output); per user a keyed count;
 * the global document from both. No Flink Elasticsearch connector for Flink 1.18+ is served here,
 * so the sink is written as a user would: a Sink V2 writer that keeps the newest document per id
 * and sends them as bulk `index` requests (deterministic ids) on every checkpoint and at the end.
 *
 * <p>Usage: FlinkPeer BROKER TOPIC ES_URL [MODE]. MODE `bounded` (the default): the topic as it is at
 * start, then exit, printing {"flink_peer": {"events": N, "seconds_in_job": S}}. MODE `streaming`:
 * unbounded, until killed (the cost suite at a steady rate); prints `flink-peer: streaming` once
 * the job runs. Either way a checkpoint, and so a flush to Elasticsearch, every second.
 */
public final class FlinkPeer {
  static final long WINDOW_MS = 1000;
  static final long ALLOWED_LATENESS_MS = 2000;
  static final String ITEM_INDEX = "interaction-agg_item";
  static final String USER_INDEX = "interaction-agg_user";
  static final String AVG_INDEX = "interaction-agg_avg";

  /**
   * (user_id, item_id, event time ms); invalid events never leave the source. Jackson's streaming
   * parser, reading the three fields the documents need (a tree per event cost more).
   */
  static final class EventSchema implements DeserializationSchema<Tuple3<String, String, Long>> {
    private transient JsonFactory json;

    @Override
    public Tuple3<String, String, Long> deserialize(byte[] message) throws IOException {
      if (json == null) json = new JsonFactory();
      String user = null;
      String item = null;
      long time = Long.MIN_VALUE;
      try (JsonParser p = json.createParser(message)) {
        if (p.nextToken() != JsonToken.START_OBJECT) return null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          JsonToken v = p.nextToken();
          switch (name) {
            case "user_id" -> user = v == JsonToken.VALUE_STRING ? p.getText() : null;
            case "item_id" -> item = v == JsonToken.VALUE_STRING ? p.getText() : null;
            case "timestamp" -> {
              if (v == JsonToken.VALUE_NUMBER_INT) time = p.getLongValue();
              else if (v == JsonToken.VALUE_STRING) time = Instant.parse(p.getText()).toEpochMilli();
            }
            default -> p.skipChildren();
          }
        }
      } catch (IOException | RuntimeException bad) {
        return null; // not a valid event: skipped (the engine's dead-letter topic; none in the benchmark topics)
      }
      if (user == null || item == null || user.isEmpty() || item.isEmpty() || time == Long.MIN_VALUE) return null;
      return Tuple3.of(user, item, time);
    }

    @Override
    public boolean isEndOfStream(Tuple3<String, String, Long> next) {
      return false;
    }

    @Override
    public TypeInformation<Tuple3<String, String, Long>> getProducedType() {
      return Types.TUPLE(Types.STRING, Types.STRING, Types.LONG);
    }
  }

  /**
   * One document to write: its index, id and values; its JSON is made when the sink sends it, so
   * a document replaced before the next flush (a user's, on every event) costs no text.
   */
  public static final class Doc {
    public String index;
    public String id;
    public long total;
    public long max;
    public long min;
    public long users;

    public Doc() {}

    Doc(String index, String id, long total, long max, long min, long users) {
      this.index = index;
      this.id = id;
      this.total = total;
      this.max = max;
      this.min = min;
      this.users = users;
    }

    String json(String at) {
      switch (index) {
        case ITEM_INDEX:
          return "{\"item_id\":" + quote(id) + ",\"total_interactions\":" + total + ",\"max_per_sec\":" + max
              + ",\"min_per_sec\":" + min + ",\"@timestamp\":\"" + at + "\"}";
        case USER_INDEX:
          return "{\"user_id\":" + quote(id) + ",\"total_interactions\":" + total + ",\"@timestamp\":\"" + at + "\"}";
        default:
          return "{\"avg_interactions_per_user\":" + (users == 0 ? 0 : (double) total / users) + ",\"total_interactions\":"
              + total + ",\"distinct_users\":" + users + ",\"window_ms\":" + WINDOW_MS + ",\"allowed_lateness_ms\":"
              + ALLOWED_LATENESS_MS + ",\"@timestamp\":\"" + at + "\"}";
      }
    }
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') b.append('\\').append(c);
      else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return b.append('"').toString();
  }

  /** Counts events per (item, window). */
  static final class Count implements AggregateFunction<Tuple3<String, String, Long>, Long, Long> {
    public Long createAccumulator() {
      return 0L;
    }

    public Long add(Tuple3<String, String, Long> e, Long n) {
      return n + 1;
    }

    public Long getResult(Long n) {
      return n;
    }

    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** (item, window count, 1 = a window's count / 0 = one late event). */
  static final class ItemWindow extends ProcessWindowFunction<Long, Tuple3<String, Long, Integer>, String, TimeWindow> {
    @Override
    public void process(String item, Context ctx, Iterable<Long> counts, Collector<Tuple3<String, Long, Integer>> out) {
      for (long n : counts) out.collect(Tuple3.of(item, n, 1));
    }
  }

  /** Global increments: (events, new users). */
  static final OutputTag<Tuple2<Long, Long>> GLOBAL = new OutputTag<>("global", Types.TUPLE(Types.LONG, Types.LONG));

  /** Per item: total, and the maximum and minimum over its windows; the document on every change. */
  static final class ItemDocs extends KeyedProcessFunction<String, Tuple3<String, Long, Integer>, Doc> {
    private transient ValueState<long[]> state;

    @Override
    public void open(OpenContext ctx) {
      state = getRuntimeContext().getState(new ValueStateDescriptor<>("item", long[].class));
    }

    @Override
    public void processElement(Tuple3<String, Long, Integer> w, Context ctx, Collector<Doc> out) throws IOException {
      long[] s = state.value();
      if (s == null) s = new long[] {0, 0, Long.MAX_VALUE, 0};
      s[0] += w.f1;
      if (w.f2 == 1) {
        s[1] = Math.max(s[1], w.f1);
        s[2] = Math.min(s[2], w.f1);
        s[3] = 1;
      }
      state.update(s);
      ctx.output(GLOBAL, Tuple2.of(w.f1, 0L));
      out.collect(new Doc(ITEM_INDEX, w.f0, s[0], s[3] == 1 ? s[1] : 0, s[3] == 1 ? s[2] : 0, 0));
    }
  }

  /** Per user: the count; the document on every event (the sink keeps the newest per id). */
  static final class UserDocs extends KeyedProcessFunction<String, Tuple3<String, String, Long>, Doc> {
    private transient ValueState<Long> count;

    @Override
    public void open(OpenContext ctx) {
      count = getRuntimeContext().getState(new ValueStateDescriptor<>("n", Types.LONG));
    }

    @Override
    public void processElement(Tuple3<String, String, Long> e, Context ctx, Collector<Doc> out) throws IOException {
      Long before = count.value();
      long n = before == null ? 1 : before + 1;
      count.update(n);
      if (before == null) ctx.output(GLOBAL, Tuple2.of(0L, 1L));
      out.collect(new Doc(USER_INDEX, e.f0, n, 0, 0, 0));
    }
  }

  /** The global document from the increments (one key). */
  static final class GlobalDoc extends KeyedProcessFunction<Integer, Tuple2<Long, Long>, Doc> {
    private transient ValueState<long[]> totals;

    @Override
    public void open(OpenContext ctx) {
      totals = getRuntimeContext().getState(new ValueStateDescriptor<>("g", long[].class));
    }

    @Override
    public void processElement(Tuple2<Long, Long> d, Context ctx, Collector<Doc> out) throws IOException {
      long[] t = totals.value();
      if (t == null) t = new long[2];
      t[0] += d.f0;
      t[1] += d.f1;
      totals.update(t);
      out.collect(new Doc(AVG_INDEX, "global", t[0], 0, 0, t[1]));
    }
  }

  /** The Elasticsearch sink: newest document per id, bulk `index` on checkpoint and at the end. */
  static final class EsSink implements Sink<Doc> {
    private final String url;

    EsSink(String url) {
      this.url = url;
    }

    @Override
    public SinkWriter<Doc> createWriter(WriterInitContext context) {
      return new EsWriter(url);
    }
  }

  static final class EsWriter implements SinkWriter<Doc> {
    private static final int BULK_DOCS = 5000;
    private final String url;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Doc> pending = new LinkedHashMap<>();

    EsWriter(String url) {
      this.url = url;
    }

    @Override
    public void write(Doc d, Context context) {
      pending.put(d.index + '/' + d.id, d);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      StringBuilder body = new StringBuilder();
      String at = Instant.now().toString();
      int n = 0;
      for (Doc d : pending.values()) {
        body.append("{\"index\":{\"_index\":\"").append(d.index).append("\",\"_id\":").append(quote(d.id)).append("}}\n");
        body.append(d.json(at)).append('\n');
        if (++n == BULK_DOCS) {
          send(body.toString());
          body.setLength(0);
          n = 0;
        }
      }
      if (n > 0) send(body.toString());
      pending.clear();
    }

    private void send(String body) throws IOException {
      HttpRequest req =
          HttpRequest.newBuilder(URI.create(url + "/_bulk"))
              .header("content-type", "application/x-ndjson")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      HttpResponse<String> res;
      try {
        res = http.send(req, HttpResponse.BodyHandlers.ofString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
      if (res.statusCode() >= 300 || res.body().startsWith("{\"errors\":true"))
        throw new IOException("bulk failed (" + res.statusCode() + "): " + res.body().substring(0, Math.min(500, res.body().length())));
    }

    @Override
    public void close() {}
  }

  public static void main(String[] args) throws Exception {
    String broker = args[0];
    String topic = args[1];
    String es = args[2];
    boolean streaming = args.length > 3 && args[3].equals("streaming");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(1000);
    // Records are not mutated downstream: hand them on without a defensive copy (a common tuning).
    env.getConfig().enableObjectReuse();

    var builder =
        KafkaSource.<Tuple3<String, String, Long>>builder()
            .setBootstrapServers(broker)
            .setTopics(topic)
            .setGroupId("ria-flink-peer-" + System.nanoTime())
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setValueOnlyDeserializer(new EventSchema())
            // The engine's fetch settings (engine/source/fetch-settings.ts), in the Java client's names.
            .setProperty("fetch.min.bytes", String.valueOf(1024 * 1024))
            .setProperty("fetch.max.wait.ms", "100")
            .setProperty("max.partition.fetch.bytes", String.valueOf(8 * 1024 * 1024));
    if (!streaming) builder.setBounded(OffsetsInitializer.latest());
    KafkaSource<Tuple3<String, String, Long>> source = builder.build();
    WatermarkStrategy<Tuple3<String, String, Long>> watermarks =
        WatermarkStrategy.<Tuple3<String, String, Long>>forBoundedOutOfOrderness(Duration.ofMillis(ALLOWED_LATENESS_MS))
            .withTimestampAssigner((e, ts) -> e.f2)
            .withIdleness(Duration.ofSeconds(2));
    DataStream<Tuple3<String, String, Long>> events = env.fromSource(source, watermarks, "kafka");

    OutputTag<Tuple3<String, String, Long>> late =
        new OutputTag<>("late", Types.TUPLE(Types.STRING, Types.STRING, Types.LONG));
    SingleOutputStreamOperator<Tuple3<String, Long, Integer>> windows =
        events
            .keyBy(e -> e.f1, Types.STRING)
            .window(TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_MS)))
            .sideOutputLateData(late)
            .aggregate(new Count(), new ItemWindow(), Types.LONG, Types.LONG, Types.TUPLE(Types.STRING, Types.LONG, Types.INT));
    DataStream<Tuple3<String, Long, Integer>> lateOnes =
        windows
            .getSideOutput(late)
            .map(e -> Tuple3.of(e.f1, 1L, 0))
            .returns(Types.TUPLE(Types.STRING, Types.LONG, Types.INT));
    SingleOutputStreamOperator<Doc> items =
        windows.union(lateOnes).keyBy(w -> w.f0, Types.STRING).process(new ItemDocs(), TypeInformation.of(Doc.class));
    SingleOutputStreamOperator<Doc> users =
        events.keyBy(e -> e.f0, Types.STRING).process(new UserDocs(), TypeInformation.of(Doc.class));
    SingleOutputStreamOperator<Doc> global =
        items
            .getSideOutput(GLOBAL)
            .union(users.getSideOutput(GLOBAL))
            .keyBy(d -> 0, Types.INT)
            .process(new GlobalDoc(), TypeInformation.of(Doc.class))
            .setParallelism(1);
    items.sinkTo(new EsSink(es)).name("items to Elasticsearch");
    users.sinkTo(new EsSink(es)).name("users to Elasticsearch");
    global.sinkTo(new EsSink(es)).name("global to Elasticsearch").setParallelism(1);

    if (streaming) {
      JobClient job = env.executeAsync("ria-flink-peer");
      System.out.println("flink-peer: streaming");
      job.getJobExecutionResult().get();
      return;
    }
    JobExecutionResult r = env.execute("ria-flink-peer");
    // The job's own count: the global document's total, read back.
    HttpResponse<String> g =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(es + "/" + AVG_INDEX + "/_doc/global")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode doc = new ObjectMapper().readTree(g.body()).path("_source");
    System.out.println(
        "{\"flink_peer\": {\"events\": " + doc.path("total_interactions").asLong() + ", \"seconds_in_job\": "
            + r.getNetRuntime(TimeUnit.MILLISECONDS) / 1000.0 + "}}");
  }
}
