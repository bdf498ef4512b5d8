import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// The reports counted per filing day (M018) are the reports each list holds, however the reports change
/// after filing, and a page by its number found from its day is the page a scan of every report finds.
@Suite struct FilingDaysTests {
    @Test func deepPagesFoundFromTheirDayAreTheScansPages() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let operators = try await OperatorModel.query(on: app.db).all().compactMap(\.id)
            var random = SeededRandom(seed: 18)
            // About eight reports a day over seven weeks.
            let seeded = try await Seeded.store(400, accounts: [world.acme, world.other], operators: operators, random: &random,
                                                spacing: 10_800, on: app)
            let sql = try app.sql
            try await Self.changeAfterFiling(seeded.map(\.id), world: world, on: sql)
            let stored = try await Self.reports(on: sql)
            #expect(stored.count == 392)

            // The days counted are those of a scan.
            var expectedDays: [String: Int] = [:]
            for report in stored {
                let day = Int((report.createdAt.timeIntervalSince1970 / FilingDays.secondsPerDay).rounded(.down))
                expectedDays["|queue|\(day)", default: 0] += 1
                if let account = report.accountID, !report.isDenied { expectedDays["\(account)|routed|\(day)", default: 0] += 1 }
                if let account = report.submitterAccountID { expectedDays["\(account)|submitted|\(day)", default: 0] += 1 }
            }
            var counted: [String: Int] = [:]
            for row in try await sql.rows("SELECT account_id, side, day, report_count FROM report_days WHERE report_count <> 0") {
                counted["\(try row.string("account_id"))|\(try row.string("side"))|\(try row.integer("day"))"] = try row.integer("report_count")
            }
            #expect(counted == expectedDays)
            #expect(Set(expectedDays.keys.map { $0.split(separator: "|").last! }).count > 40, "the reports span many days")

            // Every page by its number, found from its day and by skipping, in both directions, one past the end too.
            let fromDays = (reports: try ReportReader(app.db, filingDaysFrom: 0), queue: try QueueReader(app.db, filingDaysFrom: 0))
            let skipping = (reports: try ReportReader(app.db, filingDaysFrom: .max), queue: try QueueReader(app.db, filingDaysFrom: .max))
            for descending in [true, false] {
                func ordered(_ reports: [StoredFiling]) -> [String] {
                    reports.sorted { a, b in
                        a.createdAt == b.createdAt ? (descending ? a.id > b.id : a.id < b.id)
                            : (descending ? a.createdAt > b.createdAt : a.createdAt < b.createdAt)
                    }.map(\.id)
                }
                let customer = ordered(stored.filter { $0.accountID == world.acme && !$0.isDenied })
                let submitted = ordered(stored.filter { $0.submitterAccountID == world.acme })
                let queue = ordered(stored)
                for number in 1...(queue.count / 7 + 2) {
                    let page = PageRequest(number: number, size: 7)
                    func want(_ list: [String]) -> [String] { Array(list.dropFirst(page.offset).prefix(page.size)) }
                    for reader in [fromDays.reports, skipping.reports] {
                        let mine = try await reader.list(.customer, accountID: world.acme, filter: ReportFilter(), sort: (.cdate, descending), page: page)
                        #expect(mine.reports.map(\.id) == want(customer), "customer page \(number), descending \(descending)")
                        #expect(mine.total == customer.count)
                        let theirs = try await reader.list(.submitter, accountID: world.acme, filter: ReportFilter(), sort: (.cdate, descending), page: page)
                        #expect(theirs.reports.map(\.id) == want(submitted), "submitted page \(number), descending \(descending)")
                        #expect(theirs.total == submitted.count)
                    }
                    for reader in [fromDays.queue, skipping.queue] {
                        let items = try await reader.list(QueueFilter(), sort: (.createdAt, descending), page: page).items
                        #expect(items.map(\.id) == want(queue), "queue page \(number), descending \(descending)")
                    }
                }
            }
        }
    }

    /// What happens to reports after filing, each change of what a list holds: denied, closed with a
    /// reason, accepted again, routed elsewhere or to nobody, submitted by an account, removed.
    private static func changeAfterFiling(_ ids: [String], world: AccountsWorld, on sql: any SQLDatabase) async throws {
        for (n, id) in ids.enumerated() {
            if n % 9 == 0 { try await sql.raw("UPDATE reports SET status = 'denied', denial_reason = 'no_abuse_found' WHERE id = \(bind: id)").run() }
            if n % 13 == 0 { try await sql.raw("UPDATE reports SET status = 'closed', denial_reason = 'duplicate' WHERE id = \(bind: id)").run() }
            if n % 27 == 0 { try await sql.raw("UPDATE reports SET status = 'accepted', denial_reason = NULL WHERE id = \(bind: id)").run() }
            if n % 11 == 0 { try await sql.raw("UPDATE reports SET account_id = \(bind: world.acme) WHERE id = \(bind: id)").run() }
            if n % 17 == 0 { try await sql.raw("UPDATE reports SET account_id = NULL WHERE id = \(bind: id)").run() }
            if n % 7 == 0 { try await sql.raw("UPDATE reports SET submitter_account_id = \(bind: world.acme) WHERE id = \(bind: id)").run() }
            if n % 8 == 0 { try await sql.raw("UPDATE reports SET notes = 'changed' WHERE id = \(bind: id)").run() }
        }
        // Several reports in one statement (PostgreSQL counts once per statement).
        try await sql.raw("UPDATE reports SET account_id = \(bind: world.other) WHERE id IN (\(binds: Array(ids[100..<140])))").run()
        let dayLater: SQLQueryString = sql.dialect.name == "sqlite" ? "created_at + 86400" : "created_at + INTERVAL '1 day'"
        try await sql.raw("UPDATE reports SET created_at = " + dayLater + " WHERE id IN (\(binds: Array(ids[200..<204])))").run()
        try await sql.raw("DELETE FROM reports WHERE id IN (\(binds: ids.indices.filter { $0 % 50 == 1 }.map { ids[$0] }))").run()
    }

    private struct StoredFiling {
        var id: String
        var createdAt: Date
        var isDenied: Bool
        var accountID: String?
        var submitterAccountID: String?
    }

    private static func reports(on sql: any SQLDatabase) async throws -> [StoredFiling] {
        try await sql.rows("SELECT id, created_at, status, denial_reason, account_id, submitter_account_id FROM reports").map { row in
            let status = try row.string("status")
            let reason = try row.optionalString("denial_reason") ?? ""
            return StoredFiling(id: try row.string("id"), createdAt: try row.date("created_at"),
                                isDenied: status == "denied" || (status == "closed" && !reason.isEmpty),
                                accountID: try row.optionalString("account_id"), submitterAccountID: try row.optionalString("submitter_account_id"))
        }
    }
}
