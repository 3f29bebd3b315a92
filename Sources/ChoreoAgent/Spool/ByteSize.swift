import Foundation

/// Parsing of byte sizes as given on the command line: `1073741824`, `512MiB`, `1GiB`, `64M`.
///
/// Suffixes are binary (`K`/`KiB` = 1024, `M`/`MiB`, `G`/`GiB`, `T`/`TiB`), case-insensitive;
/// `KB`, `MB`, `GB`, `TB` are decimal (1000). A bare number is bytes.
public enum ByteSize {
    /// The number of bytes `text` means, or nil when it is not a size.
    public static func parse(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard !digits.isEmpty, let value = Int(digits) else { return nil }
        let suffix = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let units: [String: Int] = [
            "": 1, "b": 1,
            "k": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gib": 1 << 30, "t": 1 << 40, "tib": 1 << 40,
            "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "tb": 1_000_000_000_000,
        ]
        guard let unit = units[suffix] else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }
}
