import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// The list's `total_count` comes from tallies the database keeps as reports are filed, decided,
/// rerouted and removed; these tests hold the tallies to a count of the reports themselves.
@Suite struct ReportTallyTests {
    @Test func talliesFollowEveryChangeOfAReport() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            var acmeReports: [String] = []
            for path in ["a", "b", "c", "d"] { acmeReports.append(try await world.fileURLReport("https://login.example.com/\(path)")) }
            acmeReports.append(try await world.fileIPReport("203.0.113.9"))
            let otherReport = try await world.fileIPReport("198.51.100.9")
            let unassigned = try await world.fileURLReport("https://nobody.example.org/")
            let submitted = try await world.send(.POST, world.reports(world.acme) + "/abuse_general", token: world.acmeToken, json: [
                "act": "abuse_general", "email": "soc@example.com", "email2": "soc@example.com", "name": "Acme SOC",
                "urls": "https://spam.example.net/offer", "justification": "A spam landing page sent to our users.",
                "host_notification": "send", "owner_notification": "send"])
            #expect(submitted.status == .ok, "\(submitted.body.string)")
            try await Self.expectTalliesMatchReports(app)

            try await world.accept(acmeReports[0])
            try await world.deny(acmeReports[1])
            try await world.deny(otherReport, reason: "incomplete_report")
            try await Self.expectTalliesMatchReports(app)

            // Routed by hand (as an operator does with an unassigned report), and rerouted away.
            let routed = try #require(try await ReportModel.find(unassigned, on: app.db))
            routed.accountID = world.acme
            try await routed.save(on: app.db)
            let moved = try #require(try await ReportModel.find(acmeReports[2], on: app.db))
            moved.accountID = world.other
            try await moved.save(on: app.db)
            try await Self.expectTalliesMatchReports(app)

            try await ReportModel.find(acmeReports[3], on: app.db)?.delete(on: app.db)
            try await Self.expectTalliesMatchReports(app)

            // What the customer is shown agrees with what it can walk through.
            for query in ["", "?status=in_review", "?status=accepted", "?type=PHISH", "?type=NETWORK&status=in_review"] {
                let response = try await world.send(.GET, world.reports(world.acme) + query + (query.isEmpty ? "?" : "&") + "per_page=100",
                                                    token: world.acmeToken)
                #expect(try response.json["result_info"]?["total_count"] == .number(Double(try response.ids().count)), "\(query)")
            }
            let all = try await world.send(.GET, world.reports(world.acme), token: world.acmeToken)
            #expect(Set(try all.ids()) == [acmeReports[0], acmeReports[4], unassigned])
            let submittedList = try await world.send(.GET, world.reports(world.acme) + "/submitted?status=submitted", token: world.acmeToken)
            #expect(try submittedList.json["result_info"]?["total_count"] == 1)

            // Statements that change many reports at once, of several keys and accounts (on PostgreSQL the
            // tallies are kept once per statement): a change that nets to nothing, a status for all, a
            // move of every report, and a removal of several.
            let sql = try #require(app.db as? any SQLDatabase)
            try await sql.raw("UPDATE reports SET notes = notes || ' (read)'").run()
            try await Self.expectTalliesMatchReports(app)
            try await sql.raw("UPDATE reports SET status = 'denied', denial_reason = 'no_abuse_found' WHERE status <> 'denied'").run()
            try await Self.expectTalliesMatchReports(app)
            try await sql.raw("UPDATE reports SET account_id = CASE WHEN account_id = \(bind: world.acme) THEN \(bind: world.other) ELSE \(bind: world.acme) END").run()
            try await Self.expectTalliesMatchReports(app)
            try await sql.raw("DELETE FROM reports WHERE id IN (\(bind: otherReport), \(bind: acmeReports[4]))").run()
            try await Self.expectTalliesMatchReports(app)
        }
    }

    @Test func aStoreWithReportsGetsTalliesWhenTheMigrationRuns() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            for path in ["a", "b", "c"] { _ = try await world.fileURLReport("https://login.example.com/\(path)") }
            let denied = try await world.fileIPReport("203.0.113.10")
            try await world.deny(denied)
            // (M016 replaced one of M011's indexes: it is reverted first and prepared again last. On one
            // connection: another's copy of the schema could still name an index one of them dropped.)
            try await app.db.withConnection { database in
                try await M016_SeeAnAccountsReportFromItsIndex().revert(on: database)
                try await M011_TallyByStatementAndListTheRest().revert(on: database)
                try await M004_CountAndIndexReportLists().revert(on: database)
                try await M004_CountAndIndexReportLists().prepare(on: database)
            }
            try await Self.expectTalliesMatchReports(app)
            try await app.db.withConnection { database in
                try await M011_TallyByStatementAndListTheRest().prepare(on: database)
                try await M016_SeeAnAccountsReportFromItsIndex().prepare(on: database)
            }
            try await world.accept(try await world.fileURLReport("https://login.example.com/d"))
            try await Self.expectTalliesMatchReports(app)
            let list = try await world.send(.GET, world.reports(world.acme), token: world.acmeToken)
            #expect(try list.json["result_info"]?["total_count"] == 4)
        }
    }

    /// Every account's tally, per side, status, denial reason and type, equals a count of its reports.
    static func expectTalliesMatchReports(_ app: Application, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let sql = try #require(app.db as? any SQLDatabase)
        func rows(_ query: SQLQueryString) async throws -> [String: Int] {
            var result: [String: Int] = [:]
            for row in try await sql.raw(query).all() {
                let key = try ["account_id", "side", "status", "denial_reason", "report_type"]
                    .map { try row.decode(column: $0, as: String.self) }.joined(separator: "|")
                let count = try row.decode(column: "n", as: Int.self)
                if count != 0 { result[key] = count }
            }
            return result
        }
        let tallies = try await rows("SELECT account_id, side, status, denial_reason, report_type, report_count AS n FROM report_tallies")
        let counted = try await rows("""
            SELECT account_id, 'routed' AS side, status, COALESCE(denial_reason, '') AS denial_reason, report_type, COUNT(*) AS n
            FROM reports WHERE account_id IS NOT NULL GROUP BY account_id, status, COALESCE(denial_reason, ''), report_type
            UNION ALL
            SELECT submitter_account_id, 'submitted', status, COALESCE(denial_reason, ''), report_type, COUNT(*)
            FROM reports WHERE submitter_account_id IS NOT NULL
            GROUP BY submitter_account_id, status, COALESCE(denial_reason, ''), report_type
            """)
        #expect(!counted.isEmpty, sourceLocation: sourceLocation)
        #expect(tallies == counted, sourceLocation: sourceLocation)
    }
}
