import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Testing

/// Headless Chromium driven from the command line (`--dump-dom`, `--screenshot`).
struct Chromium: Sendable {
    let path: String

    /// The installed browser: `$CHROMIUM`, else the first of the usual names on disk.
    static let installed: Chromium? = {
        let candidates =
            [ProcessInfo.processInfo.environment["CHROMIUM"]].compactMap { $0 }
            + ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }.map(Chromium.init(path:))
    }()

    /// Loads `url`, lets its scripts run (and its fetches finish) for `budgetMs` of virtual time,
    /// and returns the serialised DOM.
    func dumpDOM(_ url: String, budgetMs: Int = 5000, workDir: URL) throws -> String {
        let result = try run(["--virtual-time-budget=\(budgetMs)", "--dump-dom", url], workDir: workDir)
        return String(decoding: result, as: UTF8.self)
    }

    /// Saves a PNG of `url` at 1400×900 after `budgetMs` of virtual time.
    func screenshot(_ url: String, to file: URL, budgetMs: Int = 5000, workDir: URL) throws {
        _ = try run(["--virtual-time-budget=\(budgetMs)", "--window-size=1400,900", "--screenshot=\(file.path)", url], workDir: workDir)
    }

    private func run(_ arguments: [String], workDir: URL) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let profile = workDir.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        process.arguments =
            [
                "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
            ] + arguments
        process.currentDirectoryURL = workDir
        let out = workDir.appendingPathComponent("chromium-\(UUID().uuidString).out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus)")
        return try Data(contentsOf: out)
    }
}

/// Minimal HTTP for the tests (URLSession).
enum DashboardHTTP {
    static func get(_ url: String, headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], body: Data) {
        var request = URLRequest(url: try #require(URL(string: url)))
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        return (http.statusCode, fields, data)
    }

    static func postJSON(_ url: String, _ body: Data) async throws -> Int {
        try await post(url, body, contentType: "application/json")
    }

    static func post(_ url: String, _ body: Data, contentType: String) async throws -> Int {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        request.httpBody = body
        let (_, response) = try await URLSession.shared.data(for: request)
        return try #require(response as? HTTPURLResponse).statusCode
    }
}

/// Builds OTLP/JSON export requests.
enum OTLPJSON {
    struct Span {
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var name: String
        var kind: Int = 1
        var startNanos: UInt64
        var endNanos: UInt64
        var attributes: [String: String] = [:]
        var links: [(traceID: String, spanID: String)] = []
    }

    static func request(service: String, spans: [Span]) throws -> Data {
        let encoded: [[String: Any]] = spans.map { span in
            var object: [String: Any] = [
                "traceId": span.traceID, "spanId": span.spanID, "name": span.name, "kind": span.kind,
                "startTimeUnixNano": String(span.startNanos), "endTimeUnixNano": String(span.endNanos),
                "attributes": span.attributes.sorted { $0.key < $1.key }.map { ["key": $0.key, "value": ["stringValue": $0.value]] },
            ]
            if let parent = span.parentSpanID { object["parentSpanId"] = parent }
            if !span.links.isEmpty { object["links"] = span.links.map { ["traceId": $0.traceID, "spanId": $0.spanID] } }
            return object
        }
        let body: [String: Any] = [
            "resourceSpans": [
                [
                    "resource": ["attributes": [["key": "service.name", "value": ["stringValue": service]]]],
                    "scopeSpans": [["scope": ["name": "dashboard-test"], "spans": encoded]],
                ]
            ]
        ]
        return try JSONSerialization.data(withJSONObject: body)
    }

    static func hex(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}

/// The start tags of a serialised HTML document, found by a small tokenizer that skips text,
/// comments, raw-text elements and quoted attribute values (where `<` may appear unescaped).
struct HTMLTags {
    struct Tag {
        var name: String
        var attributes: [String: String]
        func has(_ name: String, _ value: String) -> Bool { attributes[name] == value }
        func hasClass(_ name: String) -> Bool { (attributes["class"] ?? "").split(separator: " ").contains(Substring(name)) }
    }
    var tags: [Tag] = []

    init(_ html: String) {
        let chars = Array(html.unicodeScalars)
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "-" || c == "_" || c == ":" }
        while i < chars.count {
            guard chars[i] == "<" else {
                i += 1
                continue
            }
            if i + 3 < chars.count, chars[i + 1] == "!", chars[i + 2] == "-", chars[i + 3] == "-" {
                var j = i + 4
                while j + 2 < chars.count, !(chars[j] == "-" && chars[j + 1] == "-" && chars[j + 2] == ">") { j += 1 }
                i = j + 3
                continue
            }
            var j = i + 1
            var name = ""
            while j < chars.count, isNameChar(chars[j]) {
                name.unicodeScalars.append(chars[j])
                j += 1
            }
            guard !name.isEmpty, name.unicodeScalars.first!.properties.isAlphabetic else {
                i += 1
                continue
            }
            var attributes: [String: String] = [:]
            while j < chars.count, chars[j] != ">" {
                guard isNameChar(chars[j]) else {
                    j += 1
                    continue
                }
                var attribute = ""
                while j < chars.count, isNameChar(chars[j]) {
                    attribute.unicodeScalars.append(chars[j])
                    j += 1
                }
                var value = ""
                if j < chars.count, chars[j] == "=" {
                    j += 1
                    if j < chars.count, chars[j] == "\"" || chars[j] == "'" {
                        let quote = chars[j]
                        j += 1
                        while j < chars.count, chars[j] != quote {
                            value.unicodeScalars.append(chars[j])
                            j += 1
                        }
                        j += 1
                    } else {
                        while j < chars.count, chars[j] != " ", chars[j] != ">" {
                            value.unicodeScalars.append(chars[j])
                            j += 1
                        }
                    }
                }
                attributes[attribute.lowercased()] = value.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            }
            let lower = name.lowercased()
            tags.append(Tag(name: lower, attributes: attributes))
            if lower == "script" || lower == "style" {
                // Raw text: skip to the end tag.
                while j + 1 < chars.count, !(chars[j] == "<" && chars[j + 1] == "/") { j += 1 }
            }
            i = j + 1
        }
    }

    func all(_ name: String) -> [Tag] { tags.filter { $0.name == name } }
    /// Event handler attributes (`onerror`, `onclick`, …) anywhere in the document.
    var eventHandlerAttributes: [String] { tags.flatMap(\.attributes.keys).filter { $0.hasPrefix("on") } }
}
