import ArgumentParser
import ChoreoModel
import Foundation
import Logging
import ServiceLifecycle

/// Options every daemon (`choreo-collector`, `choreo-agent`) takes alike.
public struct DaemonOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String = "info"

    public init() {}

    public func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// A logger at the chosen level.
    public func logger(label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        return logger
    }
}

/// Start-up steps the daemons share: fail fast with a clear message, then run until signalled.
public enum Daemon {
    /// The `--listen` address, or a usage error that shows an example.
    public static func listenAddress(_ text: String, example: String) throws -> ListenAddress {
        guard let address = ListenAddress(text) else {
            throw ValidationError("--listen must be HOST:PORT, e.g. \(example); got \"\(text)\"")
        }
        return address
    }

    /// The `--grpc-listen` address, nil for `none`, or a usage error that shows an example.
    public static func grpcListenAddress(_ text: String, example: String) throws -> ListenAddress? {
        guard text.lowercased() != "none" else { return nil }
        guard let address = ListenAddress(text) else {
            throw ValidationError("--grpc-listen must be HOST:PORT, e.g. \(example), or none; got \"\(text)\"")
        }
        return address
    }

    /// Writes `<program>: <message>` to standard error; throw the result to exit with status 1.
    public static func startupFailure(_ program: String, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("\(program): \(message)\n".utf8))
        return ExitCode.failure
    }

    /// Writes `<program>: WARNING: <message>` to standard error and logs it as a warning: for
    /// what start-up allows but an operator must not miss (tokens in clear text).
    public static func warn(_ program: String, _ message: String, logger: Logger) {
        FileHandle.standardError.write(Data("\(program): WARNING: \(message)\n".utf8))
        logger.warning("\(message)")
    }

    /// Runs `services` in one group until SIGTERM or SIGINT, then shuts them down in reverse order.
    public static func run(_ services: [any Service], logger: Logger) async throws {
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }

    /// Runs an HTTP application (built with `onServerRunning: listening.serverRunning`) until
    /// SIGTERM or SIGINT; fails start-up when it cannot bind or is not listening within
    /// `bindTimeout`.
    ///
    /// - Throws: an exit code of 1 after writing `<program>: cannot listen on <address>: <reason>`
    ///   when the server never listened; the application's error when it failed later.
    public static func serve(
        _ application: any Service, listening: ListenSignal, bindTimeout: Duration, program: String,
        address: ListenAddress, logger: Logger
    ) async throws {
        var watchdog = BindWatchdog(signal: listening, limit: bindTimeout, clock: ContinuousClock())
        watchdog.onTimeout = { timeout in
            // The bind may be blocked in the system where cancellation cannot reach it: leave now.
            // Nothing was acknowledged yet, since nothing could connect.
            _ = startupFailure(program, "cannot listen on \(address): \(timeout)")
            exit(1)
        }
        do {
            try await run([watchdog, application], logger: logger)
        } catch  where !listening.isListening {
            throw startupFailure(program, "cannot listen on \(address): \(bindFailure(error))")
        }
    }

    /// A bind error in words, with what to do about the common one.
    static func bindFailure(_ error: any Error) -> String {
        let text = "\(error)"
        guard text.contains("Address already in use") else { return text }
        return "\(text); another process listens on that port: stop it or choose another --listen port"
    }
}
