import ChoreoModel

/// Parsers of duration flags for `@Option(transform:)`: ``DurationText``'s grammar (`250ms`,
/// `30s`, `5m`, `1h30m`), where a bare number keeps the unit the flag took before it took
/// units. A refusal's message says why (`"x" is not a unit`), after the flag's name.
public enum DurationFlag {
    /// `5m`, `90s`, `1h30m`; a bare number is seconds (`300`, `0.5`).
    @Sendable public static func seconds(_ text: String) throws -> Duration {
        try DurationText.parse(text, bareNumbersIn: .seconds)
    }

    /// `250ms`, `1s`; a bare number is milliseconds (`200`), for the `*-ms` flags.
    @Sendable public static func milliseconds(_ text: String) throws -> Duration {
        try DurationText.parse(text, bareNumbersIn: .milliseconds)
    }
}
