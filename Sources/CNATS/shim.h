// nats.c (Debian libnats-dev) and a few helpers that fill its configuration structs, which
// hold C string arrays that are awkward to build from Swift. Each helper is one blocking call
// of the library (or two: create, then update when the object exists with another setting).
#include <nats/nats.h>
#include <stdlib.h>

// Connects to `url` with automatic reconnection forever (every `reconnectWaitMs`), buffering
// up to 8 MiB of outgoing data while disconnected.
static inline natsStatus choreo_nats_connect(natsConnection **nc, const char *url, const char *name, int64_t timeoutMs,
                                             int64_t reconnectWaitMs) {
    natsOptions *options = NULL;
    natsStatus s = natsOptions_Create(&options);
    if (s == NATS_OK) s = natsOptions_SetURL(options, url);
    if (s == NATS_OK) s = natsOptions_SetName(options, name);
    if (s == NATS_OK) s = natsOptions_SetTimeout(options, timeoutMs);
    if (s == NATS_OK) s = natsOptions_SetMaxReconnect(options, -1);
    if (s == NATS_OK) s = natsOptions_SetReconnectWait(options, reconnectWaitMs);
    if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(options, 8 * 1024 * 1024);
    if (s == NATS_OK) s = natsConnection_Connect(nc, options);
    natsOptions_Destroy(options);
    return s;
}

// How often `nc` has reconnected (0 when the statistics cannot be read).
static inline uint64_t choreo_nats_reconnects(natsConnection *nc) {
    natsStatistics *stats = NULL;
    uint64_t reconnects = 0;
    if (natsStatistics_Create(&stats) != NATS_OK) return 0;
    if (natsConnection_GetStats(nc, stats) == NATS_OK) {
        natsStatistics_GetCounts(stats, NULL, NULL, NULL, NULL, &reconnects);
    }
    natsStatistics_Destroy(stats);
    return reconnects;
}

// The JetStream context of `nc`; requests wait up to `waitMs` for the server's answer.
static inline natsStatus choreo_nats_jetstream(jsCtx **js, natsConnection *nc, int64_t waitMs) {
    jsOptions options;
    jsOptions_Init(&options);
    options.Wait = waitMs;
    return natsConnection_JetStream(js, nc, &options);
}

// Creates the stream `name` on `subject` (file storage, limits retention), or updates it when
// it exists with other settings. Processes of one system start together and all declare the
// stream, and nats-server checks a new stream's name and its subjects in separate steps: the
// loser of a concurrent create can hear "subjects overlap" (10065) about the very stream it
// asked for. An overlap is therefore answered with an update of `name`, and reported only when
// no stream of that name exists (then another stream really holds the subjects).
static inline natsStatus choreo_nats_declare_stream(jsCtx *js, const char *name, const char *subject, int64_t maxAgeNs,
                                                    int64_t duplicatesNs, jsErrCode *errorCode) {
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    const char *subjects[1] = {subject};
    config.Name = name;
    config.Subjects = subjects;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;
    config.Retention = js_LimitsPolicy;
    config.MaxAge = maxAgeNs;
    config.Duplicates = duplicatesNs;
    jsStreamInfo *info = NULL;
    natsStatus s = js_AddStream(&info, js, &config, NULL, errorCode);
    if (info != NULL) jsStreamInfo_Destroy(info);
    if (s == NATS_OK || (*errorCode != JSStreamNameExistErr && *errorCode != JSStreamSubjectOverlapErr)) return s;
    jsErrCode refused = *errorCode;
    natsStatus created = s;
    info = NULL;
    *errorCode = 0;
    s = js_UpdateStream(&info, js, &config, NULL, errorCode);
    if (info != NULL) jsStreamInfo_Destroy(info);
    if (s != NATS_OK && refused == JSStreamSubjectOverlapErr && *errorCode == JSStreamNotFoundErr) {
        *errorCode = refused;
        s = created;
    }
    return s;
}

