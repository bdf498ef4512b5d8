import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// Every list of SPEC 9 reads its page in order from an index, on both stores: the queries the readers
/// build, each sort of each list, and the seeks of deep pages. SQLite's plan must name the index and
/// sort nothing (no temporary B-tree); PostgreSQL's, with sorting, bitmaps and whole-table scans priced
/// out (its planner prefers them on a test's few rows), must have no Sort and no sequential scan.
@Suite struct ListPlanTests {
    @Test func everyListReadsItsPageAlongAnIndex() async throws {
        try await Seeded.withReports(200, seed: 9) { app, world, _, reports in
            let sql = try app.sql
            let plans = Plans(database: app.db)
            if sql.dialect.name != "sqlite" {
                // Statistics and visibility as a running store has them, rather than whatever autovacuum
                // happened to gather while the tests ran: the same plans every run.
                try await sql.raw("VACUUM ANALYZE reports, report_targets, report_search, report_days, outbox_messages, appeals").run()
            }

            // The customer's and the submitter's lists, each sort both ways, from the first page and a seek.
            for side in [ReportReader.Side.customer, .submitter] {
                let condition = ReportReader.condition(side, accountID: world.acme, filter: ReportFilter())
                for field in ReportSortField.allCases {
                    for descending in [false, true] {
                        let key = ReportReader.sortExpression(field, side: side)
                        let direction: SQLQueryString = descending ? " DESC" : " ASC"
                        try await plans.expectIndexed("SELECT id FROM reports WHERE " + condition + " ORDER BY " + key + direction
                                                      + (field == .id ? "" : ", id" + direction) + " LIMIT 20", "\(side) by \(field)")
                        let seek = PageSeek(sql: sql, from: " FROM reports WHERE " + condition, key: key, keyIsUnique: field == .id, descending: descending)
                        for query in seek.queries(next: PageAnchor(side: .after, id: reports[50].id), limit: 20) {
                            try await plans.expectIndexed(query, "\(side) by \(field), seeking")
                        }
                    }
                }
            }

            // The queue in each sort, everything and a common status (checked along the sort's index), and seeking.
            let reader = try QueueReader(app.db, selectiveTargets: 10, weighsStoreSize: false)
            var open = QueueFilter()
            open.statuses = [.new, .triage]
            for filter in [QueueFilter(), open] {
                let filtered = try await reader.condition(filter)
                let condition = filtered.condition
                #expect(!filtered.isSorted)
                for field in QueueSortField.allCases where field != .relevance {
                    let key = reader.sortExpression(field, words: nil)
                    try await plans.expectIndexed("SELECT " + reader.pageQuery(from: " FROM reports WHERE " + condition, order: " ORDER BY " + key
                                                  + " DESC, reports.id DESC", page: PageRequest(number: 1, size: 50), sorted: false), "queue by \(field)")
                    let seek = PageSeek(sql: sql, from: " FROM reports WHERE " + condition, key: key, descending: true)
                    for query in seek.queries(next: PageAnchor(side: .before, id: reports[50].id), limit: 50) {
                        try await plans.expectIndexed(query, "queue by \(field), seeking back")
                    }
                }
            }

            // A page deep into a whole list in filing order: its day found along the days' key (M018), and
            // the list read from that day along its index.
            let days = FilingDays(sql: sql)
            for list in [FilingDays.List.queue, .routed(accountID: world.acme), .submitted(accountID: world.acme)] {
                for descending in [true, false] {
                    let lookup = try await plans.plan(days.startQuery(of: list, at: 5_000, descending: descending))
                    #expect(lookup.contains(sql.dialect.name == "sqlite" ? "SEARCH report_days USING PRIMARY KEY" : "report_days_pkey")
                            && !lookup.contains("TEMP B-TREE") && !lookup.contains("Sort") && !lookup.contains("Seq Scan"), "\(list)'s days: \(lookup)")
                }
            }
            let fromDay = try #require(try await days.start(of: .routed(accountID: world.acme), at: 10, descending: false))
            let customer = ReportReader.condition(.customer, accountID: world.acme, filter: ReportFilter())
            try await plans.expectIndexed("SELECT id FROM reports WHERE " + customer + " AND " + fromDay.condition
                                          + " ORDER BY created_at ASC, id ASC LIMIT 20 OFFSET 10", "the customer's list from a day")
            try await plans.expectIndexed("SELECT reports.id FROM reports WHERE TRUE AND " + fromDay.condition
                                          + " ORDER BY reports.created_at DESC, reports.id DESC LIMIT 50 OFFSET 10", "the queue from a day")

            // PostgreSQL searches its full-text index for the rare words alone and checks the common ones
            // (`invoice`, in a third of the reports) on the reports found.
            if sql.dialect.name != "sqlite" {
                var words = QueueFilter()
                words.words = SearchWords("invoice \(reports[77].id)")
                let searched = try await plans.plan("SELECT reports.id FROM reports WHERE " + (try await reader.condition(words)).condition + " LIMIT 50",
                                                  bitmaps: true)
                let searchedFor = searched.split(separator: "\n").filter { $0.contains("Index Cond: (document @@") }
                #expect(searchedFor.count == 1 && searchedFor.allSatisfy { $0.contains(reports[77].id) && !$0.contains("invoice") }
                        && searched.contains("Filter: (COALESCE(document"), "words searched: \(searched)")
            }

