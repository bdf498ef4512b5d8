import AbuseDeskCore
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// A clock the tests move by hand.
final class TestClock: Sendable {
    private let current: NIOLockedValueBox<Date>

    /// 2026-11-23T12:00:00Z, unless told otherwise.
    init(_ start: Date = Date(timeIntervalSince1970: 1_795_435_200)) {
        current = NIOLockedValueBox(start)
    }

    var now: Date { current.withLockedValue { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLockedValue { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// Builds the whole service as `serve` does, on a store of its own: a SQLite file in a fresh folder, or
/// — when `TEST_DATABASE_URL` is set — a fresh schema of that PostgreSQL database. Tests run in parallel.
func withTestApp(
    clock: TestClock = TestClock(),
    configure adjust: (inout AppConfig) -> Void = { _ in },
    _ test: (Application) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("abusedesk-test-\(UUID().uuidString)").path
    var config = AppConfig(dataDirectory: directory, rateLimitPerMinute: nil, runsBackgroundTasks: false)
    let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
        config.store = .postgres(url: url, schema: schema)
    }
    adjust(&config)
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, config: config, now: { clock.now })
        try await app.asyncBoot()
        try await test(app)
    } catch {
        await tearDown(app, config: config, directory: directory)
        throw error
    }
    await tearDown(app, config: config, directory: directory)
}

/// A second process on the store of `first` (the same SQLite file or PostgreSQL schema), with a data
/// folder of its own, as another `abusedesk serve` on another machine would be.
func withSecondProcess(of first: Application, clock: TestClock, _ test: (Application) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("abusedesk-test-\(UUID().uuidString)").path
    var config = first.abuseDesk.config
    config.dataDirectory = directory
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, config: config, now: { clock.now })
        try await app.asyncBoot()
        try await test(app)
    } catch {
        try? await app.asyncShutdown()
        try? FileManager.default.removeItem(atPath: directory)
        throw error
    }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: directory)
}

private func tearDown(_ app: Application, config: AppConfig, directory: String) async {
    if case .postgres(_, let schema?) = config.store, let sql = app.db as? any SQLDatabase {
        _ = try? await sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").all()
    }
    try? await app.asyncShutdown()
    try? FileManager.default.removeItem(atPath: directory)
}

/// Whether the tests run against PostgreSQL.
var testsUsePostgres: Bool {
    !(ProcessInfo.processInfo.environment["TEST_DATABASE_URL"] ?? "").isEmpty
}

extension Application {
    /// Sends a request through the whole middleware chain, in memory.
    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], json: JSONValue? = nil, body: String? = nil,
              contentType: String? = "application/json") async throws -> TestingHTTPResponse {
        var headers = headers
        if let contentType, headers.first(name: .contentType) == nil, json != nil || body != nil {
            headers.replaceOrAdd(name: .contentType, value: contentType)
        }
        let text = json.map { $0.serialized() } ?? body
        var response: TestingHTTPResponse?
        try await testing().test(method, path, headers: headers, body: text.map { ByteBuffer(string: $0) }) { response = $0 }
        return try #require(response)
    }

    /// Sends raw bytes over a real socket, for what only a real connection shows (body limits). Unlike
    /// the testing library's running server, it sets no deadline of its own: a 10 MiB upload through a
    /// debug build on a busy machine may take longer than a fixed half minute, and the suite as a whole
    /// is what is bounded.
    func sendLive(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders = [:], body: ByteBuffer) async throws -> LiveResponse {
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            let port = try #require(http.server.shared.localAddress?.port)
            let response = try await client.send(method, headers: headers, to: URI(string: "http://127.0.0.1:\(port)\(path)")) {
                $0.body = body
            }
            await server.shutdown()
            return LiveResponse(status: response.status, headers: response.headers, body: response.body ?? ByteBuffer())
        } catch {
            await server.shutdown()
            throw error
        }
    }

    var sql: any SQLDatabase {
        get throws {
            guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
            return sql
        }
    }

    func count(_ table: String) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table).first()?
            .decode(column: "n", as: Int.self) ?? 0
    }
}

/// An answer received over a real connection.
struct LiveResponse: ReceivedAnswer {
    var status: HTTPStatus
    var headers: HTTPHeaders
    var body: ByteBuffer
}

/// An answer a test read, in memory or over a socket.
protocol ReceivedAnswer {
    var body: ByteBuffer { get }
}

extension ReceivedAnswer {
    /// The body as parsed JSON.
    var json: JSONValue {
        get throws { try JSONParser.parse(body.readableBytesView, maximumDepth: 64) }
    }
}

extension TestingHTTPResponse: ReceivedAnswer {}

enum Reports {
    /// A valid Report Abuse API v2.0 report.
    static func ip(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
        var report: JSONObject = [
            "reporterName": "Jane Doe",
            "reporterEmail": "jane@example.org",
            "threatType": "IP Address",
            "incidentType": "Account Compromise/Unauthorized Access",
            "attackMethod": "Brute Force",
            "date": "2026-11-20",
            "time": "10:00:00",
            "timeZone": "+0000",
            "reportNotes": "SSH brute force from this address.",
            "sourceIp": "203.0.113.9",
            "destinationPort": "22",
        ]
        for (key, value) in changes { report[key] = value }
        return .object(report)
    }

    static func url(_ changes: [String: JSONValue?] = [:]) -> JSONValue {
        var merged: [String: JSONValue?] = ["threatType": "URL", "incidentType": "Social Engineering", "attackMethod": "Phishing Website",
                                            "sourceIp": .none, "destinationPort": .none, "sourceUrl": "https://login.example.com/secure"]
        for (key, value) in changes { merged[key] = value }
        return ip(merged)
    }
}
