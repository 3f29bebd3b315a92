import ChoreoModel

/// ANSI colours for human output, or none.
///
/// Colour is on only when stdout is a terminal and `NO_COLOR` is unset (https://no-color.org:
/// any value, even empty, turns colour off). With colour off every function returns its input
/// unchanged, so renderers can always call them.
public struct Palette: Sendable, Hashable {
    /// Whether escape sequences are emitted.
    public var isEnabled: Bool

    /// A palette that colours when `isEnabled` is true.
    public init(isEnabled: Bool) {
        self.isEnabled = isEnabled
    }

    /// The palette that emits nothing.
    public static let plain = Palette(isEnabled: false)

    /// Decides colour from the environment and whether stdout is a terminal.
    public static func forOutput(environment: [String: String], isTerminal: Bool) -> Palette {
        Palette(isEnabled: isTerminal && environment["NO_COLOR"] == nil)
    }

    /// ANSI SGR colours used by the renderers.
    public enum Color: String, Sendable {
        case red = "31", green = "32", yellow = "33", blue = "34", magenta = "35", cyan = "36"
        case dim = "2", bold = "1"
    }

    /// `text` wrapped in `color`, or unchanged when colour is off or `text` is empty.
    public func paint(_ text: String, _ color: Color?) -> String {
        guard isEnabled, let color, !text.isEmpty else { return text }
        return "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m"
    }

    /// The colour of a flow status.
    public static func color(for status: FlowStatus) -> Color {
        switch status {
        case .completed: return .green
        case .compensated: return .yellow
        case .failed: return .red
        case .inFlight: return .cyan
        case .stuck: return .magenta
        }
    }

    /// The colour of a delivery outcome.
    public static func color(for outcome: DeliveryOutcome) -> Color {
        switch outcome {
        case .handled: return .green
        case .retry: return .yellow
        case .deadLettered: return .red
        case .duplicateIgnored: return .dim
        }
    }

    /// A flow status, coloured.
    public func status(_ status: FlowStatus) -> String {
        paint(status.rawValue, Self.color(for: status))
    }
}
