/// The version of Choreoscope: every executable prints it for `--version` as `<name> <version>`.
///
/// The one place it is written; bump it when a release is cut.
public enum ChoreoVersion {
    /// The version, as semantic versioning spells it.
    public static let current = "0.1.0"
}
