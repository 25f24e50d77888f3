/*
 * Batch calls added to node-rdkafka by realtime-interaction-analytics (Apache-2.0; node-rdkafka is
 * MIT). They move messages between librdkafka and JavaScript as a few flat buffers per batch
 * instead of one JS object (and two Buffers) per message, which is what bounds node-rdkafka's own
 * consume() and produce() at ~100k messages/s on one core.
 *
 *   consumer.consumeBatch(timeoutMs, maxMessages, cb(err, segments, eofs))
 *     Runs on the libuv thread pool: takes up to maxMessages messages, groups them by partition
 *     and copies each partition's values and keys into malloc'd blocks of the exact size there;
 *     the main thread only wraps the blocks as ArrayBuffers (no copy; they can be transferred to
 *     worker threads, and are freed when collected).
 *     segments: [{ partition, firstOffset, lastOffset, count, values, meta, keys }]
 *       values: ArrayBuffer, the values back to back
 *       meta:   ArrayBuffer of Int32 [ends(count) | offsetDelta(count)]; ends[i] is where value i
 *               ends in values, -1 for a null value; offset i = firstOffset + offsetDelta[i]
 *       keys:   ArrayBuffer of Int32 keyEnds(count) (-1: null key), then the key bytes back to back
 *     eofs: [{ partition, offset }] for partitions that reached their end (enable.partition.eof).
 *
 *   producer.produceBatch(topic, partitions, values, valueEnds, keys, keyStarts, keyEnds, from, to)
 *     Enqueues messages from..to-1 (value i = values[valueEnds[i-1] .. valueEnds[i]), key i =
 *     keys[keyStarts[i] .. keyEnds[i]), -1 = null key) with RK_MSG_COPY, one topic lookup and one
 *     lock for the whole batch. Returns [accepted, errorCode]: it stops at the first error
 *     (ERR__QUEUE_FULL = -184: poll, then call again from from + accepted).
 */

#include <nan.h>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "src/kafka-consumer.h"
#include "src/producer.h"
#include "src/workers.h"

namespace NodeKafka {

namespace {

/** A malloc'd block handed to V8 as an ArrayBuffer's memory (freed when that is collected). */
struct Block {
  char* data = nullptr;
  size_t size = 0;
};

Block NewBlock(size_t size) {
  Block b;
  b.size = size;
  b.data = static_cast<char*>(std::malloc(size > 0 ? size : 1));
  return b;
}

void FreeBlock(void* data, size_t, void*) { std::free(data); }

v8::Local<v8::ArrayBuffer> Wrap(Block b) {
  std::unique_ptr<v8::BackingStore> store = v8::ArrayBuffer::NewBackingStore(b.data, b.size, FreeBlock, nullptr);
  return v8::ArrayBuffer::New(v8::Isolate::GetCurrent(), std::move(store));
}

/** One partition's messages of a batch: collected, then packed into blocks, on the thread pool. */
struct Segment {
  int32_t partition = 0;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  std::vector<RdKafka::Message*> messages;
  size_t value_bytes = 0;
  size_t key_bytes = 0;
  Block values, meta, keys;

  /** Packs the messages into the three blocks (exact sizes: no growth, one copy) and frees them. */
  void Pack() {
    size_t n = messages.size();
    values = NewBlock(value_bytes);
    meta = NewBlock(2 * n * sizeof(int32_t));
    keys = NewBlock(n * sizeof(int32_t) + key_bytes);
    int32_t* ends = reinterpret_cast<int32_t*>(meta.data);
    int32_t* delta = ends + n;
    int32_t* key_ends = reinterpret_cast<int32_t*>(keys.data);
    char* key_bytes_at = keys.data + n * sizeof(int32_t);
    size_t v = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
      RdKafka::Message* m = messages[i];
      delta[i] = static_cast<int32_t>(m->offset() - first_offset);
      if (m->payload() == nullptr) {
        ends[i] = -1;
      } else {
        std::memcpy(values.data + v, m->payload(), m->len());
        v += m->len();
        ends[i] = static_cast<int32_t>(v);
      }
      const void* key = m->key_pointer();
      if (key == nullptr) {
        key_ends[i] = -1;
      } else {
        std::memcpy(key_bytes_at + k, key, m->key_len());
        k += m->key_len();
        key_ends[i] = static_cast<int32_t>(k);
      }
      delete m;
    }
    messages.clear();
  }
};

struct Eof {
  int32_t partition;
  int64_t offset;
};

class ConsumeBatchWorker : public Workers::ErrorAwareWorker {
 public:
  ConsumeBatchWorker(Nan::Callback* callback, KafkaConsumer* consumer, uint32_t max, int timeout_ms)
      : ErrorAwareWorker(callback), m_consumer(consumer), m_max(max), m_timeout_ms(timeout_ms) {}

  void Execute() {
    Take();
    for (Segment& s : m_segments) s.Pack();
  }

