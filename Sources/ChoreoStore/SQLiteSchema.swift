/// The schema of the SQLite span store, as numbered migrations tracked by `PRAGMA user_version`.
///
/// Append a migration to change the schema; never edit one that has shipped.
enum SQLiteSchema {
    /// Migration `i` takes the schema from version `i` to `i + 1`.
    static let migrations: [String] = [
        // 1: spans, the flow index and its dirty marks.
        """
        CREATE TABLE spans (
            trace_id BLOB NOT NULL,
            span_id BLOB NOT NULL,
            correlation_id TEXT,
            service TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            start_ns INTEGER NOT NULL,
            end_ns INTEGER NOT NULL,
            status TEXT NOT NULL,
            record BLOB NOT NULL,
            PRIMARY KEY (trace_id, span_id)
        );
        CREATE INDEX spans_by_correlation ON spans (correlation_id, start_ns) WHERE correlation_id IS NOT NULL;
        CREATE INDEX spans_by_start ON spans (start_ns);
        CREATE TABLE flow_summaries (
            correlation_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            outcome TEXT,
            started_ns INTEGER NOT NULL,
            last_activity_ns INTEGER NOT NULL,
            step_count INTEGER NOT NULL,
            compensation_count INTEGER NOT NULL,
            error_count INTEGER NOT NULL,
            waiting_for TEXT,
            services TEXT NOT NULL,
            types TEXT NOT NULL
        );
        CREATE INDEX flow_summaries_by_status ON flow_summaries (status, last_activity_ns);
        CREATE INDEX flow_summaries_by_activity ON flow_summaries (last_activity_ns);
        CREATE TABLE dirty_flows (
            correlation_id TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        );
        """,
        // 2: flow trails (for discovery) and the type and service indexes of the flow index.
        // Existing summaries get their type and service rows and are marked dirty, so the
        // indexer rebuilds them with a trail. Deleting a summary deletes its index rows.
        """
        ALTER TABLE flow_summaries ADD COLUMN trail BLOB;
        CREATE TABLE flow_types (
            type TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            last_activity_ns INTEGER NOT NULL,
            PRIMARY KEY (type, correlation_id)
        ) WITHOUT ROWID;
        CREATE INDEX flow_types_by_activity ON flow_types (type, last_activity_ns, correlation_id);
        CREATE INDEX flow_types_by_flow ON flow_types (correlation_id);
        CREATE TABLE flow_services (
            service TEXT NOT NULL,
            correlation_id TEXT NOT NULL,
            last_activity_ns INTEGER NOT NULL,
            PRIMARY KEY (service, correlation_id)
        ) WITHOUT ROWID;
        CREATE INDEX flow_services_by_activity ON flow_services (service, last_activity_ns, correlation_id);
        CREATE INDEX flow_services_by_flow ON flow_services (correlation_id);
        INSERT OR IGNORE INTO flow_types (type, correlation_id, last_activity_ns)
            SELECT j.value, s.correlation_id, s.last_activity_ns FROM flow_summaries s, json_each(s.types) j;
        INSERT OR IGNORE INTO flow_services (service, correlation_id, last_activity_ns)
            SELECT j.value, s.correlation_id, s.last_activity_ns FROM flow_summaries s, json_each(s.services) j;
        INSERT OR IGNORE INTO dirty_flows (correlation_id, version) SELECT correlation_id, 0 FROM flow_summaries;
        CREATE TRIGGER flow_summaries_forget AFTER DELETE ON flow_summaries BEGIN
            DELETE FROM flow_types WHERE correlation_id = old.correlation_id;
            DELETE FROM flow_services WHERE correlation_id = old.correlation_id;
        END;
        """,
        // 3: settings the collector records for every reader of the file (how flows are judged:
        // terminal types, time limits, the flow definition, learned stuck limits), opaque bytes;
        // and when an in-flight flow falls due to be judged again (it may have become stuck).
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL
        ) WITHOUT ROWID;
        ALTER TABLE flow_summaries ADD COLUMN due_ns INTEGER;
        CREATE INDEX flow_summaries_by_due ON flow_summaries (due_ns) WHERE due_ns IS NOT NULL;
        """,
        // 4: the service catalog (Jaeger's query API): spans by service in time order (trace
        // search), and the distinct services and (name, kind) operations, each found by a
        // skip-scan of these indexes rather than a scan of every span.
        """
        CREATE INDEX spans_by_service ON spans (service, start_ns);
        CREATE INDEX spans_by_operation ON spans (service, name, kind);
        """,
        // 5: tail sampling (`choreo-collector --keep-healthy`): when a flow's spans were deleted
        // because it settled healthy and its hash fell over the ratio; its entry stays.
        """
        ALTER TABLE flow_summaries ADD COLUMN sampled_out_ns INTEGER;
        """,
    ]

    /// The schema version this build writes.
    static var currentVersion: Int { migrations.count }

    /// Brings the database up to ``currentVersion``, one transaction per migration.
    ///
    /// The version is read inside each write transaction, so two processes opening a new file at
    /// once never run a migration twice.
    static func migrate(_ db: SQLiteConnection) throws {
        while try db.transaction({ try step(db) }) {}
    }

    /// Checks, without writing, that a file opened read-only has this build's schema.
    static func requireCurrent(_ db: SQLiteConnection) throws {
        let found = Int(try db.scalar("PRAGMA user_version") ?? "0") ?? 0
        guard found == currentVersion else {
            let hint =
                found < currentVersion
                ? "start a choreo-collector of this version on it once to migrate it"
                : "upgrade Choreoscope"
            throw StoreError(.schema, "the database at '\(db.path)' has schema version \(found), this build reads \(currentVersion): \(hint)")
        }
    }

    /// Applies the next migration, if any; true when one was applied.
    private static func step(_ db: SQLiteConnection) throws -> Bool {
        let found = Int(try db.scalar("PRAGMA user_version") ?? "0") ?? 0
        guard found <= currentVersion else {
            throw StoreError(
                .schema,
                "the database at '\(db.path)' has schema version \(found), newer than this build's "
                    + "\(currentVersion): upgrade Choreoscope or use another file"
            )
        }
        guard found < currentVersion else { return false }
        do {
            try db.execute(migrations[found])
            // PRAGMA takes no parameters; the value is our own constant, not input.
            try db.execute("PRAGMA user_version = \(found + 1)")
        } catch let error as StoreError {
            throw StoreError(
                .schema, "migrating to schema version \(found + 1) failed: \(error.message)", sqliteCode: error.sqliteCode
            )
        }
        return true
    }
}
