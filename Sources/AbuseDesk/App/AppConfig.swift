import AbuseDeskCore
import Foundation
import Logging

/// Every setting of the service, read once from the environment at start.
///
/// `AppConfig.fromEnvironment` lists every missing or malformed setting in one error, so that a
/// mistyped deployment is fixed in one go. Tests build their own value and call `configure` with it.
public struct AppConfig: Sendable {
    public enum Store: Sendable, Equatable {
        /// The embedded SQLite database file.
        case sqlite(path: String)
        /// PostgreSQL at a `postgres://user:pass@host:port/db` URL, optionally inside one schema.
        case postgres(url: String, schema: String? = nil)
    }

    /// Holds the SQLite database, attachments and, without an SMTP server, outgoing mail.
    public var dataDirectory: String
    public var store: Store
    /// Requests per minute per client address on the public endpoints; `nil` turns the limit off.
    public var rateLimitPerMinute: Int?
    /// Use the first address of `X-Forwarded-For` as the client address (behind a trusted proxy only).
    public var trustForwardedFor: Bool
    /// When the deprecated v1 API stops answering (410 Gone from this instant on).
    public var v1Sunset: Date
    /// When v1 was deprecated, for the `Deprecation` header.
    public var v1Deprecation: Date
    /// The most reports written in one intake transaction.
    public var intakeBatchSize: Int
    /// How SQLite flushes commits to the disk (see `SQLiteIntakeDatabase`).
    public var sqliteSynchronous: SQLiteSynchronous

    public enum SQLiteSynchronous: String, Sendable, CaseIterable {
        /// A commit survives the process being killed; the disk is flushed at checkpoints.
        case normal
        /// Every commit is flushed to the disk before it is answered.
        case full
    }
    /// Run background work (mail delivery, expiring uploads and idempotency keys); tests drive it by hand.
    public var runsBackgroundTasks: Bool
    /// With background work: also deliver mail, activate due mitigations and expire (not so for
    /// `serve --no-background`, which only keeps its routing table fresh).
    public var runsBackgroundPasses = true
    /// The option of `serve` for a process that only answers requests.
    public static let noBackgroundOption = "--no-background"
    /// The sender of every e-mail, `Name <address>` or an address.
    public var mailFrom: String = "AbuseDesk <abuse@localhost>"
    /// The mail server; `nil` writes every message as an `.eml` file under `<data>/mail/`.
    public var smtp: SMTPSettings?
    /// How long the first retry of a failed delivery waits; each further one waits twice as long (at most six hours).
    public var mailRetrySeconds: TimeInterval = 60
    /// How long a process's claim on the e-mails it is sending holds without renewal: after it stops,
    /// another process sends them after this long.
    public var mailLeaseSeconds: TimeInterval = OutboxClaims.defaultLease
    /// The most receipts sent to one (unverified) reporter address in an hour; reports beyond it are
    /// filed without one.
    public var receiptsPerHour: Int = 20
    /// The most bytes of unclaimed uploads one client address may store in an hour.
    public var uploadQuotaBytes: Int = 100 * 1024 * 1024
    /// The address people reach the service at; an `https://` one makes cookies `Secure` and pages send HSTS.
    public var publicURL: String?
    /// A bearer token that opens `/metrics` to addresses outside loopback and private networks.
    public var metricsToken: String?

    /// Whether the service is reached over HTTPS (an `https://` public URL).
    public var isHTTPS: Bool { publicURL?.lowercased().hasPrefix("https://") == true }