  void HandleOKCallback() {
    Nan::HandleScope scope;
    v8::Local<v8::Array> segments = Nan::New<v8::Array>(static_cast<int>(m_segments.size()));
    for (size_t i = 0; i < m_segments.size(); i++) {
      Segment& s = m_segments[i];
      v8::Local<v8::Object> o = Nan::New<v8::Object>();
      Nan::Set(o, Nan::New("partition").ToLocalChecked(), Nan::New<v8::Number>(s.partition));
      Nan::Set(o, Nan::New("firstOffset").ToLocalChecked(),
               Nan::New<v8::Number>(static_cast<double>(s.first_offset)));
      Nan::Set(o, Nan::New("lastOffset").ToLocalChecked(),
               Nan::New<v8::Number>(static_cast<double>(s.last_offset)));
      Nan::Set(o, Nan::New("count").ToLocalChecked(),
               Nan::New<v8::Number>(static_cast<double>(s.meta.size / 8)));
      Nan::Set(o, Nan::New("values").ToLocalChecked(), Wrap(s.values));
      Nan::Set(o, Nan::New("meta").ToLocalChecked(), Wrap(s.meta));
      Nan::Set(o, Nan::New("keys").ToLocalChecked(), Wrap(s.keys));
      Nan::Set(segments, static_cast<uint32_t>(i), o);
    }
    v8::Local<v8::Array> eofs = Nan::New<v8::Array>(static_cast<int>(m_eofs.size()));
    for (size_t i = 0; i < m_eofs.size(); i++) {
      v8::Local<v8::Object> o = Nan::New<v8::Object>();
      Nan::Set(o, Nan::New("partition").ToLocalChecked(), Nan::New<v8::Number>(m_eofs[i].partition));
      Nan::Set(o, Nan::New("offset").ToLocalChecked(),
               Nan::New<v8::Number>(static_cast<double>(m_eofs[i].offset)));
      Nan::Set(eofs, static_cast<uint32_t>(i), o);
    }
    v8::Local<v8::Value> argv[3] = {Nan::Null(), segments, eofs};
    callback->Call(3, argv, async_resource);
  }

 private:
  /** Takes messages as node-rdkafka's consume(n) does: until `max`, a time-out or an error. */
  void Take() {
    int timeout_ms = m_timeout_ms;
    uint32_t taken = 0;
    std::map<int32_t, size_t> index;  // partition → its open segment in m_segments
    while (taken < m_max) {
      Baton b = m_consumer->Consume(timeout_ms);
      if (b.err() != RdKafka::ERR_NO_ERROR) {
        if (taken == 0 && m_eofs.empty()) SetErrorBaton(b);
        return;
      }
      RdKafka::Message* m = b.data<RdKafka::Message*>();
      RdKafka::ErrorCode code = m->err();
      if (code == RdKafka::ERR__PARTITION_EOF) {
        m_eofs.push_back({m->partition(), m->offset()});
        // Something taken already: collect what is ready, do not wait for more.
        if (taken > 0) timeout_ms = 1;
        delete m;
        continue;
      }
      if (code != RdKafka::ERR_NO_ERROR) {  // timed out, or an error for the caller
        if (code != RdKafka::ERR__TIMED_OUT && code != RdKafka::ERR__TIMED_OUT_QUEUE &&
            taken == 0 && m_eofs.empty())
          SetErrorBaton(Baton(code));
        delete m;
        return;
      }
      Add(index, m);
      taken++;
    }
  }

  /** Files the message under its partition's segment (kept until Pack). */
  void Add(std::map<int32_t, size_t>& index, RdKafka::Message* m) {
    int32_t partition = m->partition();
    int64_t offset = m->offset();
    auto it = index.find(partition);
    // Offsets are kept as Int32 deltas: an (unheard of) jump past 2^31 starts a new segment.
    if (it == index.end() ||
        offset - m_segments[it->second].first_offset > std::numeric_limits<int32_t>::max()) {
      m_segments.emplace_back();
      m_segments.back().partition = partition;
      m_segments.back().first_offset = offset;
      index[partition] = m_segments.size() - 1;
      it = index.find(partition);
    }
    Segment& s = m_segments[it->second];
    s.last_offset = offset;
    s.messages.push_back(m);
    if (m->payload() != nullptr) s.value_bytes += m->len();
    if (m->key_pointer() != nullptr) s.key_bytes += m->key_len();
  }

  KafkaConsumer* m_consumer;
  const uint32_t m_max;
  const int m_timeout_ms;
  std::vector<Segment> m_segments;
  std::vector<Eof> m_eofs;
};

/** The bytes of a typed array or Buffer argument. */
bool Bytes(v8::Local<v8::Value> v, char** data, size_t* len) {
  if (!v->IsArrayBufferView()) return false;
  v8::Local<v8::ArrayBufferView> view = v.As<v8::ArrayBufferView>();
  *data = static_cast<char*>(view->Buffer()->Data()) + view->ByteOffset();
  *len = view->ByteLength();
  return true;
}

}  // namespace

