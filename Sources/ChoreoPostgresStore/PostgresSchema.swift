import ChoreoStore
import PostgresNIO

/// The schema of the PostgreSQL span store, as numbered migrations recorded in `store_meta`.
///
/// Append a migration to change the schema; never edit one that has shipped. `{s}` stands for
/// the store's schema name (a checked identifier). Every table that holds a flow's data carries
/// `correlation_id` in its primary key, so each can be distributed by it (docs/postgres-store.md).
/// Text keys use the `C` collation: byte order, as SQLite and the in-memory store sort.
enum PostgresSchema {
    static let migrations: [String] = [
        // 1: spans (partitioned by start time), the flow index, its dirty marks, settings.
        """
        CREATE SEQUENCE {s}.span_seq;
        CREATE SEQUENCE {s}.dirty_version;
        CREATE TABLE {s}.spans (
            correlation_id text COLLATE "C" NOT NULL,
            trace_id bytea NOT NULL,
            span_id bytea NOT NULL,
            start_ns bigint NOT NULL,
            end_ns bigint NOT NULL,
            service text NOT NULL,
            name text NOT NULL,
            kind text NOT NULL,
            status text NOT NULL,
            seq bigint NOT NULL DEFAULT nextval('{s}.span_seq'),
            record bytea NOT NULL,
            PRIMARY KEY (trace_id, span_id, start_ns, correlation_id)
        ) PARTITION BY RANGE (start_ns);
        CREATE INDEX spans_by_correlation ON {s}.spans (correlation_id, start_ns, seq);
        CREATE INDEX spans_by_start ON {s}.spans (start_ns);
        CREATE TABLE {s}.flow_summaries (
            correlation_id text COLLATE "C" PRIMARY KEY,
            status text NOT NULL,
            outcome text,
            started_ns bigint NOT NULL,
            last_activity_ns bigint NOT NULL,
            step_count bigint NOT NULL,
            compensation_count bigint NOT NULL,
            error_count bigint NOT NULL,
            waiting_for text,
            services text[] NOT NULL,
            types text[] NOT NULL,
            trail_types text[],
            trail_services text[],
            trail_times bigint[],
            due_ns bigint
        );
        CREATE INDEX flow_summaries_by_activity ON {s}.flow_summaries (last_activity_ns DESC, correlation_id);
        CREATE INDEX flow_summaries_by_status ON {s}.flow_summaries (status, last_activity_ns DESC, correlation_id);
        CREATE INDEX flow_summaries_by_due ON {s}.flow_summaries (due_ns) WHERE due_ns IS NOT NULL;
        CREATE TABLE {s}.flow_types (
            correlation_id text COLLATE "C" NOT NULL,
            type text NOT NULL,
            last_activity_ns bigint NOT NULL,
            PRIMARY KEY (correlation_id, type)
        );
        CREATE INDEX flow_types_by_activity ON {s}.flow_types (type, last_activity_ns DESC, correlation_id);
        CREATE TABLE {s}.flow_services (
            correlation_id text COLLATE "C" NOT NULL,
            service text NOT NULL,
            last_activity_ns bigint NOT NULL,
            PRIMARY KEY (correlation_id, service)
        );
        CREATE INDEX flow_services_by_activity ON {s}.flow_services (service, last_activity_ns DESC, correlation_id);
        CREATE TABLE {s}.dirty_flows (
            correlation_id text COLLATE "C" PRIMARY KEY,
            version bigint NOT NULL,
            first_marked bigint NOT NULL
        );
        CREATE INDEX dirty_flows_by_age ON {s}.dirty_flows (first_marked, correlation_id);
        CREATE TABLE {s}.settings (
            key text PRIMARY KEY,
            value bytea NOT NULL
        );
        """,
        // 2: claims on dirty flows, so several collectors' indexers divide the work: the claim
        // (from claim_seq) and when it runs out (Unix nanoseconds on the claimer's clock).
        """
        CREATE SEQUENCE {s}.claim_seq;
        ALTER TABLE {s}.dirty_flows ADD COLUMN claim bigint;
        ALTER TABLE {s}.dirty_flows ADD COLUMN claimed_until bigint;
        """,
        // 3: the service catalog (Jaeger's query API): spans by service in time order (trace
        // search), and the distinct services and (name, kind) operations, each found by a
        // skip-scan (a recursive query seeking the next key) rather than a scan of every span.
        """
        CREATE INDEX spans_by_service ON {s}.spans (service, start_ns);
        CREATE INDEX spans_by_operation ON {s}.spans (service, name, kind);
        """,
        // 4: tail sampling (`choreo-collector --keep-healthy`): when a flow's spans were deleted
        // because it settled healthy and its hash fell over the ratio; its entry stays.
        """
        ALTER TABLE {s}.flow_summaries ADD COLUMN sampled_out_ns bigint;
        """,
        // 5: flows are listed by type or service through GIN indexes on the summary's own
        // arrays instead of a row per (flow, type) and (flow, service): the indexer writes one
        // row per flow, not a dozen (docs/postgres-store.md, Listing by type and service).
        """
        CREATE INDEX flow_summaries_by_type ON {s}.flow_summaries USING gin (types);
        CREATE INDEX flow_summaries_by_service ON {s}.flow_summaries USING gin (services);
        DROP TABLE {s}.flow_types;
        DROP TABLE {s}.flow_services;
        """,
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// The statements of migration `index` for schema `schema`, one per element.
    static func statements(_ index: Int, schema: String) -> [String] {
        migrations[index].replacingOccurrences(of: "{s}", with: schema)
            .split(separator: ";").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }
}

extension PostgresSpanStore {
    /// Creates the schema or brings it to ``PostgresSchema/currentVersion``, in one transaction
    /// under an advisory lock, so collectors starting together never migrate twice.
    ///
    /// - Throws: ``StoreError`` `schema` when the database has a newer schema than this build.
    func migrate() async throws {
        let s = configuration.schema
        let lockKey = "choreo-store:\(s)"
        try await transaction { connection in
            try await run("SELECT pg_advisory_xact_lock(hashtext(\(lockKey)))", on: connection)
            try await run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(s)"), on: connection)
            try await run(
                PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(s).store_meta (key text PRIMARY KEY, value bigint NOT NULL)"), on: connection
            )
            let rows = try await run(
                PostgresQuery(unsafeSQL: "SELECT value FROM \(s).store_meta WHERE key = 'schema_version'"), on: connection
            )
            let found = try rows.first.map { Int(try $0.decode(Int64.self)) } ?? 0
            guard found <= PostgresSchema.currentVersion else {
                throw StoreError(
                    .schema,
                    "schema \(s) has version \(found), newer than this build's \(PostgresSchema.currentVersion): upgrade Choreoscope or use another schema"
                )
            }
            for index in found..<PostgresSchema.currentVersion {
                for statement in PostgresSchema.statements(index, schema: s) {
                    try await run(PostgresQuery(unsafeSQL: statement), on: connection)
                }
            }
            let version = Int64(PostgresSchema.currentVersion)
            try await run(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO \(s).store_meta (key, value) VALUES ('schema_version', $1)
                        ON CONFLICT (key) DO UPDATE SET value = excluded.value
                        """, binds: Self.binds(version)), on: connection
            )
        }
    }

    /// Checks, without writing, that the schema holds a store of this build's version.
    ///
    /// - Throws: ``StoreError`` `schema` naming what was found and what to do.
    func requireCurrentSchema() async throws {
        let s = configuration.schema
        let exists = try await query("SELECT to_regclass(\(s + ".store_meta")) IS NOT NULL").first?.decode(Bool.self) ?? false
        guard exists else {
            throw StoreError(.schema, "schema \(s) holds no Choreoscope span store: start a choreo-collector with --store on it first")
        }
        let rows = try await query(PostgresQuery(unsafeSQL: "SELECT value FROM \(s).store_meta WHERE key = 'schema_version'"))
        let found = Int(try rows.first?.decode(Int64.self) ?? 0)
        guard found == PostgresSchema.currentVersion else {
            let hint =
                found < PostgresSchema.currentVersion
                ? "start a choreo-collector of this version on it once to migrate it" : "upgrade Choreoscope"
            throw StoreError(.schema, "schema \(s) has store version \(found), this build reads \(PostgresSchema.currentVersion): \(hint)")
        }
    }

    /// Bindings of one value.
    static func binds(_ value: some PostgresDynamicTypeEncodable) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }
}
