import AbuseDeskCore
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// The two middlewares every request passes: the request log and the error answer.
@Suite struct MiddlewareTests {
    struct Line: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    /// Keeps what is logged.
    struct Capture: LogHandler {
        let lines: NIOLockedValueBox<[Line]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            lines.withLockedValue { $0.append(Line(level: event.level, message: "\(event.message)", metadata: metadata.merging(event.metadata ?? [:]) { $1 })) }
        }
    }

    struct DiskOnFire: Error, CustomStringConvertible {
        var description: String { "disk /dev/sda1 on fire" }
    }

    private func withApp(_ test: (Application, NIOLockedValueBox<[Line]>) async throws -> Void) async throws {
        let lines = NIOLockedValueBox<[Line]>([])
        let app = try await Application.make(.testing)
        app.logger = Logger(label: "test") { _ in Capture(lines: lines) }
        app.middleware = Middlewares()
        app.middleware.use(RequestLogMiddleware())
        app.middleware.use(ErrorMiddleware())
        app.get("ok") { _ in "fine" }
        app.get("broken") { _ async throws -> String in throw DiskOnFire() }
        do {
            try await test(app, lines)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    private func requestLines(_ lines: NIOLockedValueBox<[Line]>) -> [Line] {
        lines.withLockedValue { $0 }.filter { $0.metadata["http.status"] != nil }
    }

    @Test func everyRequestIsLoggedOnceWithItsStatusAndDurationButNotItsQuery() async throws {
        try await withApp { app, lines in
            let response = try await app.sendRequest(.GET, "/ok?token=secret-value")
            #expect(response.status == .ok)
            let logged = requestLines(lines)
            #expect(logged.count == 1)
            #expect(logged.first?.message == "GET /ok 200" && logged.first?.level == .info)
            #expect(logged.first?.metadata["http.status"] == "200")
            #expect(Double(logged.first?.metadata["http.duration_ms"]?.description ?? "") ?? -1 >= 0)
            #expect(!lines.withLockedValue { $0 }.contains { "\($0.message) \($0.metadata)".contains("secret-value") })
        }
    }

    @Test func aFailureAnswersA500WithTheRequestIdAndNoInternalsAndIsLoggedWhole() async throws {
        try await withApp { app, lines in
            let response = try await app.sendRequest(.GET, "/broken")
            #expect(response.status == .internalServerError)
            let body = try JSONParser.parse(Array(response.body.readableBytesView))
            #expect(body["code"] == "InternalError")
            let message = try #require(body["message"]?.stringValue)
            #expect(message.hasPrefix("Something went wrong on our side. Nothing was changed; if it happens again, tell us request id "))
            #expect(!response.body.string.contains("sda1"))
            let failure = try #require(lines.withLockedValue { $0 }.first { $0.message == "Request failed" })
            #expect(failure.level == .error && failure.metadata["error"]?.description.contains("disk /dev/sda1 on fire") == true)
            let requestID = try #require(failure.metadata["request-id"]?.description)
            #expect(message.contains(requestID), "the answer names the id the log line carries")
            #expect(requestLines(lines).map(\.message) == ["GET /broken 500"])
        }
    }

    @Test func aPathThatIsNotThereIsLoggedAsA404() async throws {
        try await withApp { app, lines in
            let response = try await app.sendRequest(.GET, "/nowhere")
            #expect(response.status == .notFound)
            #expect(try JSONParser.parse(Array(response.body.readableBytesView))["code"] == "NotFound")
            #expect(requestLines(lines).map(\.message) == ["GET /nowhere 404"])
        }
    }
}