    public init(dataDirectory: String = "./data", store: Store? = nil, rateLimitPerMinute: Int? = 60,
                trustForwardedFor: Bool = false, v1Sunset: Date = AppConfig.defaultV1Sunset,
                v1Deprecation: Date = AppConfig.defaultV1Deprecation, intakeBatchSize: Int = 256,
                sqliteSynchronous: SQLiteSynchronous = .normal, runsBackgroundTasks: Bool = true) {
        self.dataDirectory = dataDirectory
        self.store = store ?? .sqlite(path: dataDirectory + "/abusedesk.sqlite")
        self.rateLimitPerMinute = rateLimitPerMinute
        self.trustForwardedFor = trustForwardedFor
        self.v1Sunset = v1Sunset
        self.v1Deprecation = v1Deprecation
        self.intakeBatchSize = intakeBatchSize
        self.sqliteSynchronous = sqliteSynchronous
        self.runsBackgroundTasks = runsBackgroundTasks
    }

    /// 2027-03-01T00:00:00Z
    public static let defaultV1Sunset = Date(timeIntervalSince1970: 1_803_859_200)
    /// 2026-03-01T00:00:00Z
    public static let defaultV1Deprecation = Date(timeIntervalSince1970: 1_772_323_200)

    public struct Invalid: Error, CustomStringConvertible {
        public var problems: [String]
        public var description: String {
            "The configuration has \(problems.count) problem\(problems.count == 1 ? "" : "s"):\n"
                + problems.map { "  - " + $0 }.joined(separator: "\n")
        }
    }