            // A rare status: its few reports' ids are sorted, and only the page's rows read after (with the
            // names of their accounts and assignees) — on SQLite in a subquery, PostgreSQL by itself.
            var rare = QueueFilter()
            rare.statuses = [.denied]
            let few = try await QueueReader(app.db, selectiveTargets: 1_000, weighsStoreSize: false).condition(rare)
            #expect(few.isSorted)
            // A status's reports counted in the status's range of its index, from the index alone (M019).
            let statusCount = try await plans.plan(reader.countQuery(" FROM reports WHERE (" + SQLQueryString(QueueReader.statusRank) + ") IN (3)",
                                                                     alongTargets: false, upTo: 1_050))
            #expect(statusCount.contains(sql.dialect.name == "sqlite" ? "COVERING INDEX reports_queue_status" : "Index Only Scan using reports_queue_status"),
                    "a status counted: \(statusCount)")
            // Two of type, threat and incident type counted from one of their indexes alone (M021, M022).
            for pair: SQLQueryString in ["report_type IN ('NETWORK') AND threat_type IN ('IP Address')",
                                         "threat_type IN ('URL') AND incident_type IN ('Phishing')",
                                         "incident_type IN ('Phishing') AND report_type IN ('PHISH')"] {
                let pairCount = try await plans.plan(reader.countQuery(" FROM reports WHERE " + pair, alongTargets: false, upTo: 1_050))
                #expect(pairCount.contains(sql.dialect.name == "sqlite" ? "COVERING INDEX reports_queue_" : "Index Only Scan using reports_queue_"),
                        "a pair counted: \(pairCount)")
            }
            let sortedPage = try await plans.plan("SELECT " + reader.pageQuery(from: " FROM reports WHERE " + few.condition,
                                                                   order: " ORDER BY reports.created_at DESC, reports.id DESC",
                                                                   page: PageRequest(number: 1, size: 50), sorted: true))
            if sql.dialect.name == "sqlite" {
                #expect(sortedPage.contains("LIST SUBQUERY") && sortedPage.contains("SEARCH reports USING INDEX sqlite_autoindex_reports_1 (id=?)")
                        && !sortedPage.contains("SCAN reports"), "a rare status's page: \(sortedPage)")
            }

            // An address's reports (a case file's related reports, the queue filtered by one address) in
            // filing order from the addresses' index, both ways (M012).
            let targets = TargetMatch(sql: sql)
            let address = try #require(IPAddress("203.0.113.7"))
            for descending in [true, false] {
                try await plans.expectIndexed(targets.reportIDsQuery(naming: targets.address(address), excluding: reports[3].id,
                                                                     descending: descending, read: 70), "an address's reports in filing order")
            }

            // A domain's hosts skipped to one by one, and a few hosts' and addresses' reports merged: each
            // read from its own index in filing order, only the merged page sorted.
            let skipping = try await plans.plan(targets.hostsQuery(from: try #require(HostName("z1.example")).reversed, upTo: TargetMatch.mergedKeys))
            #expect(!skipping.contains("SCAN report_targets") && !skipping.contains("Seq Scan"), "the hosts of a domain: \(skipping)")
            let keys = [TargetMatch.Key(column: .address, value: address.indexKey),
                        TargetMatch.Key(column: .host, value: try #require(HostName("www.h4.z1.example")).reversed)]
            let merged = try await plans.plan(targets.reportIDsQuery(at: keys, excluding: reports[3].id, descending: true, read: 70))
            // Merged as they are read, as far as the page needs: nothing sorted.
            #expect(!merged.contains("SCAN report_targets") && !merged.contains("Seq Scan") && !merged.contains("Sort  (")
                    && !merged.contains("TEMP B-TREE") && merged.contains(sql.dialect.name == "sqlite" ? "MERGE (UNION ALL)" : "Merge Append"),
                    "a few keys' reports merged: \(merged)")

            // A domain of many hosts, read as one range of the hosts' index, its namesakes checked entry by
            // entry there: no second range, no table row read (PostgreSQL made a bitmap of the rows of two).
            let domain = try #require(HostName("z1.example"))
            let range = try await plans.plan(targets.reportIDsQuery(naming: targets.host(domain), descending: true, read: 70))
            #expect(!range.contains("MULTI-INDEX OR") && !range.contains("Bitmap") && !range.contains("Seq Scan")
                    && range.contains(sql.dialect.name == "sqlite" ? "host_reversed>? AND host_reversed<?" : "Index Only Scan"),
                    "a domain's targets: \(range)")

            // The mail page, everything and the troubled, the open appeals, and the navigation's counts.
            try await plans.expectIndexed("SELECT id FROM outbox_messages WHERE TRUE ORDER BY created_at DESC, id DESC LIMIT 50", "mail")
            for states in [[OutboxState.failed], [.retrying], [.failed, .retrying], [.queued], [.queued, .failed], [.sent]] {
                let from = OutboxReader.from(states: states, audience: nil, on: sql)
                try await plans.expectIndexed("SELECT id" + from + " ORDER BY created_at DESC, id DESC LIMIT 50", "mail \(states)")
                if states == [.failed], sql.dialect.name != "sqlite" {
                    // PostgreSQL's own index of the failed (M020), which no misjudged count makes dearer than a sort.
                    let failed = try await plans.plan("SELECT id" + from + " ORDER BY created_at DESC, id DESC LIMIT 50")
                    #expect(failed.contains("Index Only Scan Backward using outbox_messages_failed"), "the failed e-mails: \(failed)")
                }
                if !states.contains(.sent), !states.contains(.queued) {
                    // Counted from an index alone (M015; PostgreSQL's failed, M020), no e-mail's row read for its failure or attempts.
                    let count = try await plans.plan("SELECT COUNT(*) AS n FROM (SELECT 1 AS one" + from + " LIMIT 1051) AS mail")
                    let index = sql.dialect.name == "sqlite" ? "COVERING INDEX outbox_messages_retrying"
                        : states == [.failed] ? "Index Only Scan using outbox_messages_failed" : "outbox_messages_retrying"
                    #expect(count.contains(index), "mail \(states) counted: \(count)")
                }
            }
            try await plans.expectIndexed("SELECT id FROM appeals WHERE status = 'open' ORDER BY created_at ASC, id ASC LIMIT 200", "open appeals")
            try await plans.expectIndexed("SELECT id FROM appeals WHERE TRUE ORDER BY created_at DESC, id DESC LIMIT 50", "every appeal (M013)")
            // The navigation's counts, on every console page: the troubled e-mails from their own index alone (M015).
            let navigation = try await plans.plan(OutboxReader.navigationQuery(on: sql))
            #expect(navigation.contains(sql.dialect.name == "sqlite" ? "COVERING INDEX outbox_messages_retrying" : "outbox_messages_retrying")
                    && !navigation.contains("Seq Scan"), "navigation counts: \(navigation)")
            try await plans.expectIndexed(OutboxClaims.due(limit: 50, now: Date(), on: sql), "the e-mails a sender claims, in filing order")
        }
    }

    /// A domain few reports name, on each side: its reports are found by id within the account's and
    /// judged (seen by the side, of the type asked, their filing time for the order) from an index alone,
    /// no row of the table read for each (M016) — under SQLite's statistics of a store of a million reports
    /// (on a test's few rows, it would rightly read the account's whole range instead).
    @Test func aDomainsFewReportsAreJudgedFromTheAccountsIndexAlone() async throws {
        try await Seeded.withReports(200, seed: 9) { app, world, _, _ in
            try await app.db.withConnection { database in
                let sql = database as! any SQLDatabase
                if sql.dialect.name == "sqlite" {
                    try await sql.raw("ANALYZE").run()
                    try await sql.raw("DELETE FROM sqlite_stat1 WHERE tbl IN ('reports', 'report_targets')").run()
                    for (table, index, stat) in Self.millionReports {
                        try await sql.raw("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (\(bind: table), \(bind: index), \(bind: stat))").run()
                    }
                    try await sql.raw("ANALYZE sqlite_schema").run()
                }
                let plans = Plans(database: database)
                let named = "reports.id IN (SELECT report_targets.report_id FROM report_targets WHERE "
                    + TargetMatch(sql: sql).host(try #require(HostName("z1.example"))) + ")"
                for side in [ReportReader.Side.customer, .submitter] {
                    var filter = ReportFilter()
                    filter.types = [.phishing, .general]
                    if side == .submitter { filter.submitterStatuses = [.accepted] }
                    let condition = ReportReader.condition(side, accountID: world.acme, filter: filter, naming: named)
                    for query: SQLQueryString in ["SELECT COUNT(*) AS n FROM reports WHERE " + condition,
                                                  "SELECT id FROM reports WHERE " + condition + " ORDER BY created_at DESC, id DESC LIMIT 20"] {
                        let plan = try await plans.plan(query)
                        let index = side == .customer ? "reports_account_visible" : "reports_submitter_visible"
                        // (PostgreSQL's planner, knowing nothing of a million reports here, reads the few
                        // along the account's list; it must read an index, whichever.)
                        #expect(sql.dialect.name == "sqlite" ? plan.contains("SEARCH reports USING COVERING INDEX \(index) (")
                                                              : plan.contains("Index Only Scan") && !plan.contains("Seq Scan"),
                                "\(side): a domain's few reports: \(plan)")
                    }
                    // The index does not draw the side's whole list away from the index of its order.
                    guard sql.dialect.name == "sqlite" else { continue }
                    try await plans.expectIndexed("SELECT id FROM reports WHERE " + ReportReader.condition(side, accountID: world.acme, filter: filter)
                                                  + " ORDER BY created_at DESC, id DESC LIMIT 20", "\(side), newest first")
                }
            }
        }
    }

    /// SQLite's statistics of the reports' and targets' indexes at a million reports over twenty accounts.
    private static let millionReports: [(String, String, String)] = [
        ("reports", "sqlite_autoindex_reports_1", "1000000 1"),
        ("reports", "reports_account_listing", "1000000 50000 1 1 1 1 1"),
        ("reports", "reports_account_visible", "1000000 50000 1 1 1 1 1"),
        ("reports", "reports_account_type", "1000000 50000 5000 1"),
        ("reports", "reports_account_status", "1000000 50000 25000 1"),
        ("reports", "reports_account_domain_key", "1000000 50000 400 1"),
        ("reports", "reports_submitter_listing", "20000 2000 1 1 1 1 1"),
        ("reports", "reports_submitter_visible", "20000 2000 1 1 1 1 1"),
        ("reports", "reports_submitter_type", "20000 2000 200 1"),
        ("reports", "reports_submitter_status", "20000 2000 1000 1"),
        ("reports", "reports_submitter_domain_key", "20000 2000 50 1"),
        ("reports", "reports_queue_created", "1000000 1 1"),
        ("reports", "reports_queue_updated", "1000000 1 1"),
        ("reports", "reports_queue_type", "1000000 100000 1"),
        ("reports", "reports_queue_domain", "1000000 500 1"),
        ("reports", "reports_queue_status", "1000000 200000 1"),
        ("reports", "reports_queue_severity", "1000000 250000 1"),
        ("reports", "reports_queue_threat", "1000000 100000 100000 50000 1"),
        ("reports", "reports_queue_incident", "1000000 50000 50000 50000 1"),
        ("reports", "reports_assigned_created", "1000000 100000 1"),
        ("report_targets", "report_targets_host_reversed", "1700000 300 1"),
        ("report_targets", "report_targets_ip_key", "3200000 570 1"),
    ]
}

