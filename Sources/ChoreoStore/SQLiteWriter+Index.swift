import ChoreoModel

extension SQLiteWriter {
    static let setTrail = "UPDATE flow_summaries SET trail = ?2, due_ns = ?3, sampled_out_ns = ?4 WHERE correlation_id = ?1"
    /// The spans of a sampled-out flow, but for those with an error status (kept, like head
    /// sampling keeps them: what went wrong in a healthy flow stays findable).
    static let deleteFlowSpans = "DELETE FROM spans WHERE correlation_id = ?1 AND status <> ?2"
    static let forgetTypes = "DELETE FROM flow_types WHERE correlation_id = ?1"
    static let forgetServices = "DELETE FROM flow_services WHERE correlation_id = ?1"
    static let addType = "INSERT OR IGNORE INTO flow_types (type, correlation_id, last_activity_ns) VALUES (?1, ?2, ?3)"
    static let addService = "INSERT OR IGNORE INTO flow_services (service, correlation_id, last_activity_ns) VALUES (?1, ?2, ?3)"

    /// Writes index entries: summaries, trails and type/service rows, and clears dirty marks,
    /// in one transaction; deletes the spans of the entries sampled out (all but their error spans) in the same transaction
    /// (an index lookup by correlation id) and hands their pages back to the file system
    /// (`incremental_vacuum`, on files created with `auto_vacuum = INCREMENTAL`).
    func upsert(flows: [IndexedFlow], clearing: [DirtyFlow]) throws {
        try db.transaction {
            try writeSummaries(flows.map(\.summary), clearing: clearing)
            let trail = try db.cached(Self.setTrail)
            var sampledOut = false
            for flow in flows {
                try trail.bind(1, flow.summary.correlationID)
                let bytes = FlowTrail.Step.encode(flow.trail)
                try bytes.withUnsafeBytes { try trail.bind(2, blob: $0) }
                if let due = flow.dueAtUnixNano { try trail.bind(3, due) } else { try trail.bind(3, nil as String?) }
                if let at = flow.sampledOutAtUnixNano { try trail.bind(4, at) } else { try trail.bind(4, nil as String?) }
                try trail.run()
                if flow.sampledOutAtUnixNano != nil {
                    let delete = try db.cached(Self.deleteFlowSpans)
                    try delete.bind(1, flow.summary.correlationID)
                    try delete.bind(2, SpanStatusCode.error.rawValue)
                    try delete.run()
                    sampledOut = true
                }
            }
            if sampledOut { try db.execute("PRAGMA incremental_vacuum") }
        }
    }

    /// The type and service rows of a summary (with its last activity, so a listing by type or
    /// service walks one index in activity order), replacing the old ones.
    func writeIndexRows(_ summary: FlowSummary) throws {
        let forgetTypes = try db.cached(Self.forgetTypes)
        let forgetServices = try db.cached(Self.forgetServices)
        try forgetTypes.bind(1, summary.correlationID)
        try forgetTypes.run()
        try forgetServices.bind(1, summary.correlationID)
        try forgetServices.run()
        let addType = try db.cached(Self.addType)
        for type in summary.types {
            try addType.bind(1, type)
            try addType.bind(2, summary.correlationID)
            try addType.bind(3, summary.lastActivityAtUnixNano)
            try addType.run()
        }
        let addService = try db.cached(Self.addService)
        for service in summary.services {
            try addService.bind(1, service)
            try addService.bind(2, summary.correlationID)
            try addService.bind(3, summary.lastActivityAtUnixNano)
            try addService.run()
        }
    }
}
