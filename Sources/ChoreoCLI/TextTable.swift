/// A plain-text table with aligned columns, the layout behind `choreo flows list`.
///
/// Widths are measured on the visible text (characters), and colour is applied after padding,
/// so escape sequences never disturb alignment. Columns are separated by two spaces; the last
/// column is not padded, so lines carry no trailing spaces.
struct TextTable {
    /// How a column aligns its cells.
    enum Alignment { case left, right }

    /// One cell: its visible text and an optional colour.
    struct Cell {
        var text: String
        var color: Palette.Color?

        init(_ text: String, _ color: Palette.Color? = nil) {
            self.text = text
            self.color = color
        }
    }

    var headers: [String]
    var alignments: [Alignment]
    var rows: [[Cell]] = []

    init(headers: [String], alignments: [Alignment]) {
        precondition(headers.count == alignments.count, "one alignment per column")
        self.headers = headers
        self.alignments = alignments
    }

    mutating func append(_ row: [Cell]) {
        precondition(row.count == headers.count, "one cell per column")
        rows.append(row)
    }

    /// The table as lines, header first.
    func render(palette: Palette) -> [String] {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.text.count) }
        }
        let header = line(headers.map { Cell($0, .bold) }, widths: widths, palette: palette)
        return [header] + rows.map { line($0, widths: widths, palette: palette) }
    }

    private func line(_ cells: [Cell], widths: [Int], palette: Palette) -> String {
        var parts: [String] = []
        for (i, cell) in cells.enumerated() {
            let gap = String(repeating: " ", count: widths[i] - cell.text.count)
            let painted = palette.paint(cell.text, cell.color)
            let isLast = i == cells.count - 1
            switch alignments[i] {
            case .left: parts.append(isLast ? painted : painted + gap)
            case .right: parts.append(gap + painted)
            }
        }
        return parts.joined(separator: "  ")
    }
}
