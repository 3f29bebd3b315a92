#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process's side of the terminal: environment, whether stdout is a TTY, stderr.
enum Terminal {
    /// The environment variables the CLI reads (`CHOREO_COLLECTOR`, `CHOREO_TOKEN`, `NO_COLOR`).
    static func environment() -> [String: String] {
        var values: [String: String] = [:]
        for name in ["CHOREO_COLLECTOR", "CHOREO_TOKEN", "NO_COLOR"] {
            if let value = getenv(name) { values[name] = String(cString: value) }
        }
        return values
    }

    /// True when stdout is a terminal.
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// The palette for stdout: colour only on a terminal with `NO_COLOR` unset.
    static func palette(environment: [String: String]) -> Palette {
        Palette.forOutput(environment: environment, isTerminal: stdoutIsTerminal)
    }

    /// Writes `text` and a newline to stderr, unbuffered.
    static func printError(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { buffer in
                write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written <= 0 { return }
            offset += written
        }
    }

    /// Flushes stdout and ends the process with `status`.
    static func exit(_ status: Int32) -> Never {
        fflush(nil)
        #if canImport(Glibc)
            Glibc.exit(status)
        #else
            Darwin.exit(status)
        #endif
    }

    /// Writes `text` to stdout as is (no added newline).
    static func printOutput(_ text: String) {
        print(text, terminator: "")
    }
}