NAN_METHOD(KafkaConsumer::NodeConsumeBatch) {
  Nan::HandleScope scope;
  if (info.Length() < 3 || !info[0]->IsNumber() || !info[1]->IsNumber() || !info[2]->IsFunction())
    return Nan::ThrowError("consumeBatch(timeoutMs, maxMessages, callback)");
  int timeout_ms = Nan::To<int32_t>(info[0]).FromJust();
  uint32_t max = Nan::To<uint32_t>(info[1]).FromJust();
  if (max == 0) return Nan::ThrowError("maxMessages must be over 0");
  KafkaConsumer* consumer = ObjectWrap::Unwrap<KafkaConsumer>(info.This());
  Nan::Callback* callback = new Nan::Callback(info[2].As<v8::Function>());
  Nan::AsyncQueueWorker(new ConsumeBatchWorker(callback, consumer, max, timeout_ms));
  info.GetReturnValue().Set(Nan::Null());
}

NAN_METHOD(Producer::NodeProduceBatch) {
  Nan::HandleScope scope;
  char *partitions, *values, *value_ends, *keys, *key_starts, *key_ends;
  size_t n_partitions, n_values, n_value_ends, n_keys, n_key_starts, n_key_ends;
  if (info.Length() < 9 || !info[0]->IsString() || !Bytes(info[1], &partitions, &n_partitions) ||
      !Bytes(info[2], &values, &n_values) || !Bytes(info[3], &value_ends, &n_value_ends) ||
      !Bytes(info[4], &keys, &n_keys) || !Bytes(info[5], &key_starts, &n_key_starts) ||
      !Bytes(info[6], &key_ends, &n_key_ends) || !info[7]->IsNumber() || !info[8]->IsNumber())
    return Nan::ThrowError(
        "produceBatch(topic, partitions, values, valueEnds, keys, keyStarts, keyEnds, from, to)");
  const int32_t* partition = reinterpret_cast<const int32_t*>(partitions);
  const int32_t* vend = reinterpret_cast<const int32_t*>(value_ends);
  const int32_t* kstart = reinterpret_cast<const int32_t*>(key_starts);
  const int32_t* kend = reinterpret_cast<const int32_t*>(key_ends);
  size_t count = n_partitions / 4;
  if (n_value_ends / 4 < count || n_key_starts / 4 < count || n_key_ends / 4 < count)
    return Nan::ThrowError("produceBatch: partitions, valueEnds, keyStarts and keyEnds differ in length");
  int64_t from = Nan::To<int64_t>(info[7]).FromJust();
  int64_t to = Nan::To<int64_t>(info[8]).FromJust();
  if (from < 0 || to > static_cast<int64_t>(count) || from > to)
    return Nan::ThrowError("produceBatch: from/to out of range");

  Producer* producer = ObjectWrap::Unwrap<Producer>(info.This());
  int64_t accepted = 0;
  RdKafka::ErrorCode code = RdKafka::ERR_NO_ERROR;
  if (!producer->IsConnected()) {
    code = RdKafka::ERR__STATE;
  } else {
    scoped_shared_read_lock lock(producer->m_connection_lock);
    RdKafka::Producer* client = dynamic_cast<RdKafka::Producer*>(producer->m_client);
    std::string errstr;
    std::string name = *Nan::Utf8String(info[0]);
    RdKafka::Topic* topic = client ? RdKafka::Topic::create(client, name, nullptr, errstr) : nullptr;
    if (topic == nullptr) {
      code = RdKafka::ERR__STATE;
    } else {
      for (int64_t i = from; i < to; i++) {
        int32_t start = i == 0 ? 0 : vend[i - 1];
        int32_t end = vend[i];
        if (start < 0 || end < start || static_cast<size_t>(end) > n_values) {
          code = RdKafka::ERR__INVALID_ARG;
          break;
        }
        const char* key = nullptr;
        size_t key_len = 0;
        if (kend[i] >= 0) {
          if (kstart[i] < 0 || kend[i] < kstart[i] || static_cast<size_t>(kend[i]) > n_keys) {
            code = RdKafka::ERR__INVALID_ARG;
            break;
          }
          key = keys + kstart[i];
          key_len = static_cast<size_t>(kend[i] - kstart[i]);
        }
        code = client->produce(topic, partition[i] < 0 ? RdKafka::Topic::PARTITION_UA : partition[i],
                               RdKafka::Producer::RK_MSG_COPY, values + start,
                               static_cast<size_t>(end - start), key, key_len, nullptr);
        if (code != RdKafka::ERR_NO_ERROR) break;
        accepted++;
      }
      // Queued messages hold their own reference to the topic.
      delete topic;
    }
  }
  v8::Local<v8::Array> result = Nan::New<v8::Array>(2);
  Nan::Set(result, 0, Nan::New<v8::Number>(static_cast<double>(accepted)));
  Nan::Set(result, 1, Nan::New<v8::Number>(static_cast<double>(code)));
  info.GetReturnValue().Set(result);
}

}  // namespace NodeKafka
