import ArgumentParser

extension ChoreoCommand {
    /// Parses `arguments` (the process's when nil), runs the command and returns the exit status.
    ///
    /// Expected failures (``CLIError``, parse errors) are printed on stderr as one message;
    /// help and version requests go to stdout with status 0.
    public static func run(arguments: [String]? = nil) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch {
            let status = exitCode(forError: error)
            let message = message(for: error)
            if status == 0 {
                if !message.isEmpty { Terminal.printOutput(message + "\n") }
            } else if !message.isEmpty {
                Terminal.printError(message)
            }
            return status
        }
    }

    /// Runs the command and exits the process with its status.
    public static func runAndExit(arguments: [String]? = nil) async -> Never {
        let status = await run(arguments: arguments)
        Terminal.exit(status)
    }

    /// The exit status for an error a command or the parser threw.
    ///
    /// ``CLIError`` carries its own (1, 2 or 3); a parse or validation error is a usage error (2);
    /// help is 0; an explicit `ExitCode` is kept; anything else is 1.
    public static func exitCode(forError error: any Error) -> Int32 {
        if let error = error as? CLIError { return error.exitCode }
        let code = exitCode(for: error)
        if code == .validationFailure { return CLIError.Code.usage.exitCode }
        return code.rawValue
    }

    /// The text printed for an error: `Error: <message>` for ours, the parser's text otherwise.
    public static func message(for error: any Error) -> String {
        if let error = error as? CLIError { return "Error: " + error.message }
        return fullMessage(for: error)
    }
}

extension CLIError.Code {
    /// The exit status of errors with this code.
    public var exitCode: Int32 { CLIError(self, "").exitCode }
}
