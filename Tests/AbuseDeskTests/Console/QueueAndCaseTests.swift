import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// The operators' queue, the case file and what operators do to a report besides deciding it, through `/admin/v1`.
@Suite struct QueueAndCaseTests {
    @Test func theQueueFiltersByEveryCriterionAndNamesBadFilters() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            let phishing = try await world.fileURLReport("https://login.example.com/a")
            clock.advance(by: 60)
            let network = try await world.fileIPReport("203.0.113.77")
            clock.advance(by: 60)
            let stray = try await world.fileIPReport("192.0.2.200")
            clock.advance(by: 60)
            let other = try await world.fileURLReport("https://shop.example.net/pay")
            try await world.accept(other)
            func ids(_ query: String) async throws -> [String] {
                let response = try await world.send(.GET, "/admin/v1/reports?" + query, token: world.analystToken)
                #expect(response.status == .ok, "\(query): \(response.body.string)")
                return (try response.result.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            }
            #expect(try await ids("") == [other, stray, network, phishing], "newest first")
            #expect(try await ids("sort=created_at,asc&per_page=2") == [phishing, network])
            #expect(try await ids("status=accepted") == [other])
            #expect(try await ids("status=new&type=NETWORK") == [stray, network])
            #expect(try await ids("threat_type=URL") == [other, phishing])
            #expect(try await ids("incident_type=Account%20Compromise/Unauthorized%20Access") == [stray, network])
            #expect(try await ids("account_id=\(world.acme)") == [network, phishing])
            #expect(try await ids("unassigned=true") == [stray])
            #expect(try await ids("domain=example.com") == [phishing])
            #expect(try await ids("domain=example.net") == [other])
            #expect(try await ids("ip=203.0.113.0/24") == [network])
            #expect(try await ids("ip=192.0.2.200") == [stray])
            #expect(try await ids("q=LOGIN.example") == [phishing], "free text finds URLs, whatever their case")
            #expect(try await ids("q=\(network)") == [network])
            #expect(try await ids("created_after=2026-11-23T12:01:30Z&created_before=2026-11-23T12:02:30Z") == [stray])
            #expect(try await ids("assigned_to=none&status=new") == [stray, network, phishing])

            let bad = try await world.send(.GET, "/admin/v1/reports?status=open&threat_type=Email&ip=300.1.1.1&domain=-x&account_id=7&colour=red&sort=colour",
                                           token: world.analystToken)
            #expect(bad.status == .badRequest)
            #expect(Set(try bad.errorFields) == ["status", "threat_type", "ip", "domain", "account_id", "colour", "sort"])
            #expect(try await world.send(.GET, "/admin/v1/reports", token: world.acmeToken).status == .forbidden)
        }
    }

    @Test func assigningTakesAReportIntoTriageAndIsRecorded() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            let assigned = try await world.send(.POST, "/admin/v1/reports/\(report)/assign", token: world.analystToken, json: ["operator_id": "me"])
            #expect(assigned.status == .ok, "\(assigned.body.string)")
            #expect(try assigned.result["status"] == "triage")
            let analyst = try #require(try await OperatorModel.query(on: app.db).filter(\.$email == "analyst@abusedesk.test").first()?.id)
            #expect(try await ReportModel.find(report, on: app.db)?.assignedTo == analyst)
            let mine = try await world.send(.GET, "/admin/v1/reports?assigned_to=me", token: world.analystToken)
            #expect(try mine.result[0]?["assignee_email"] == "analyst@abusedesk.test")
            #expect(try await world.send(.GET, "/admin/v1/reports?assigned_to=me", token: world.adminToken).result == [])

            let unknown = try await world.send(.POST, "/admin/v1/reports/\(report)/assign", token: world.analystToken,
                                               json: ["operator_id": .string(Identifier.make(at: Date()))])
            #expect(try unknown.status == .badRequest && unknown.errorFields == ["operator_id"])
            let released = try await world.send(.POST, "/admin/v1/reports/\(report)/assign", token: world.analystToken, json: ["operator_id": .null])
            #expect(try released.result["status"] == "triage", "taking it back does not undo triage")
            #expect(try await ReportModel.find(report, on: app.db)?.assignedTo == nil)
            let history = try await AuditLog.history(of: [(.report, report)], on: app.db)
            #expect(history.map(\.action) == ["report.filed", "report.assigned", "report.unassigned"])
            #expect(history[1].before["status"] == "new" && history[1].after["status"] == "triage")
        }
    }

    @Test func anUnassignedReportIsRoutedByHandAndTheCustomerThenSeesIt() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let stray = try await world.fileIPReport("192.0.2.10")
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).ids() == [])
            let bad = try await world.send(.POST, "/admin/v1/reports/\(stray)/route", token: world.analystToken, json: ["account_id": "nope"])
            #expect(try bad.status == .badRequest && bad.errorFields == ["account_id"])
            let missing = try await world.send(.POST, "/admin/v1/reports/\(stray)/route", token: world.analystToken,
                                               json: ["account_id": .string(Identifier.make(at: Date()))])
            #expect(missing.status == .badRequest)
            let routed = try await world.send(.POST, "/admin/v1/reports/\(stray)/route", token: world.analystToken, json: ["account_id": .string(world.other)])
            #expect(routed.status == .ok, "\(routed.body.string)")
            #expect(try await world.send(.GET, world.reports(world.other), token: world.otherToken).ids() == [stray])
            let file = try await world.send(.GET, "/admin/v1/reports/\(stray)", token: world.analystToken).result
            #expect(file["routing"]?["rule"] == "manual" && file["routing"]?["account_name"] == "Other Cloud")

            // A report with mitigations keeps the customer they were applied to.
            let mitigated = try await world.fileURLReport()
            try await world.accept(mitigated)
            _ = try await world.mitigate(mitigated)
            let refused = try await world.send(.POST, "/admin/v1/reports/\(mitigated)/route", token: world.analystToken, json: ["account_id": .string(world.other)])
            #expect(refused.status == .conflict)
            let denied = try await world.fileIPReport("192.0.2.11")
            try await world.deny(denied)
            #expect(try await world.send(.POST, "/admin/v1/reports/\(denied)/route", token: world.analystToken,
                                         json: ["account_id": .string(world.other)]).status == .conflict)
        }
    }

    @Test func aForwardTellsTheHostWithoutAHiddenReporterAndTheCustomerSeesIt() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://cdn.example.com/kit", anonymize: true)
            let bad = try await world.send(.POST, "/admin/v1/reports/\(report)/forward", token: world.analystToken, json: ["recipient": "nobody", "cc": "x"])
            #expect(Set(try bad.errorFields) == ["recipient", "cc"])
            #expect(try await app.count("outbox_messages") == 1, "the reporter's receipt only")
            let forwarded = try await world.send(.POST, "/admin/v1/reports/\(report)/forward", token: world.analystToken,
                                                 json: ["recipient": "abuse@upstream.example", "note": "Your customer's VM."])
            #expect(forwarded.status == .ok, "\(forwarded.body.string)")
            let host = try #require(try await OutboxMessageModel.query(on: app.db).filter(\.$audience == "host").first())
            #expect(host.recipient == "abuse@upstream.example" && host.subject == "Abuse report \(report) forwarded to you: Phishing")
            #expect(host.body.contains("Your customer's VM.") && host.body.contains("https://cdn.example.com/kit"))
            #expect(!host.body.contains("jane@example.org") && !host.body.contains("Jane Doe"))
            let seen = try await world.send(.GET, world.reports(world.acme) + "/\(report)", token: world.acmeToken).result
            #expect(seen["mitigation_summary"]?["external_host_notified"] == true)
            try await world.deliverMail()
            let customerMail = try await world.send(.GET, world.reports(world.acme) + "/\(report)/emails", token: world.acmeToken).result
            #expect(customerMail["emails"] == [], "the host's e-mail is not the customer's")
            let file = try await world.send(.GET, "/admin/v1/reports/\(report)", token: world.analystToken).result
            #expect(file["forwarded_to"] == "abuse@upstream.example")
            #expect(Set(file["emails"]?.arrayValue?.compactMap { $0["audience"]?.stringValue } ?? []) == ["reporter", "host"])
            #expect(file["emails"]?.arrayValue?.map { $0["state"] } == ["sent", "sent"])

            try await world.deny(report)
            #expect(try await world.send(.POST, "/admin/v1/reports/\(report)/forward", token: world.analystToken,
                                         json: ["recipient": "abuse@upstream.example"]).status == .conflict)
        }
    }

    @Test func theReporterIsToldEveryDecisionWithItsReason() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let accepted = try await world.fileURLReport()
            let denied = try await world.fileIPReport("192.0.2.5")
            try await world.accept(accepted)
            try await world.deny(denied, reason: "not_served_here")
            // The test's clock stands still, so the four share one time: which came first is not asked.
            let toReporter = try await OutboxMessageModel.query(on: app.db).filter(\.$audience == "reporter").all()
            #expect(Set(toReporter.map(\.subject)) == ["Report \(accepted) received: Social Engineering",
                                                       "Report \(denied) received: Account Compromise/Unauthorized Access",
                                                       "Report \(accepted) accepted: Social Engineering",
                                                       "Report \(denied) closed without action: Account Compromise/Unauthorized Access"])
            #expect(toReporter.allSatisfy { $0.recipient == "jane@example.org" })
            let closed = try #require(toReporter.first { $0.subject.hasPrefix("Report \(denied) closed") })
            #expect(closed.body.contains("the reported content or address is not served by us."))
            let toCustomer = try await OutboxMessageModel.query(on: app.db).filter(\.$audience == "customer").all()
            #expect(toCustomer.map(\.reportID) == [accepted], "a denial is not news to the customer")
        }
    }

    @Test func aDecidedCaseIsClosedOnceItsAppealsAreAnswered() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            func close(_ id: String) async throws -> TestingHTTPResponse {
                try await world.send(.POST, "/admin/v1/reports/\(id)/close", token: world.analystToken)
            }
            let early = try await close(report)
            #expect(early.status == .conflict && early.body.string.contains("accept or deny it first"))
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            _ = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                     json: ["appeals": [["id": .string(mitigation), "reason": "misclassified"]]])
            let waiting = try await close(report)
            #expect(waiting.status == .conflict && waiting.body.string.contains("1 open appeal"))
            let appeal = try #require(try await AppealModel.query(on: app.db).first()?.id)
            _ = try await world.send(.POST, "/admin/v1/appeals/\(appeal)/decision", token: world.analystToken,
                                     json: ["decision": "reject", "reason": "Still a phishing page."])
            let closed = try await close(report)
            #expect(try closed.status == .ok && closed.result["status"] == "closed")
            #expect(try await close(report).status == .conflict, "twice")
            let seen = try await world.send(.GET, world.reports(world.acme) + "/\(report)", token: world.acmeToken).result
            #expect(seen["status"] == "accepted" && seen["mitigation_summary"]?["active_count"] == 1, "the customer's view is unchanged")
            let denied = try await world.fileIPReport("192.0.2.4")
            try await world.deny(denied)
            #expect(try await close(denied).status == .ok)
            #expect(try await world.send(.POST, "/admin/v1/reports/\(denied)/accept", token: world.analystToken).status == .conflict)
            #expect(try await AuditLog.history(of: [(.report, denied)], on: app.db).map(\.action) == ["report.filed", "report.denied", "report.closed"])
        }
    }

    @Test func bulkActionsReportEachOutcomeAndNameEveryProblem() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let first = try await world.fileURLReport("https://login.example.com/1")
            let second = try await world.fileURLReport("https://login.example.com/2")
            let denied = try await world.fileURLReport("https://login.example.com/3")
            try await world.deny(denied)
            let response = try await world.send(.POST, "/admin/v1/reports/bulk", token: world.analystToken,
                                                json: ["action": "accept", "report_ids": [.string(first), .string(second), .string(denied)]])
            #expect(response.status == .ok, "\(response.body.string)")
            let outcomes = try response.result.arrayValue ?? []
            #expect(outcomes.map { $0["success"] } == [true, true, false])
            #expect(outcomes[2]["error"] == "The report was denied; it cannot be accepted now.")
            #expect(try await ReportModel.find(second, on: app.db)?.status == "accepted")

            let assign = try await world.send(.POST, "/admin/v1/reports/bulk", token: world.analystToken,
                                              json: ["action": "assign", "operator_id": "me", "report_ids": [.string(first)]])
            #expect(try assign.result[0]?["status"] == "accepted")
            let bad = try await world.send(.POST, "/admin/v1/reports/bulk", token: world.analystToken,
                                           json: ["action": "deny", "report_ids": ["x", .string(first)]])
            #expect(Set(try bad.errorFields) == ["report_ids[0]", "reason"])
            #expect(try await world.send(.POST, "/admin/v1/reports/bulk", token: world.analystToken, json: ["action": "delete", "report_ids": []])
                .errorFields == ["action", "report_ids"])
            let tooMany = (0...OperatorRequests.maximumBulk).map { _ in JSONValue.string(Identifier.make(at: Date())) }
            #expect(try await world.send(.POST, "/admin/v1/reports/bulk", token: world.analystToken,
                                         json: ["action": "accept", "report_ids": .array(tooMany)]).errorFields == ["report_ids"])
        }
    }

    @Test func theCaseFileHoldsEverythingAboutAReport() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport("https://login.example.com/case", anonymize: true)
            let sibling = try await world.fileURLReport("https://login.example.com/case")
            _ = try await world.fileURLReport("https://elsewhere.example.com/x")
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let file = try await world.send(.GET, "/admin/v1/reports/\(report)", token: world.analystToken)
            #expect(file.status == .ok, "\(file.body.string)")
            let result = try file.result
            #expect(result["status"] == "accepted" && result["reporter"]?["email"] == "jane@example.org" && result["reporter"]?["anonymize"] == true)
            #expect(result["targets"]?[0]?["source"] == "https://login.example.com/case")
            #expect(result["related_reports"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [sibling])
            #expect(result["mitigations"]?[0]?["id"] == .string(mitigation))
            #expect(result["routing"]?["rule"] == "domain" && result["routing"]?["rule_value"] == "example.com")
            #expect(Set(result["emails"]?.arrayValue?.compactMap { $0["audience"]?.stringValue } ?? []) == ["reporter", "customer"])
            #expect(result["history"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["report.filed", "report.accepted", "mitigation.applied"])
            #expect(try await world.send(.GET, "/admin/v1/reports/\(Identifier.make(at: Date()))", token: world.analystToken).status == .notFound)
        }
    }

    @Test func failedMailIsListedAndRetriedOnRequest() async throws {
        struct Refusing: MailTransport {
            func open() async throws -> any MailSession { throw SMTPError.connection("mail.example: connection refused") }
        }
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            try await world.accept(try await world.fileURLReport())
            var refusing = MailDelivery(transport: Refusing(), sender: "a@localhost", hostname: "localhost", now: { clock.now })
            refusing.maximumAttempts = 2
            try await refusing.deliverDue(on: app.db, logger: app.logger)
            let retrying = try await world.send(.GET, "/admin/v1/emails?state=retrying", token: world.analystToken)
            #expect(try retrying.result.arrayValue?.count == 3, "the receipt, the reporter's decision and the customer's notice")
            #expect(try retrying.result[0]?["last_error"]?.stringValue?.contains("connection refused") == true)
            clock.advance(by: 61)
            try await refusing.deliverDue(on: app.db, logger: app.logger)
            let failed = try await world.send(.GET, "/admin/v1/emails?state=failed", token: world.analystToken)
            let ids = (try failed.result.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
            #expect(ids.count == 3, "given up after the most attempts")
            try await world.deliverMail()
            #expect(try await world.send(.GET, "/admin/v1/emails?state=sent", token: world.analystToken).result == [], "a failed message waits for a person")
            let retried = try await world.send(.POST, "/admin/v1/emails/\(ids[0])/retry", token: world.analystToken)
            #expect(try retried.result["state"] == "retrying")
            try await world.deliverMail()
            #expect(try await world.send(.GET, "/admin/v1/emails?state=sent", token: world.analystToken).result.arrayValue?.count == 1)
            #expect(try await world.send(.POST, "/admin/v1/emails/\(ids[0])/retry", token: world.analystToken).status == .conflict)
            // The console's navigation counts the two still not delivered (from their own index, M015).
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            let page = try await browser.get("/console/mail")
            #expect(page.body.string.contains(#"<span class="badge badge-warn" aria-label="2 not delivered">2</span>"#))
            #expect(try await world.send(.GET, "/admin/v1/emails?state=lost", token: world.analystToken).errorFields == ["state"])
        }
    }

    @Test func onlyAdminsManageOperators() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let body: JSONValue = ["email": "new@abusedesk.test", "role": "analyst", "password": "another long password"]
            #expect(try await world.send(.POST, "/admin/v1/operators", token: world.analystToken, json: body).status == .forbidden)
            #expect(try await world.send(.GET, "/admin/v1/operators", token: world.analystToken).status == .forbidden)
            let created = try await world.send(.POST, "/admin/v1/operators", token: world.adminToken, json: body)
            #expect(created.status == .ok, "\(created.body.string)")
            #expect(try created.result["role"] == "analyst" && created.result["password"] == nil)
            let short = try await world.send(.POST, "/admin/v1/operators", token: world.adminToken,
                                             json: ["email": "new@abusedesk.test", "password": "short"])
            #expect(Set(try short.errorFields) == ["email", "password"])
            #expect(try await world.send(.GET, "/admin/v1/operators", token: world.adminToken).result.arrayValue?.count == 3)
            let history = try await AuditLog.history(of: [(.operator, try #require(try created.result["id"]?.stringValue))], on: app.db)
            #expect(history.map(\.action) == ["operator.created"] && history[0].actor.hasPrefix("operator:"))
        }
    }
}
