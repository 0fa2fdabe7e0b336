import Foundation

/// Where a checkpoint ledger lives, as `--ledger` names it: a SQLite file (any path) or a
/// PostgreSQL database (`postgresql://USER@HOST:PORT/DB`).
///
///     LedgerLocation.parse("runs/ledger.db")                                  // .sqlite
///     LedgerLocation.parse("postgresql://etl@db.internal:5432/migration")     // .postgres
///     LedgerLocation.parse("postgresql://etl@127.0.0.1:5433/m?schema=run7&sslmode=verify-full")
///
/// The URL takes no password: it would sit in the process list and in Spark's logs. The password
/// comes from `PGPASSWORD` (or `FHIRBRIDGE_LEDGER_PASSWORD`), as with `psql`.
public enum LedgerLocation: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(PostgresLedgerAddress)

    /// `postgresql://` and `postgres://` URLs name a PostgreSQL ledger; anything else is a file path.
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(LedgerAddressError) -> LedgerLocation
    {
        let lowered = text.lowercased()
        guard lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://") else {
            return .sqlite(path: text)
        }
        return .postgres(try PostgresLedgerAddress(url: text, environment: environment))
    }
}

/// Why a `--ledger` URL is refused (a usage error). Descriptions name the part, never its value.
public struct LedgerAddressError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}

/// A PostgreSQL ledger: server, database, the schema that holds the ledger's tables (one ledger
/// per schema) and how to reach it (TLS).
public struct PostgresLedgerAddress: Sendable, Hashable, CustomStringConvertible {
    /// libpq's `sslmode` values that apply here.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, certificate verified; plain TCP otherwise.
        case prefer
        /// TLS required, the certificate not verified (as libpq's `require` without `sslrootcert`).
        case require
        /// TLS required, the certificate verified against the system's roots or `sslrootcert`, and
        /// the host name checked. What a ledger on another machine should use.
        case verifyFull = "verify-full"
    }

    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    /// The schema of the ledger's tables (`fhirbridge` unless `?schema=` says otherwise).
    public var schema: String
    public var tls: TLSMode
    /// A PEM file of the certificate authorities to trust (`?sslrootcert=`).
    public var rootCertificatePath: String?
    /// From `FHIRBRIDGE_LEDGER_PASSWORD` or `PGPASSWORD`; never printed.
    public var password: String?

    public init(
        user: String, host: String, port: Int = 5432, database: String, schema: String = "fhirbridge",
        tls: TLSMode = .prefer, rootCertificatePath: String? = nil, password: String? = nil
    ) {
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.schema = schema
        self.tls = tls
        self.rootCertificatePath = rootCertificatePath
        self.password = password
    }

    /// Parses `postgresql://USER@HOST[:PORT]/DB[?schema=NAME&sslmode=MODE&sslrootcert=PATH]`.
    public init(url text: String, environment: [String: String] = [:]) throws(LedgerAddressError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgresql" || scheme == "postgres"
        else { throw LedgerAddressError("the ledger URL is not a postgresql:// URL") }
        if components.password != nil {
            throw LedgerAddressError(
                "the ledger URL holds a password: pass it in PGPASSWORD (or FHIRBRIDGE_LEDGER_PASSWORD) instead")
        }
        guard let host = components.host, !host.isEmpty else {
            throw LedgerAddressError("the ledger URL names no host (postgresql://USER@HOST:PORT/DB)")
        }
        guard let user = components.user ?? environment["PGUSER"], !user.isEmpty else {
            throw LedgerAddressError("the ledger URL names no user (postgresql://USER@HOST:PORT/DB)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw LedgerAddressError("the ledger URL names no database (postgresql://USER@HOST:PORT/DB)")
        }
        var schema = "fhirbridge"
        var tls = TLSMode.prefer
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "schema":
                schema = item.value ?? ""
                guard Self.isPlainIdentifier(schema) else {
                    throw LedgerAddressError(
                        "the ledger URL's schema must be 1 to 40 lowercase letters, digits or underscores, not starting with a digit"
                    )
                }
            case "sslmode":
                guard let mode = TLSMode(rawValue: item.value ?? "") else {
                    throw LedgerAddressError("the ledger URL's sslmode must be disable, prefer, require or verify-full")
                }
                tls = mode
            case "sslrootcert":
                guard let path = item.value, !path.isEmpty else {
                    throw LedgerAddressError("the ledger URL's sslrootcert is empty")
                }
                rootCertificate = path
            default:
                throw LedgerAddressError(
                    "the ledger URL has an unknown parameter (known: schema, sslmode, sslrootcert)")
            }
        }
        let password = environment["FHIRBRIDGE_LEDGER_PASSWORD"] ?? environment["PGPASSWORD"]
        self.init(
            user: user, host: host, port: components.port ?? 5432, database: database, schema: schema, tls: tls,
            rootCertificatePath: rootCertificate, password: password)
    }

    /// `[a-z_][a-z0-9_]*`, at most 40 characters: safe to quote into SQL, and room for the
    /// `_replaced_<time>` suffix `--new-ledger` gives the old schema within PostgreSQL's 63.
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 40 else { return false }
        let lower: ClosedRange<Unicode.Scalar> = "a"..."z"
        let digits: ClosedRange<Unicode.Scalar> = "0"..."9"
        guard lower.contains(first) || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { lower.contains($0) || digits.contains($0) || $0 == "_" }
    }

    /// The URL without password.
    public var description: String {
        var text = "postgresql://\(user)@\(host):\(port)/\(database)?schema=\(schema)&sslmode=\(tls.rawValue)"
        if let rootCertificatePath { text += "&sslrootcert=\(rootCertificatePath)" }
        return text
    }
}
