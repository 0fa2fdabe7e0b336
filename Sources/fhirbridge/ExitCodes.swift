import ArgumentParser

/// sysexits(3) codes used by every command.
enum Exit {
    static let dataError = ExitCode(65)
    static let ioError = ExitCode(74)
    static let usage = ExitCode(64)
    static let software = ExitCode(70)
}
