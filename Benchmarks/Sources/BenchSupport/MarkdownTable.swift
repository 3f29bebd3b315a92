import Foundation

/// A Markdown table printed to standard output, right-aligned numbers.
public struct MarkdownTable {
    private let header: [String]
    private var rows: [[String]] = []

    /// A table with these column titles.
    public init(_ header: [String]) { self.header = header }

    /// Adds a row (as many cells as columns).
    public mutating func add(_ cells: [String]) { rows.append(cells) }

    /// The table as Markdown lines.
    public func render() -> String {
        let widths = header.indices.map { column in
            ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = header.indices.map { column -> String in
                let cell = cells.indices.contains(column) ? cells[column] : ""
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }
            return "| " + padded.joined(separator: " | ") + " |"
        }
        let rule = "|" + header.indices.map { column in
            column == 0 ? " " + String(repeating: "-", count: widths[column]) + " "
                : " " + String(repeating: "-", count: max(widths[column] - 1, 1)) + ": "
        }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

/// Number formatting for reports.
public enum Format {
    /// `value` with `digits` decimals, e.g. `Format.fixed(1234.567, 1)` is `1234.6`.
    public static func fixed(_ value: Double, _ digits: Int = 0) -> String {
        guard value.isFinite else { return "n/a" }
        return String(format: "%.\(digits)f", value)
    }

    /// An integer with thousands separators, e.g. `81 234`.
    public static func grouped(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let digits = String(Int(value.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0, c != "-" { out.append(" ") }
            out.append(c)
        }
        return String(out.reversed())
    }
}
