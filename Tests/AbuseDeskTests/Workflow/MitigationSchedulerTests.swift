import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct MitigationSchedulerTests {
    @Test func pendingMitigationsBecomeActiveWhenDueAndNotBefore() async throws {
        let clock = TestClock()  // 2026-11-23T12:00:00Z
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/scheduled")
            try await world.accept(report)
            let tomorrow = try await world.mitigate(report, effective: "2026-11-24T00:00:00Z")
            let later = try await world.mitigate(report, type: "geo_block", entityType: "zone", effective: "2026-11-25T00:00:00Z")
            let appealed = try await world.mitigate(report, type: "rate_limit_cache", entityType: "zone", effective: "2026-11-24T00:00:00Z")
            let appeal = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                              json: ["appeals": [["id": .string(appealed), "reason": "removed"]]])
            #expect(appeal.status == .ok, "\(appeal.body.string)")
            func statuses() async throws -> [String: String] {
                let list = try await world.send(.GET, world.reports(world.acme) + "/\(report)/mitigations", token: world.acmeToken)
                return Dictionary(uniqueKeysWithValues: (try list.result["mitigations"]?.arrayValue ?? []).map {
                    ($0["id"]?.stringValue ?? "", $0["status"]?.stringValue ?? "")
                })
            }
            let scheduler = app.abuseDesk.mitigations
            #expect(try await scheduler.activateDue(on: app.db) == 0)
            #expect(try await statuses() == [tomorrow: "pending", later: "pending", appealed: "in_review"])

            clock.advance(by: 12 * 3600 - 1)
            #expect(try await scheduler.activateDue(on: app.db) == 0, "one second before midnight nothing is due")
            clock.advance(by: 1)
            #expect(try await scheduler.activateDue(on: app.db) == 1)
            #expect(try await statuses() == [tomorrow: "active", later: "pending", appealed: "in_review"], "an appealed one waits for its appeal")
            #expect(try await scheduler.activateDue(on: app.db) == 0, "a second pass changes nothing")
            let summary = try await world.send(.GET, world.reports(world.acme) + "/\(report)", token: world.acmeToken).result["mitigation_summary"]
            #expect(summary?["active_count"] == 1 && summary?["pending_count"] == 1 && summary?["in_review_count"] == 1)

            let history = try await AuditLog.history(of: [(.mitigation, tomorrow)], on: app.db)
            #expect(history.map(\.action) == ["mitigation.applied", "mitigation.activated"])
            #expect(history.last?.actor == "system" && history.last?.occurredAt == Date(timeIntervalSince1970: 1_795_478_400))

            clock.advance(by: 3 * 86400)
            #expect(try await scheduler.activateDue(on: app.db) == 1)
            #expect(try await statuses() == [tomorrow: "active", later: "active", appealed: "in_review"])
            #expect(try await AuditLog.verify(on: app.db).firstBreak == nil)
        }
    }
}