    /// Reads `ABUSEDESK_*` and `DATABASE_URL`.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        var problems: [String] = []
        var config = AppConfig()
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }

        if let directory = value("ABUSEDESK_DATA_DIR") {
            config.dataDirectory = directory
        }
        config.store = .sqlite(path: config.dataDirectory + "/abusedesk.sqlite")
        if let url = value("DATABASE_URL") {
            if let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
               components.host?.isEmpty == false {
                config.store = .postgres(url: url)
            } else {
                problems.append("DATABASE_URL must look like postgres://user:password@host:5432/database")
            }
        }
        if let limit = value("ABUSEDESK_RATE_LIMIT") {
            if limit.lowercased() == "off" {
                config.rateLimitPerMinute = nil
            } else if let number = Int(limit), number > 0 {
                config.rateLimitPerMinute = number
            } else {
                problems.append("ABUSEDESK_RATE_LIMIT must be a number of requests per minute above 0, or off; got \"\(limit)\"")
            }
        }
        if let trust = value("ABUSEDESK_TRUST_FORWARDED_FOR") {
            switch trust.lowercased() {
            case "true", "1", "yes": config.trustForwardedFor = true
            case "false", "0", "no": config.trustForwardedFor = false
            default: problems.append("ABUSEDESK_TRUST_FORWARDED_FOR must be true or false; got \"\(trust)\"")
            }
        }
        for (name, keyPath) in [("ABUSEDESK_V1_SUNSET", \AppConfig.v1Sunset), ("ABUSEDESK_V1_DEPRECATION", \AppConfig.v1Deprecation)] {
            guard let text = value(name) else { continue }
            if let date = parseDate(text) {
                config[keyPath: keyPath] = date
            } else {
                problems.append("\(name) must be a date (2027-03-01) or an RFC 3339 time (2027-03-01T00:00:00Z); got \"\(text)\"")
            }
        }
        if let batch = value("ABUSEDESK_INTAKE_BATCH") {
            if let number = Int(batch), (1...10_000).contains(number) {
                config.intakeBatchSize = number
            } else {
                problems.append("ABUSEDESK_INTAKE_BATCH must be a number from 1 to 10000; got \"\(batch)\"")
            }
        }
        if let from = value("ABUSEDESK_MAIL_FROM") {
            if let address = AppConfig.address(in: from), EmailAddress(address) != nil || address.hasSuffix("@localhost") {
                config.mailFrom = from
            } else {
                problems.append("ABUSEDESK_MAIL_FROM must be an e-mail address, or a name and an address like \"Abuse Desk <abuse@example.net>\"; got \"\(from)\"")
            }
        }
        if let url = value("ABUSEDESK_SMTP_URL") {
            let smtp = SMTPSettings.parse(url: url, startTLS: value("ABUSEDESK_SMTP_STARTTLS"), trustedCertificatesFile: value("ABUSEDESK_SMTP_CA_FILE"))
            config.smtp = smtp.settings
            problems += smtp.problems
        } else {
            for name in ["ABUSEDESK_SMTP_STARTTLS", "ABUSEDESK_SMTP_CA_FILE"] where value(name) != nil {
                problems.append("\(name) is set, but ABUSEDESK_SMTP_URL is not: set the mail server too, or unset \(name)")
            }
        }
        if let retry = value("ABUSEDESK_MAIL_RETRY_SECONDS") {
            if let seconds = Int(retry), (1...86_400).contains(seconds) {
                config.mailRetrySeconds = TimeInterval(seconds)
            } else {
                problems.append("ABUSEDESK_MAIL_RETRY_SECONDS must be a number of seconds from 1 to 86400; got \"\(retry)\"")
            }
        }
        if let lease = value("ABUSEDESK_MAIL_LEASE_SECONDS") {
            if let seconds = Int(lease), (3...3600).contains(seconds) {
                config.mailLeaseSeconds = TimeInterval(seconds)
            } else {
                problems.append("ABUSEDESK_MAIL_LEASE_SECONDS must be a number of seconds from 3 to 3600; got \"\(lease)\"")
            }
        }
        if let sync = value("ABUSEDESK_SQLITE_SYNCHRONOUS") {
            if let mode = SQLiteSynchronous(rawValue: sync.lowercased()) {
                config.sqliteSynchronous = mode
            } else {
                problems.append("ABUSEDESK_SQLITE_SYNCHRONOUS must be normal or full; got \"\(sync)\"")
            }
        }
        if let receipts = value("ABUSEDESK_RECEIPTS_PER_HOUR") {
            if let number = Int(receipts), (0...10_000).contains(number) {
                config.receiptsPerHour = number
            } else {
                problems.append("ABUSEDESK_RECEIPTS_PER_HOUR must be a number of receipts from 0 to 10000; got \"\(receipts)\"")
            }
        }
        if let quota = value("ABUSEDESK_UPLOAD_QUOTA_MB") {
            if let number = Int(quota), (1...100_000).contains(number) {
                config.uploadQuotaBytes = number * 1024 * 1024
            } else {
                problems.append("ABUSEDESK_UPLOAD_QUOTA_MB must be a number of megabytes from 1 to 100000; got \"\(quota)\"")
            }
        }
        if let url = value("ABUSEDESK_PUBLIC_URL") {
            if let components = URLComponents(string: url), ["http", "https"].contains(components.scheme?.lowercased() ?? ""),
               components.host?.isEmpty == false, components.query == nil, components.fragment == nil {
                config.publicURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            } else {
                problems.append("ABUSEDESK_PUBLIC_URL must be the address people reach the service at, such as https://abuse.example.net; got \"\(url)\"")
            }
        }
        if let token = value("ABUSEDESK_METRICS_TOKEN") {
            if token.utf8.count >= 16, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                config.metricsToken = token
            } else {
                problems.append("ABUSEDESK_METRICS_TOKEN must be at least 16 visible ASCII characters without spaces")
            }
        }
        if let level = value("LOG_LEVEL"), Logger.Level(rawValue: level.lowercased()) == nil {
            problems.append("LOG_LEVEL must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(level)\"")
        }
        guard problems.isEmpty else { throw Invalid(problems: problems) }
        return config
    }

    /// The address of `Name <address>`, or the text itself.
    static func address(in mailbox: String) -> String? {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close])
        }
        return mailbox.contains("@") ? mailbox : nil
    }

    /// The domain of the sender's address, for Message-IDs.
    var mailDomain: String {
        AppConfig.address(in: mailFrom)?.split(separator: "@").last.map(String.init) ?? "localhost"
    }

    /// `YYYY-MM-DD` (midnight UTC) or an RFC 3339 timestamp.
    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle().year().month().day()) { return date }
        return nil
    }
}
