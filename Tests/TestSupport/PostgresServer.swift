import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A PostgreSQL server for the ledger tests, on loopback, started by the tests themselves.
///
/// `FHIRBRIDGE_POSTGRES_URL` (`postgresql://USER@127.0.0.1:PORT/DB`, a server someone else runs)
/// wins; otherwise the first use runs `initdb` into a temporary folder and `pg_ctl start` on a free
/// port of 127.0.0.1 (trust authentication for the one user `fhirbridge`, fsync off), and stops it
/// (`pg_ctl stop -m immediate`) and removes the folder when the test process exits. The binaries
/// are taken from `FHIRBRIDGE_PG_BIN`, `/usr/lib/postgresql/<newest>/bin`, `/usr/local/bin` or the
/// `PATH`. PostgreSQL refuses to run as root: as root (CI), the folder is given to the `postgres`
/// user (Debian's package creates it) and the server runs under `runuser -u postgres`.
///
/// Without the binaries a test that needs the server records why and returns early, except under
/// `CI` (or `FHIRBRIDGE_CORPUS`), where a missing server is a failure, as a missing corpus is.
public enum PostgresServer {
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        public var user: String
        public var database: String
        /// Where `psql` and `pg_dump` are.
        public var binaries: URL?

        /// `postgresql://user@host:port/database`, with `?schema=` when given.
        public func url(schema: String? = nil) -> String {
            "postgresql://\(user)@\(host):\(port)/\(database)" + (schema.map { "?schema=\($0)&sslmode=disable" } ?? "")
        }

        /// Runs `psql` with `sql` (several statements); returns its status and output.
        @discardableResult
        public func psql(_ sql: String) throws -> (status: Int32, output: String) {
            try PostgresServer.run(
                tool("psql"),
                [
                    "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", host, "-p", "\(port)", "-U", user, "-d", database, "-c",
                    sql,
                ])
        }

        /// `pg_dump` of one schema (its tables and rows), as the server holds it.
        public func dump(schema: String) throws -> String {
            let result = try PostgresServer.run(
                tool("pg_dump"), ["-h", host, "-p", "\(port)", "-U", user, "-n", schema, database])
            guard result.status == 0 else { throw Failure(description: "pg_dump exited \(result.status)") }
            return result.output
        }

        func tool(_ name: String) -> String {
            if let binaries, FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent(name).path) {
                return binaries.appendingPathComponent(name).path
            }
            return PostgresServer.onPath(name) ?? name
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// The server, or `nil` (with a skip note, or a failure under CI).
    public static func require(sourceLocation: SourceLocation = #_sourceLocation) -> Server? {
        switch shared {
        case .success(let server):
            return server
        case .failure(let failure):
            let note = "no PostgreSQL server for the test (\(failure.description)): the PostgreSQL test is skipped"
            if isRequired {
                Issue.record(
                    Comment(rawValue: note.replacingOccurrences(of: "is skipped", with: "is required")),
                    sourceLocation: sourceLocation)
            } else {
                print("note: \(note)")
            }
            return nil
        }
    }

    /// Whether the server is there (no note, no failure).
    public static var isAvailable: Bool {
        if case .success = shared { return true }
        return false
    }

    /// A missing server fails instead of skipping: `CI` or `FHIRBRIDGE_CORPUS` is set.
    public static let isRequired: Bool = TestCorpus.isRequired

    static let shared: Result<Server, Failure> = {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["FHIRBRIDGE_POSTGRES_URL"], !url.isEmpty {
            guard let components = URLComponents(string: url), let host = components.host,
                let user = components.user
            else {
                return .failure(Failure(description: "FHIRBRIDGE_POSTGRES_URL is not postgresql://USER@HOST:PORT/DB"))
            }
            return .success(
                Server(
                    host: host, port: components.port ?? 5432, user: user,
                    database: String(components.path.dropFirst()).isEmpty
                        ? "postgres" : String(components.path.dropFirst()),
                    binaries: binaries()))
        }
        do {
            return .success(try start())
        } catch let failure as Failure {
            return .failure(failure)
        } catch {
            return .failure(Failure(description: "\(error)"))
        }
    }()

