import Foundation
import Testing

extension FlowsEndToEndTests {
    /// Orders per style and trace mode for the PM4Py check: every fault, so every status and
    /// both styles' paths reach the XES, in a run a tenth the size of the main test's.
    static let pm4pyOrders = 25

    @Test(
        "PM4Py reads our XES export and discovers exactly the map's directly-follows graph",
        .enabled(if: PM4Py.isInstalled, PM4Py.skipReason)
    )
    func xesReadByPM4Py() async throws {
        let harness = try ProcessHarness()
        defer { harness.stopAll() }
        let (collector, _) = try await Self.startCollector(harness)
        let (truth, _) = try Self.runOrders(harness, collector: collector, orders: Self.pm4pyOrders)
        try await waitUntilSettled(harness: harness, collector: collector, expected: truth.count)
        let (flows, mapEdges) = try Self.map(harness, collector: collector)
        try #require(flows == truth.count && !mapEdges.isEmpty, "the map covers every flow: \(String(describing: flows)) of \(truth.count)")
        let xes = harness.workDir.appendingPathComponent("flows.xes")
        try Self.exportXES(harness, collector: collector).write(to: xes)
        let dfg = try PM4Py.directlyFollows(xes: xes, workDir: harness.workDir)
        #expect(dfg == mapEdges, "PM4Py's directly-follows graph differs from the map's edges")
    }
}

/// PM4Py (the Python process-mining library) as an independent reader of our XES export.
enum PM4Py {
    /// True when `python3 -c "import pm4py"` succeeds. Only then does the PM4Py test run: a
    /// PM4Py that is installed but cannot read our XES fails it.
    static let isInstalled: Bool = {
        guard let process = try? python(["-c", "import pm4py"], stdout: FileHandle.nullDevice, stderr: FileHandle.nullDevice) else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let skipReason: Comment = """
        skipped: PM4Py is not installed (`python3 -c "import pm4py"` fails); `pip install pm4py` \
        (CI's .ci/run does) to check our XES export against PM4Py
        """

    /// A failed PM4Py run: what it printed.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// PM4Py's directly-follows graph of the XES file, as `from→to` counts. Throws when PM4Py
    /// cannot read the file or prints no graph, with its standard error.
    static func directlyFollows(xes: URL, workDir: URL) throws -> [String: Int] {
        let script = workDir.appendingPathComponent("dfg.py")
        try """
        import json, sys
        import pm4py
        dfg, _, _ = pm4py.discover_dfg(pm4py.read_xes(sys.argv[1]))
        print(json.dumps({a + "\\u2192" + b: n for (a, b), n in dfg.items()}))
        """.write(to: script, atomically: true, encoding: .utf8)
        let out = workDir.appendingPathComponent("dfg.out")
        let err = workDir.appendingPathComponent("dfg.err")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = try python([script.path, xes.path], stdout: try FileHandle(forWritingTo: out), stderr: try FileHandle(forWritingTo: err))
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = String(((try? String(contentsOf: err, encoding: .utf8)) ?? "").suffix(3000))
        guard process.terminationStatus == 0 else {
            throw Failure(description: "PM4Py failed on our XES (exit \(process.terminationStatus)):\n\(stderr)")
        }
        guard let last = stdout.split(separator: "\n").last,
            let dfg = try? JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Int]
        else {
            throw Failure(description: "PM4Py printed no directly-follows graph:\n\(stdout.suffix(2000))\n\(stderr)")
        }
        return dfg
    }

    private static func python(_ arguments: [String], stdout: FileHandle, stderr: FileHandle) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }
}
