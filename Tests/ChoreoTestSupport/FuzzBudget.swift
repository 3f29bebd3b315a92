#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How many cases a fuzz test runs: a small default, so `swift test` stays quick, or
/// `CHOREO_FUZZ_CASES` when it is set to a positive integer: `CHOREO_FUZZ_CASES=100000` for
/// the long run.
public enum FuzzBudget {
    /// The environment variable that raises (or lowers) every fuzz test's case count.
    public static let variable = "CHOREO_FUZZ_CASES"

    /// `CHOREO_FUZZ_CASES` when set to a positive integer, else `value`.
    public static func cases(default value: Int) -> Int {
        guard let text = getenv(variable), let cases = Int(String(cString: text)), cases > 0 else { return value }
        return cases
    }
}