    /// The folder with `initdb` and `pg_ctl`.
    static func binaries() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        var candidates: [String] = []
        if let path = environment["FHIRBRIDGE_PG_BIN"], !path.isEmpty { candidates.append(path) }
        let versions =
            ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        candidates += versions.map { "/usr/lib/postgresql/\($0)/bin" }
        candidates.append("/usr/local/bin")
        if let initdb = onPath("initdb") {
            candidates.append(URL(fileURLWithPath: initdb).resolvingSymlinksInPath().deletingLastPathComponent().path)
        }
        for folder in candidates
        where ["initdb", "pg_ctl", "postgres"].allSatisfy({
            FileManager.default.isExecutableFile(atPath: folder + "/" + $0)
        }) {
            return URL(fileURLWithPath: folder)
        }
        return nil
    }

    static func onPath(_ name: String) -> String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// The data folder of the server this process started (for the exit handler).
    nonisolated(unsafe) static var startedData: (pgCtl: String, data: String, asPostgres: Bool)?

    static func start() throws -> Server {
        guard let binaries = binaries() else {
            throw Failure(
                description: "no initdb/pg_ctl/postgres (apt-get install postgresql, or set FHIRBRIDGE_PG_BIN)")
        }
        guard let port = PythonPeers.freePort() else { throw Failure(description: "no free port on 127.0.0.1") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fhirbridge-pg-\(UUID().uuidString.prefix(8))")
        let data = folder.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let asPostgres = getuid() == 0
        if asPostgres {
            guard let account = getpwnam("postgres") else {
                throw Failure(description: "running as root and there is no postgres user to run the server as")
            }
            guard chown(folder.path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw Failure(description: "cannot give the server's folder to the postgres user")
            }
        }
        func asServerUser(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
            let path = binaries.appendingPathComponent(tool).path
            return asPostgres
                ? try run("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments)
                : try run(path, arguments)
        }
        let initialized = try asServerUser(
            "initdb", ["-D", data.path, "-U", "fhirbridge", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"])
        guard initialized.status == 0 else { throw Failure(description: "initdb exited \(initialized.status)") }
        let options =
            "-p \(port) -c listen_addresses=127.0.0.1 -k \(folder.path) -c fsync=off -c synchronous_commit=off "
            + "-c full_page_writes=off -c max_connections=60"
        let started = try asServerUser(
            "pg_ctl", ["-D", data.path, "-l", folder.appendingPathComponent("log").path, "-w", "-o", options, "start"])
        guard started.status == 0 else { throw Failure(description: "pg_ctl start exited \(started.status)") }
        startedData = (binaries.appendingPathComponent("pg_ctl").path, data.path, asPostgres)
        atexit {
            guard let (pgCtl, data, asPostgres) = PostgresServer.startedData else { return }
            let arguments = ["-D", data, "-m", "immediate", "stop"]
            _ = try? PostgresServer.run(
                asPostgres ? "/usr/sbin/runuser" : pgCtl,
                asPostgres ? ["-u", "postgres", "--", pgCtl] + arguments : arguments)
            try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: data).deletingLastPathComponent().path)
        }
        return Server(host: "127.0.0.1", port: port, user: "fhirbridge", database: "postgres", binaries: binaries)
    }

    /// Runs a program to its end; returns its status and standard output (standard error discarded).
    ///
    /// `posix_spawn` and `waitpid`, not Foundation's `Process`: `pg_ctl start` leaves the server
    /// running, which would inherit the descriptor `Process` watches to see its child end, so the
    /// child would never look ended.
    static func run(_ program: String, _ arguments: [String], timeout: Double = 120) throws -> (
        status: Int32, output: String
    ) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("fhirbridge-pg-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(program) (error \(spawned))") }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0 { throw Failure(description: "cannot wait for \(program)") }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return (-1, "")
            }
            usleep(20_000)
        }
        let exited = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return (exited, text)
    }
}
