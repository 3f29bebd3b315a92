import Foundation
import Testing

/// Every flag an executable's `--help` lists is documented where its users look for it: the
/// collector's and the agent's in their READMEs' flag tables, order-fulfilment's in the main
/// README's "Flags" section. A flag added to the code and not to the docs fails here.
@Suite("Executables: every flag in --help is documented")
struct FlagDocumentationEndToEndTests {
    struct Documented: Sendable, CustomTestStringConvertible {
        var executable: String
        var arguments: [String]
        /// The document, from the package's root.
        var document: String
        /// The part of it that documents the flags: from the line starting with this on to the
        /// next heading of the same level (the whole document when nil).
        var section: String?

        var testDescription: String { "\(executable) \(arguments.joined(separator: " ")) in \(document)" }
    }

    static let documents: [Documented] = [
        Documented(executable: "choreo-collector", arguments: ["--help"], document: "Collector/README.md"),
        Documented(executable: "choreo-agent", arguments: ["--help"], document: "Agent/README.md"),
        Documented(
            executable: "order-fulfilment", arguments: ["run", "--help"], document: "README.md",
            section: "### Flags (`order-fulfilment"),
    ]

    /// The package's root: this file is `Tests/EndToEndTests/` in it.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test("every flag of --help appears as `--flag` in the document", arguments: documents)
    func documented(_ documented: Documented) throws {
        let harness = try ProcessHarness()
        let help = try harness.run(documented.executable, documented.arguments)
        #expect(help.status == 0, "\(help.stderr)")
        let flags = Self.flags(inHelp: String(decoding: help.stdout, as: UTF8.self))
        // ArgumentParser's own flags are documented once, in the main README.
        let expected = flags.subtracting(["--help", "--version"])
        #expect(expected.count >= 3, "too few flags read from --help: \(flags)")
        let text = try String(contentsOf: Self.root.appendingPathComponent(documented.document), encoding: .utf8)
        let part = try #require(Self.section(of: text, startingWith: documented.section), "no section \(documented.section ?? "")")
        let missing = expected.filter { !part.contains("`\($0)") }.sorted()
        #expect(missing.isEmpty, "\(documented.executable): not in \(documented.document): \(missing)")
    }

    /// The long options `--help` lists: an option line starts with them (`  -h, --help`,
    /// `  --listen <listen>`), before the two spaces that open its description; a description
    /// that mentions another flag names no option.
    static func flags(inHelp help: String) -> Set<String> {
        var flags: Set<String> = []
        for line in help.split(separator: "\n") {
            let trimmed = line.drop(while: { $0 == " " })
            guard trimmed.hasPrefix("-"), line.count - trimmed.count <= 4 else { continue }
            let names = trimmed.range(of: "  ").map { trimmed[..<$0.lowerBound] } ?? trimmed
            for word in names.split(whereSeparator: { $0 == " " || $0 == "," }) where word.hasPrefix("--") {
                flags.insert(String(word))
            }
        }
        return flags
    }

    /// `text` from the line starting with `heading` to the next heading of its level, or all of
    /// `text` when `heading` is nil; nil when no line starts with it.
    static func section(of text: String, startingWith heading: String?) -> String? {
        guard let heading else { return text }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(heading) }) else { return nil }
        let level = heading.prefix(while: { $0 == "#" })
        let end =
            lines[(start + 1)...].firstIndex(where: { $0.hasPrefix(level + " ") || ($0.hasPrefix("#") && $0.prefix(while: { $0 == "#" }).count < level.count) })
            ?? lines.endIndex
        return lines[start..<end].joined(separator: "\n")
    }
}
