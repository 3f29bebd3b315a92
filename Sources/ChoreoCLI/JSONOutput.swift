#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The `--json` output: models re-encoded in their contract form, pretty-printed, keys sorted.
public enum JSONOutput {
    /// `value` as pretty-printed JSON with sorted keys, slashes unescaped, newline-terminated.
    public static func string(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
