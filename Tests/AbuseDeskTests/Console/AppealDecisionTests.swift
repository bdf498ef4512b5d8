import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// Cancelling pending mitigations and answering appeals through `/admin/v1`.
@Suite struct AppealDecisionTests {
    @Test func onlyAPendingMitigationIsCancelledAndACancelledOneCannotBeAppealed() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/cancel")
            try await world.accept(report)
            let pending = try await world.mitigate(report, type: "geo_block", entityType: "zone", effective: "2026-12-01T00:00:00Z")
            let active = try await world.mitigate(report)
            func cancel(_ id: String, token: String? = nil) async throws -> TestingHTTPResponse {
                try await world.send(.POST, "/admin/v1/mitigations/\(id)/cancel", token: token ?? world.analystToken)
            }
            #expect(try await cancel(pending, token: world.acmeToken).status == .forbidden)
            let cancelled = try await cancel(pending)
            #expect(cancelled.status == .ok, "\(cancelled.body.string)")
            #expect(try cancelled.result["status"] == "cancelled" && cancelled.result["id"] == .string(pending))
            #expect(try await cancel(pending).status == .conflict, "twice")
            let refused = try await cancel(active)
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("Only a pending mitigation can be cancelled; mitigation \(active) is active."))
            #expect(try await cancel(Identifier.make(at: Date())).status == .notFound)
            #expect(try await world.send(.POST, "/admin/v1/mitigations/\(pending)/cancel", token: world.analystToken,
                                         json: ["why": "x"]).errorFields == ["why"])

            let appeal = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                              json: ["appeals": [["id": .string(pending), "reason": "removed"]]])
            #expect(appeal.status != .ok, "a cancelled mitigation is not appealed: \(appeal.body.string)")
            let history = try await AuditLog.history(of: [(.mitigation, pending)], on: app.db)
            #expect(history.map(\.action) == ["mitigation.applied", "mitigation.cancelled"])
        }
    }

    @Test func grantedAppealsRemoveRejectedOnesReinstateAndTheCustomerIsTold() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/appealed")
            try await world.accept(report)
            let granted = try await world.mitigate(report)
            let rejected = try await world.mitigate(report, type: "geo_block", entityType: "zone")
            let future = try await world.mitigate(report, type: "rate_limit_cache", entityType: "zone", effective: "2026-12-01T00:00:00Z")
            let appealed = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken, json: [
                "appeals": [["id": .string(granted), "reason": "removed"], ["id": .string(rejected), "reason": "misclassified"],
                            ["id": .string(future), "reason": "misclassified"]]])
            #expect(appealed.status == .ok, "\(appealed.body.string)")

            let queue = try await world.send(.GET, "/admin/v1/appeals?status=open", token: world.analystToken)
            #expect(queue.status == .ok)
            let open = try queue.result.arrayValue ?? []
            #expect(open.count == 3 && open.allSatisfy { $0["status"] == "open" && $0["report_id"] == .string(report) })
            func appealID(of mitigation: String) -> String { open.first { $0["mitigation_id"] == .string(mitigation) }?["id"]?.stringValue ?? "" }
            func decide(_ mitigation: String, _ body: JSONValue) async throws -> TestingHTTPResponse {
                try await world.send(.POST, "/admin/v1/appeals/\(appealID(of: mitigation))/decision", token: world.analystToken, json: body)
            }

            let missing = try await decide(granted, [:])
            #expect(missing.status == .badRequest)
            #expect(Set(try missing.errorFields) == ["decision", "reason"])
            #expect(try await decide(granted, ["decision": "maybe", "reason": "x"]).errorFields == ["decision"])
            clock.advance(by: 3600)
            let grant = try await decide(granted, ["decision": "grant", "reason": "The page is gone; we checked."])
            #expect(grant.status == .ok, "\(grant.body.string)")
            #expect(try grant.result["status"] == "granted" && grant.result["decision_reason"] == "The page is gone; we checked.")
            #expect(try grant.result["decided_at"] == "2026-11-23T13:00:00Z" && grant.result["mitigation"]?["status"] == "removed")
            #expect(try await decide(granted, ["decision": "reject", "reason": "again"]).status == .conflict, "decided already")
            clock.advance(by: 60)  // e-mails of one instant have no order among them
            #expect(try await decide(rejected, ["decision": "reject", "reason": "The zone still serves the kit."]).result["mitigation"]?["status"] == "active")
            clock.advance(by: 60)
            #expect(try await decide(future, ["decision": "reject", "reason": "Still needed."]).result["mitigation"]?["status"] == "pending",
                    "before its effective date a reinstated mitigation waits again")
            #expect(try await world.send(.GET, "/admin/v1/appeals?status=open", token: world.analystToken).result.arrayValue?.isEmpty == true)
            #expect(try await world.send(.GET, "/admin/v1/appeals?status=closed", token: world.analystToken).errorFields == ["status"])

            try await world.deliverMail()
            let emails = try await world.send(.GET, world.reports(world.acme) + "/\(report)/emails", token: world.acmeToken)
            let decided = (try emails.result["emails"]?.arrayValue ?? []).filter { $0["subject"]?.stringValue?.hasPrefix("Appeal ") == true }
            #expect(decided.compactMap { $0["subject"]?.stringValue } == ["Appeal received for abuse report \(report)",
                                                                          "Appeal granted for abuse report \(report)",
                                                                          "Appeal rejected for abuse report \(report)",
                                                                          "Appeal rejected for abuse report \(report)"])
            #expect(decided[1]["body"]?.stringValue?.contains("mitigation \(granted) is removed.") == true)
            #expect(decided[1]["body"]?.stringValue?.contains("Why: The page is gone; we checked.") == true)
            #expect(decided[3]["body"]?.stringValue?.contains("stays scheduled") == true)

            let history = try await AuditLog.history(of: [(.mitigation, granted), (.appeal, appealID(of: granted))], on: app.db)
            #expect(history.map(\.action) == ["mitigation.applied", "appeal.filed", "mitigation.appealed", "appeal.granted", "mitigation.removed"])
            #expect(try await AuditLog.verify(on: app.db).firstBreak == nil)
        }
    }
}
