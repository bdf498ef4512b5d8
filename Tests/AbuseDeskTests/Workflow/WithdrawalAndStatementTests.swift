import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

/// What the customer is told and shown (QA findings 7, 18, 19).
@Suite struct WithdrawalAndStatementTests {
    /// Finding 7: a customer told "accepted" never heard that the report was denied or routed away.
    @Test func aCustomerToldAcceptedIsToldWhenItIsWithdrawn() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let denied = try await world.fileURLReport("https://login.example.com/a")
            try await world.accept(denied)
            try await world.deny(denied)
            let routed = try await world.fileURLReport("https://login.example.com/b")
            try await world.accept(routed)
            let moved = try await world.send(.POST, "/admin/v1/reports/\(routed)/route", token: world.analystToken, json: ["account_id": .string(world.other)])
            #expect(moved.status == .ok)
            let mail = try await OutboxMessageModel.query(on: app.db).filter(\.$audience == "customer").sort(\.$createdAt).sort(\.$id).all()
            let toAcme = mail.filter { $0.recipient == "abuse@example.com" }.map(\.subject)
            #expect(toAcme.count == 4)
            #expect(Set(toAcme) == ["Abuse report \(denied) accepted: Phishing", "Abuse report \(denied) withdrawn: Phishing",
                               "Abuse report \(routed) accepted: Phishing", "Abuse report \(routed) withdrawn: Phishing"])
            let withdrawn = try #require(mail.first { $0.subject == "Abuse report \(routed) withdrawn: Phishing" })
            #expect(withdrawn.body.contains("does not concern your account") && withdrawn.accountID == world.acme)
            #expect(!withdrawn.body.contains("Jane Doe"), "nothing more of the report than its id and type")
            #expect(mail.contains { $0.recipient == "abuse@example.net" && $0.subject == "Abuse report \(routed) accepted: Phishing" })
            // The Accounts API's e-mail list shows it: it is what was sent to the customer.
            let denialMail = mail.first { $0.subject == "Abuse report \(denied) withdrawn: Phishing" }
            #expect(denialMail?.body.contains("closed it without action") == true)
            // A report that was never accepted leaves nobody to tell.
            let quiet = try await world.fileURLReport("https://login.example.com/c")
            try await world.deny(quiet)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$reportID == quiet).filter(\.$audience == "customer").count() == 0)
            // A closed account is no place to route to.
            _ = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/close", token: world.adminToken)
            let third = try await world.fileURLReport("https://login.example.com/d")
            #expect(try await world.send(.POST, "/admin/v1/reports/\(third)/route", token: world.analystToken,
                                         json: ["account_id": .string(world.other)]).status == .conflict)
        }
    }

    /// Finding 19: the Accounts API's mitigations left out the statement of reasons, and the default
    /// appeal text held a literal `{report_id}` and promised replies nobody reads.
    @Test func theCustomerSeesTheStatementOfReasons() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let list = try await world.send(.GET, world.reports(world.acme) + "/\(report)/mitigations", token: world.acmeToken)
            let statement = try #require(try list.result["mitigations"]?[0]?["statement"])
            #expect(statement["ground"] == "Terms of service 4.2" && statement["facts"] == "A phishing page." && statement["automated"] == false)
            #expect(statement["appeal"] == .string("Ask for a review through the Accounts API, POST /client/v4/accounts/\(world.acme)/abuse-reports/\(report)/mitigations/appeal, saying why the mitigation should be lifted."))
            let mail = try #require(try await OutboxMessageModel.query(on: app.db).filter(\.$subject ~~ "Mitigation applied").first())
            #expect(mail.body.contains("applies to the URLs matching login.example.com/*") && mail.body.contains(" UTC.\n"))
            #expect(!mail.body.contains("{report_id}") && !mail.body.contains("replying") && !mail.body.contains("T1") && mail.body.contains(report))
            _ = mitigation
        }
    }

    /// Finding 18: a customer could not say why a mitigation was wrong.
    @Test func anAppealSaysWhyInTheCustomersWords() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let report = try await world.fileURLReport()
            try await world.accept(report)
            let mitigation = try await world.mitigate(report)
            let comments = "It was a training page for our staff, behind a login."
            let appeal = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                              json: ["appeals": [["id": .string(mitigation), "reason": "misclassified", "comments": .string(comments)]]])
            #expect(appeal.status == .ok, "\(appeal.body.string)")
            let queue = try await world.send(.GET, "/admin/v1/appeals?status=open", token: world.analystToken)
            #expect(queue.body.string.contains("training page for our staff"))
            var browser = ConsoleBrowser(app: app)
            try await browser.signIn("analyst@abusedesk.test")
            #expect(try await browser.get("/console/appeals").body.string.contains("It was a training page for our staff, behind a login."))
            let tooLong = try await world.send(.POST, world.reports(world.acme) + "/\(report)/mitigations/appeal", token: world.acmeToken,
                                               json: ["appeals": [["id": .string(mitigation), "reason": "misclassified", "comments": .string(String(repeating: "x", count: 2001))]]])
            #expect(try tooLong.status == .badRequest && (tooLong.errorFields) == ["appeals[0].comments"])
        }
    }
}