/// Reads and judges query plans on either store.
struct Plans {
    let database: any Database
    var sql: any SQLDatabase { database as! any SQLDatabase }

    /// The plan as text: SQLite's steps, or PostgreSQL's with scans of whole tables and sorts made the
    /// last resort (on a small store they are otherwise cheapest).
    /// `bitmaps` allows PostgreSQL's bitmap scans (the only way it reads a GIN index), which otherwise read
    /// a test's few rows cheapest in no order; `sorts` its sorts, for a statement that sorts the few rows
    /// an index found (priced out, those are read in the sort's order instead and each checked).
    func plan(_ query: SQLQueryString, bitmaps: Bool = false, sorts: Bool = false) async throws -> String {
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("EXPLAIN QUERY PLAN " + query).all()
                .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
        }
        return try await database.transaction { database in
            let sql = database as! any SQLDatabase
            try await sql.raw("SET LOCAL enable_seqscan = off").run()
            if !sorts { try await sql.raw("SET LOCAL enable_sort = off").run() }
            if !bitmaps { try await sql.raw("SET LOCAL enable_bitmapscan = off").run() }
            return try await sql.raw("EXPLAIN " + query).all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "\n")
        }
    }

    func expectIndexed(_ query: SQLQueryString, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let plan = try await plan(query)
        if sql.dialect.name == "sqlite" {
            #expect(plan.contains("USING") && !plan.contains("TEMP B-TREE") && !plan.contains("SCAN reports\n") && !plan.hasSuffix("SCAN reports"),
                    "\(what): \(plan)", sourceLocation: sourceLocation)
        } else {
            #expect(!plan.contains("Sort") && !plan.contains("Seq Scan"), "\(what): \(plan)", sourceLocation: sourceLocation)
        }
    }
}
