import Foundation
import Testing

/// Comparing what a collector answers with a run's truth file, for the end-to-end tests that
/// break something mid-run (a broker, a collector).
enum FlowTruthChecks {
    /// The flows whose status, outcome or message types differ from the truth, asked until none
    /// do (stuck flows are judged once quiet for their learned limit) or 120 s passed.
    static func flowsDiffering(from truth: [String: PostgresE2E.Flow], collectorPort: Int) async throws -> [String] {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        var pending = truth
        var wrong: [String] = []
        while true {
            wrong = []
            pending = pending.filter { orderID, expected in
                let answer = AgentOutage.http("GET", port: collectorPort, path: "/api/v1/flows/\(orderID)")
                guard answer.status == 200, let flow = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any],
                    let steps = flow["steps"] as? [[String: Any]]
                else {
                    wrong.append("\(orderID): HTTP \(answer.status)")
                    return true
                }
                let types = steps.compactMap { $0["type"] as? String }.sorted()
                if flow["status"] as? String != expected.status || flow["outcome"] as? String != expected.outcome
                    || types != expected.types.sorted()
                {
                    wrong.append("\(orderID): \(flow["status"] ?? "-")/\(flow["outcome"] ?? "-") != \(expected.status)/\(expected.outcome ?? "-")")
                    return true
                }
                return false
            }
            if pending.isEmpty || clock.now >= deadline { return wrong }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Waits until the collector lists at least `count` flows, while `process` runs (120 s at most).
    static func waitForFlows(atLeast count: Int, collectorPort: Int, while process: Process) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(120)
        while clock.now < deadline, process.isRunning {
            let answer = AgentOutage.http("GET", port: collectorPort, path: "/api/v1/flows?limit=10000")
            if answer.status == 200, let flows = try? JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [Any], flows.count >= count {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

}
