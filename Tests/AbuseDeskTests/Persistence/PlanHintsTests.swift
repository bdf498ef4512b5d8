import AbuseDeskCore
import Foundation
import NIOCore
import SQLKit
import Testing
@testable import AbuseDesk

/// The counts a list chooses its plan by are remembered for a while, and a remembered count that has
/// gone stale changes the plan, never the page.
@Suite struct PlanHintsTests {
    @Test func aCountIsRememberedForItsLifetimeAndPerValue() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let sql = try app.sql
            func reports(of account: String) -> SQLQueryString {
                "SELECT COUNT(*) AS n FROM reports WHERE account_id = \(bind: account)"
            }
            let hints = PlanHints(lifetime: .hours(1))
            #expect(try await hints.count(reports(of: world.acme), on: sql) == 0)
            _ = try await world.fileURLReport("https://login.example.com/a")
            #expect(try await hints.count(reports(of: world.acme), on: sql) == 0, "remembered, not counted again")
            #expect(try await sql.count(reports(of: world.acme), hints: nil) == 1, "without hints, counted")
            #expect(try await hints.count(reports(of: world.other), on: sql) == 0, "another value is another count")

            let brief = PlanHints(lifetime: .zero)
            #expect(try await brief.count(reports(of: world.acme), on: sql) == 1)
            _ = try await world.fileURLReport("https://login.example.com/b")
            #expect(try await brief.count(reports(of: world.acme), on: sql) == 2, "expired, counted again")

            // A full store forgets rather than grows.
            let small = PlanHints(lifetime: .hours(1), capacity: 2)
            for account in [world.acme, world.other, "no-such-account"] { _ = try await small.count(reports(of: account), on: sql) }
            _ = try await world.fileURLReport("https://login.example.com/c")
            #expect(try await small.count(reports(of: world.acme), on: sql) == 3, "forgotten when the store filled")
        }
    }

    /// That a domain has more hosts than are merged is remembered; which hosts a domain has is not (a new
    /// one would be left out), and the answers are a scan's either way.
    @Test func aDomainOfManyHostsIsRememberedAsManyNotAsItsHosts() async throws {
        try await Seeded.withReports(300, seed: 8) { app, _, _, reports in
            let sql = try app.sql
            let hints = PlanHints(lifetime: .hours(1))
            let reader = try QueueReader(app.db, hints: hints, mergedKeys: 4)
            let targets = TargetMatch(sql: sql, hints: hints)
            for (name, many) in [("z0.example", true), ("h3.z0.example", false)] {
                let domain = try #require(HostName(name))
                var filter = QueueFilter()
                filter.domain = domain
                let expected = reports.filter { $0.matches(filter) }.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }
                for _ in 0..<2 {
                    let (items, total) = try await reader.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 20))
                    #expect(items.map(\.id) == Array(expected.prefix(20)).map(\.id) && total == .exact(expected.count), "\(name)")
                }
                let remembered = hints.recall(targets.hostsQuery(from: domain.reversed, upTo: 4), on: sql)
                #expect(many ? remembered == 5 : remembered == nil, "\(name): \(String(describing: remembered))")
            }
        }
    }

    /// A status counted rare grows common (and back) while its count is remembered: the queue reads it
    /// with the plan of the count it remembers, and the pages and totals are still a scan's.
    @Test func aStaleCountChangesThePlanNotThePage() async throws {
        try await Seeded.withReports(600, seed: 5) { app, _, _, seeded in
            var reports = seeded
            let sql = try app.sql
            var filter = QueueFilter()
            filter.statuses = [.denied]
            let denied = reports.filter { $0.status == .denied }.count
            // Counted rare (exactly as many as drive a query), then a hundred more reports denied.
            let hints = PlanHints(lifetime: .hours(1))
            let reader = try QueueReader(app.db, hints: hints, countCap: 40, selectiveTargets: denied, weighsStoreSize: false)
            func expectScan(_ reader: QueueReader, _ why: String) async throws {
                let expected = reports.filter { $0.matches(filter) }
                for sort in [(QueueSortField.createdAt, descending: true), (.severity, descending: false)] {
                    let ordered = expected.sorted { Seeded.precedes($0, $1, by: sort.0, descending: sort.1) }.map(\.id)
                    for page in [PageRequest(number: 1, size: 50), PageRequest(number: 3, size: 20)] {
                        let (items, total) = try await reader.list(filter, sort: sort, page: page)
                        #expect(items.map(\.id) == Array(ordered.dropFirst(page.offset).prefix(page.size)), "\(why), \(sort), page \(page.number)")
                        let limit = page.offset + page.size + 40
                        #expect(total == (expected.count > limit ? ListTotal(count: limit, isExact: false) : .exact(expected.count)), "\(why)")
                    }
                }
            }
            try await expectScan(reader, "rare")
            let changed = reports.indices.filter { reports[$0].status == .new }.prefix(100)
            for index in changed {
                reports[index].status = .denied
                try await sql.raw("UPDATE reports SET status = 'denied', denial_reason = 'no_abuse_found' WHERE id = \(bind: reports[index].id)").run()
            }
            try await expectScan(reader, "common, remembered rare")
            // Counted common now, then rare again.
            let fresh = try QueueReader(app.db, hints: PlanHints(lifetime: .hours(1)), countCap: 40, selectiveTargets: denied, weighsStoreSize: false)
            _ = try await fresh.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 50))
            for index in changed {
                reports[index].status = .new
                try await sql.raw("UPDATE reports SET status = 'new', denial_reason = NULL WHERE id = \(bind: reports[index].id)").run()
            }
            try await expectScan(fresh, "rare, remembered common")
        }
    }
}
