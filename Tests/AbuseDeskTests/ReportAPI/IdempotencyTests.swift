import AbuseDeskCore
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct IdempotencyTests {
    @Test func aRetryAnswersTheFirstAnswerAndFilesNothingNew() async throws {
        try await withTestApp { app in
            let first = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "retry-1"], json: Reports.ip())
            let second = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "retry-1"], json: Reports.ip())
            #expect(first.status == .ok)
            #expect(second.status == .ok)
            #expect(try first.json == second.json)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            #expect(try await app.count("reports") == 1)
            #expect(try await app.count("outbox_messages") == 1, "one receipt: the retry sends none")
        }
    }

    @Test func concurrentRetriesFileOnce() async throws {
        try await withTestApp { app in
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "burst"], json: Reports.ip()).json["reportId"]?.stringValue
                    }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await app.count("reports") == 1)
        }
    }

    @Test func theSameKeyWithAnotherRequestIsRefused() async throws {
        try await withTestApp { app in
            _ = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "k"], json: Reports.ip())
            let other = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "k"], json: Reports.ip(["sourceIp": "198.51.100.3"]))
            #expect(other.status == .unprocessableEntity)
            #expect(try other.json["code"] == "IdempotencyKeyReused")
            #expect(try await app.count("reports") == 1)
        }
    }

    @Test func keysExpireAfterADay() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "daily"], json: Reports.ip())
            clock.advance(by: 24 * 3600 + 1)
            let later = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "daily"],
                                           json: Reports.ip(["date": "2026-11-23"]))
            #expect(later.status == .ok)
            #expect(later.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(try await app.count("reports") == 2)
            #expect(try await app.abuseDesk.idempotency.expire(now: clock.now.addingTimeInterval(24 * 3600 + 1), on: app.db) == 1)
        }
    }

    @Test(arguments: ["", "has space", String(repeating: "k", count: 256), "ключ"])
    func malformedKeysAreRefused(key: String) async throws {
        try await withTestApp { app in
            let response = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": key], json: Reports.ip())
            #expect(response.status == .badRequest)
            #expect(try response.json["code"] == "InvalidHeader")
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func validationFailuresAreNotRemembered() async throws {
        try await withTestApp { app in
            let bad = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "fix-me"], json: Reports.ip(["sourceIp": "10.0.0.1"]))
            #expect(bad.status == .badRequest)
            let fixed = try await app.send(.POST, "/report/v2.0/abuse", headers: ["Idempotency-Key": "fix-me"], json: Reports.ip())
            #expect(fixed.status == .ok)
        }
    }
}