// Creates the durable pull consumer `durable` of `stream` on `filter` (explicit acks, new
// messages only when it is first created), or updates it when it exists with other settings.
static inline natsStatus choreo_nats_declare_consumer(jsCtx *js, const char *stream, const char *durable, const char *description,
                                                      const char *filter, int64_t ackWaitNs, int64_t maxDeliver,
                                                      int64_t maxAckPending, jsErrCode *errorCode) {
    jsConsumerConfig config;
    jsConsumerConfig_Init(&config);
    config.Durable = durable;
    config.Description = description;
    config.FilterSubject = filter;
    config.DeliverPolicy = js_DeliverNew;
    config.AckPolicy = js_AckExplicit;
    config.AckWait = ackWaitNs;
    config.MaxDeliver = maxDeliver;
    config.MaxAckPending = maxAckPending;
    jsConsumerInfo *info = NULL;
    natsStatus s = js_AddConsumer(&info, js, stream, &config, NULL, errorCode);
    if (s != NATS_OK && *errorCode != JSStreamNotFoundErr) {
        *errorCode = 0;
        s = js_UpdateConsumer(&info, js, stream, &config, NULL, errorCode);
    }
    if (info != NULL) jsConsumerInfo_Destroy(info);
    return s;
}

// A pull subscription bound to the existing durable consumer `durable` of `stream`.
static inline natsStatus choreo_nats_pull_bind(natsSubscription **sub, jsCtx *js, const char *stream, const char *durable,
                                               const char *filter, jsErrCode *errorCode) {
    jsSubOptions options;
    jsSubOptions_Init(&options);
    options.Stream = stream;
    options.Consumer = durable;
    options.ManualAck = true;
    return js_PullSubscribe(sub, js, filter, durable, NULL, &options, errorCode);
}

// Creates (or binds to) the key-value bucket `bucket` in file storage; entries expire after `ttlNs`.
static inline natsStatus choreo_nats_bucket(kvStore **kv, jsCtx *js, const char *bucket, int64_t ttlNs) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = bucket;
    config.History = 1;
    config.TTL = ttlNs;
    config.StorageType = js_FileStorage;
    natsStatus s = js_CreateKeyValue(kv, js, &config);
    if (s != NATS_OK) s = js_KeyValue(kv, js, bucket);
    return s;
}

// The consumers of `stream`, and the sum of their not yet delivered and delivered but
// unacknowledged messages (0 and 0 when the stream does not exist).
static inline natsStatus choreo_nats_pending(jsCtx *js, const char *stream, int64_t *pending, int64_t *consumers, jsErrCode *errorCode) {
    *pending = 0;
    *consumers = 0;
    jsConsumerInfoList *list = NULL;
    natsStatus s = js_Consumers(&list, js, stream, NULL, errorCode);
    if (s == NATS_NOT_FOUND) {
        *errorCode = 0;
        return NATS_OK;
    }
    if (s != NATS_OK) return s;
    *consumers = list->Count;
    for (int i = 0; i < list->Count; i++) {
        *pending += (int64_t)list->List[i]->NumPending + list->List[i]->NumAckPending;
    }
    jsConsumerInfoList_Destroy(list);
    return NATS_OK;
}

// The first and last sequence of `stream` (0 and 0 when it is empty).
static inline natsStatus choreo_nats_stream_range(jsCtx *js, const char *stream, uint64_t *first, uint64_t *last, jsErrCode *errorCode) {
    jsStreamInfo *info = NULL;
    natsStatus s = js_GetStreamInfo(&info, js, stream, NULL, errorCode);
    if (s != NATS_OK) return s;
    *first = info->State.FirstSeq;
    *last = info->State.LastSeq;
    if (info->State.Msgs == 0) *first = *last + 1;
    jsStreamInfo_Destroy(info);
    return NATS_OK;
}
