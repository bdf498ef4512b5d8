import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// The queue's indexes (M010) never answer differently from reading every report: a few thousand random
/// reports, every filter alone and combined, every sort, a first and a deeper page, and the totals, each
/// compared with a brute-force answer computed here — with the domain and address filters both driving
/// the query and checked report by report, and totals both exact and capped.
@Suite struct QueueAtScaleTests {
    @Test func everyFilterAndSortAnswersAsAScanWould() async throws {
        try await Seeded.withReports(1_500, seed: 20261202) { app, world, operators, reports in
            let sql = try app.sql
            if sql.dialect.name != "sqlite" {
                // PostgreSQL's statistics name the common words, which a search then checks rather than
                // searches for (`SearchWords.documentCondition(common:)`): both ways are compared below.
                try await sql.raw("ANALYZE report_search").run()
                #expect(try await CommonWords.read(on: sql).isSuperset(of: ["example", "invoice", "login"]))
            }

            var filters: [QueueFilter] = [QueueFilter()]
            func add(_ change: (inout QueueFilter) -> Void) { var filter = QueueFilter(); change(&filter); filters.append(filter) }
            add { $0.statuses = [.new, .triage] }
            add { $0.types = [.network] }
            add { $0.threatType = "URL" }
            add { $0.incidentType = "Network Scanning" }
            add { $0.accountID = world.acme }
            add { $0.unassigned = true }
            add { $0.assignee = .nobody }
            add { $0.assignee = .operator(operators[0]) }
            add { $0.domain = HostName("z0.example") }                 // many reports
            add { $0.domain = HostName("h11.z2.example") }             // few, and its subdomains
            add { $0.netblock = Netblock("203.0.113.0/24", strict: false) }
            add { $0.netblock = Netblock("198.51.100.16/28", strict: false) }
            add { $0.words = SearchWords("invoice") }
            add { $0.words = SearchWords("URGENT bank") }
            add { $0.words = SearchWords("h11.z2.example") }            // a phrase
            add { $0.words = SearchWords(reports[77].id) }
            add { $0.createdAfter = reports[300].createdAt; $0.createdBefore = reports[900].createdAt }
            add { $0.statuses = [.new]; $0.domain = HostName("z0.example"); $0.words = SearchWords("login") }
            add { $0.accountID = world.other; $0.netblock = Netblock("203.0.113.0/24", strict: false); $0.types = [.network] }
            add { $0.words = SearchWords("refund"); $0.assignee = .nobody; $0.createdAfter = reports[200].createdAt }

            let sorts: [(QueueSortField, descending: Bool)] = [(.createdAt, true), (.createdAt, false), (.updatedAt, true), (.status, false),
                                                               (.type, false), (.domain, false), (.severity, false), (.domain, true)]
            // As the service reads (a lone domain or block in filing order from its targets), and with the
            // other ways a target filter is read made to serve every filter.
            for (selective, cap, filingOrder, merged, ranked) in [(2_000, 10_000, TargetMatch.readInFilingOrder, TargetMatch.mergedKeys, QueueReader.rankedMatches),
                                                                  (2_000, 100, TargetMatch.readInFilingOrder, 0, QueueReader.rankedMatches),
                                                                  (20, 100, 0, 0, 30)] {
                let reader = try QueueReader(app.db, countCap: cap, selectiveTargets: selective, weighsStoreSize: false, filingOrderTargets: filingOrder,
                                             mergedKeys: merged, rankedMatches: ranked)
                for filter in filters {
                    let expected = reports.filter { $0.matches(filter) }
                    for sort in sorts {
                        let ordered = expected.sorted { Seeded.precedes($0, $1, by: sort.0, descending: sort.1) }
                        // Page 8 lies past `readWholeUpTo`: its ids are read first and its total counted on from it.
                        for page in [PageRequest(number: 1, size: 50), PageRequest(number: 4, size: 20), PageRequest(number: 8, size: 20)] {
                            let (items, total) = try await reader.list(filter, sort: sort, page: page)
                            let want = Array(ordered.dropFirst(page.offset).prefix(page.size)).map(\.id)
                            #expect(items.map(\.id) == want, "\(filter) sorted by \(sort), page \(page.number), targets \(selective)")
                            let limit = page.offset + page.size + cap
                            #expect(total == countedTotal(expected.count, upTo: limit, of: filter), "\(filter): \(expected.count) reports")
                        }
                    }
                    // Paging by anchors, as the console's links do: forward from page 1 along each sort, and
                    // one page back, each page the scan's and the totals counted on from the anchor.
                    if selective == 20 {
                        for sort in sorts {
                            let ordered = expected.sorted { Seeded.precedes($0, $1, by: sort.0, descending: sort.1) }.map(\.id)
                            var page = PageRequest(number: 1, size: 20)
                            var items = try await reader.list(filter, sort: sort, page: page).items
                            while page.number < 4, let last = items.last {
                                page = PageRequest(number: page.number + 1, size: 20, anchor: PageAnchor(side: .after, id: last.id))
                                let (next, total) = try await reader.list(filter, sort: sort, page: page)
                                #expect(next.map(\.id) == Array(ordered.dropFirst(page.offset).prefix(20)), "\(filter) \(sort) after, page \(page.number)")
                                let limit = page.offset + page.size + cap
                                #expect(total == countedTotal(expected.count, upTo: limit, of: filter), "\(filter) after")
                                items = next
                            }
                            guard page.number > 2, let first = items.first else { continue }
                            let back = PageRequest(number: page.number - 1, size: 20, anchor: PageAnchor(side: .before, id: first.id))
                            let (previous, total) = try await reader.list(filter, sort: sort, page: back)
                            #expect(previous.map(\.id) == Array(ordered.dropFirst(back.offset).prefix(20)), "\(filter) \(sort) before, page \(back.number)")
                            let start = back.offset + back.size
                            #expect(total == (expected.count - start > back.size + cap && filter != QueueFilter()
                                              ? ListTotal(count: start + back.size + cap, isExact: false) : .exact(expected.count)), "\(filter) before")
                        }
                    }
                    // The best match first: the same reports as a scan finds, of the newest that many.
                    if filter.words != nil {
                        let newest = expected.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(ranked)
                        let (items, _) = try await reader.list(filter, sort: (.relevance, true), page: PageRequest(number: 1, size: 100))
                        #expect(items.count == min(100, newest.count), "\(filter) by relevance, \(expected.count) found")
                        #expect(Set(items.map(\.id)).isSubset(of: Set(newest.map(\.id))), "\(filter) by relevance")
                    }
                }
            }
        }
    }

    /// The whole queue's total is exact at every depth, and an anchor that names no report leaves its page
    /// to its number, as with any filter.
    @Test func theWholeQueuesTotalIsExactAndAnUnknownAnchorPagesByNumber() async throws {
        try await Seeded.withReports(300, seed: 11) { app, _, _, reports in
            let reader = try QueueReader(app.db, countCap: 20, filingDaysFrom: 40)
            let ordered = reports.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.map(\.id)
            for filter in [QueueFilter(), { var open = QueueFilter(); open.statuses = [.new]; return open }()] {
                let expected = filter == QueueFilter() ? ordered
                    : reports.filter { $0.matches(filter) }.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.map(\.id)
                for side in [PageAnchor.Side.before, .after] {
                    let page = PageRequest(number: 3, size: 10, anchor: PageAnchor(side: side, id: Identifier.make(at: Date(timeIntervalSince1970: 1))))
                    let (items, total) = try await reader.list(filter, sort: (.createdAt, true), page: page)
                    #expect(items.map(\.id) == Array(expected.dropFirst(20).prefix(10)), "\(filter) \(side) an unknown anchor")
                    if filter == QueueFilter() { #expect(total == .exact(reports.count)) }
                }
            }
            let deep = try await reader.list(QueueFilter(), sort: (.createdAt, false), page: PageRequest(number: 25, size: 10))
            #expect(deep.items.map(\.id) == Array(ordered.reversed().dropFirst(240).prefix(10)))
            #expect(deep.total == .exact(reports.count))
        }
    }

    /// The customer's list filtered by domain or address reads the targets' indexes, the same reports as a scan.
    @Test func theCustomersDomainFilterAnswersAsAScanWould() async throws {
        try await Seeded.withReports(600, seed: 7) { app, world, _, reports in
            let reader = try ReportReader(app.db)
            for domains in [["z0.example"], ["h11.z2.example"], ["www.h4.z1.example", "h7.z1.example"], ["203.0.113.7"], ["unknown.example"]] {
                let hosts = domains.compactMap { HostName($0)?.value }
                let addresses = domains.compactMap(IPAddress.init)
                let expected = reports.filter { report in
                    report.accountID == world.acme && report.status != .denied
                        && (report.hosts.contains { host in hosts.contains { host == $0 || host.hasSuffix("." + $0) } }
                            || report.addresses.contains { addresses.contains($0) })
                }.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }
                var filter = ReportFilter()
                filter.domains = domains
                for sort in [(ReportSortField.cdate, descending: true), (.domain, descending: false)] {
                    let (page, total) = try await reader.list(.customer, accountID: world.acme, filter: filter, sort: sort, page: PageRequest(number: 1, size: 100))
                    #expect(total == expected.count, "\(domains)")
                    if sort.0 == .cdate {
                        #expect(page.map(\.id) == Array(expected.prefix(100)).map(\.id), "\(domains)")
                        // A later page, and one past the end with the total all the same.
                        for number in [3, expected.count / 7 + 2] {
                            let later = try await reader.list(.customer, accountID: world.acme, filter: filter, sort: sort,
                                                              page: PageRequest(number: number, size: 7))
                            #expect(later.reports.map(\.id) == Array(expected.dropFirst((number - 1) * 7).prefix(7)).map(\.id), "\(domains) page \(number)")
                            #expect(later.total == expected.count, "\(domains) page \(number)")
                        }
                    } else {
                        #expect(expected.count <= 100 && Set(page.map(\.id)) == Set(expected.map(\.id)), "\(domains) by domain")
                        #expect(page.map { $0.domain ?? "" } == page.map { $0.domain ?? "" }.sorted(), "\(domains) by domain")
                    }
                }
            }
        }
    }

    /// A case file's related reports — others naming one of its hosts or addresses, newest first — are the
    /// scan's, whether read from the targets in filing order, fetched by the targets and sorted, or each
    /// report checked in turn.
    @Test func relatedReportsAnswerAsAScanWould() async throws {
        try await Seeded.withReports(500, seed: 17) { app, _, _, reports in
            for (selective, filingOrder, merged) in [(2_000, TargetMatch.readInFilingOrder, TargetMatch.mergedKeys),
                                                     (2_000, TargetMatch.readInFilingOrder, 0), (2_000, 0, 0), (3, 0, 0)] {
                let reader = try QueueReader(app.db, selectiveTargets: selective, weighsStoreSize: false, filingOrderTargets: filingOrder, mergedKeys: merged)
                var found = 0
                defer { #expect(found > 12, "the reports share targets") }
                for report in reports.prefix(12) {
                    let expected = reports.filter { other in
                        other.id != report.id && (!Set(other.hosts).isDisjoint(with: report.hosts) || !Set(other.addresses).isDisjoint(with: report.addresses))
                    }.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(20).map(\.id)
                    let related = try await reader.related(to: report.id).map(\.id)
                    #expect(related == Array(expected), "\(report.id), \(selective), \(filingOrder)")
                    found += related.count
                }
            }
        }
    }

    /// Targets stored before M012 get their report's filing time when it runs, and are read in filing
    /// order as the newer ones are.
    @Test func targetsStoredBeforeTheirFilingTimeWasKeptGetIt() async throws {
        try await Seeded.withReports(120, seed: 12) { app, _, _, reports in
            // On one connection: another's copy of the schema would still name the column it drops.
            try await app.db.withConnection { database in
                try await M012_TargetsInFilingOrder().revert(on: database)
                try await M012_TargetsInFilingOrder().prepare(on: database)
            }
            let sql = try app.sql
            let targets = try await sql.raw("SELECT COUNT(*) AS n FROM report_targets").first()?.decode(column: "n", as: Int.self)
            let unlike = try await sql.raw("""
                SELECT COUNT(*) AS n FROM report_targets JOIN reports ON reports.id = report_targets.report_id
                WHERE report_targets.filed_at IS NULL OR report_targets.filed_at <> reports.created_at
                """).first()?.decode(column: "n", as: Int.self)
            #expect((targets ?? 0) > 120 && unlike == 0, "\(String(describing: targets)) targets, \(String(describing: unlike)) without their time")
            let reader = try QueueReader(app.db)
            for report in reports.prefix(8) {
                let expected = reports.filter { other in
                    other.id != report.id && (!Set(other.hosts).isDisjoint(with: report.hosts) || !Set(other.addresses).isDisjoint(with: report.addresses))
                }.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(20).map(\.id)
                #expect(try await reader.related(to: report.id).map(\.id) == Array(expected), "\(report.id)")
            }
        }
    }

    /// The customer's and the submitter's lists, in every sort, paged by number and by anchors forward and
    /// back, are the pages a scan finds.
    @Test func theAccountListsPageByAnchorsAsByNumbers() async throws {
        try await Seeded.withReports(700, seed: 11) { app, world, _, _ in
            let reader = try ReportReader(app.db)
            for sort in ReportSortField.allCases.flatMap({ [($0, descending: false), ($0, descending: true)] }) {
                var numbered: [String] = []
                for number in 1...6 {
                    numbered += try await reader.list(.customer, accountID: world.acme, filter: ReportFilter(), sort: sort,
                                                      page: PageRequest(number: number, size: 17)).reports.map(\.id)
                }
                var anchored: [String] = []
                var page = PageRequest(number: 1, size: 17)
                while page.number <= 6 {
                    let found = try await reader.list(.customer, accountID: world.acme, filter: ReportFilter(), sort: sort, page: page).reports
                    anchored += found.map(\.id)
                    guard let last = found.last else { break }
                    page = PageRequest(number: page.number + 1, size: 17, anchor: PageAnchor(side: .after, id: last.id))
                }
                #expect(anchored == numbered, "\(sort)")
                let back = try await reader.list(.customer, accountID: world.acme, filter: ReportFilter(), sort: sort,
                                                 page: PageRequest(number: 4, size: 17, anchor: PageAnchor(side: .before, id: numbered[68])))
                #expect(back.reports.map(\.id) == Array(numbered[51..<68]), "\(sort) back")
                // Ties (many reports share a type or a status) are broken by id, so the order is total.
                #expect(Set(numbered).count == numbered.count, "\(sort)")
            }
        }
    }

    /// The plans the queue's main queries take at any size: read along an index, never a scan of every
    /// report followed by a sort.
    @Test func theMainQueriesReadAlongAnIndex() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            guard sql.dialect.name == "sqlite" else { return }
            func plan(_ query: SQLQueryString) async throws -> String {
                try await sql.raw("EXPLAIN QUERY PLAN " + query).all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            let newest = try await plan("SELECT reports.id FROM reports WHERE reports.status IN ('new', 'triage') ORDER BY reports.created_at DESC, reports.id DESC LIMIT 50")
            #expect(newest.contains("reports_queue_created") && !newest.contains("TEMP B-TREE"), "\(newest)")
            let bySeverity = try await plan("SELECT reports.id FROM reports ORDER BY \(unsafeRaw: QueueReader.severityRank) ASC, reports.id ASC LIMIT 50")
            #expect(bySeverity.contains("reports_queue_severity") && !bySeverity.contains("TEMP B-TREE"), "\(bySeverity)")
            let byStatus = try await plan("SELECT reports.id FROM reports ORDER BY \(unsafeRaw: QueueReader.statusRank) DESC, reports.id DESC LIMIT 50")
            #expect(byStatus.contains("reports_queue_status") && !byStatus.contains("TEMP B-TREE"), "\(byStatus)")
            let text = try await plan("""
                SELECT reports.id FROM report_search JOIN report_search_rows ON report_search_rows.id = report_search.rowid
                JOIN reports ON reports.id = report_search_rows.report_id WHERE report_search MATCH '"invoice"' ORDER BY report_search.rowid DESC LIMIT 50
                """)
            #expect(text.contains("VIRTUAL TABLE") && !text.contains("TEMP B-TREE"), "\(text)")
            let domain = try await plan("""
                SELECT reports.id FROM reports WHERE reports.id IN (SELECT report_targets.report_id FROM report_targets
                WHERE report_targets.host_reversed = 'example.z0' OR (report_targets.host_reversed > 'example.z0.' AND report_targets.host_reversed < 'example.z0/'))
                ORDER BY reports.created_at DESC, reports.id DESC LIMIT 50
                """)
            #expect(domain.contains("report_targets_host_reversed") && !domain.contains("SCAN report_targets"), "\(domain)")
        }
    }

    /// The console's page links carry the neighbouring report, and following them shows the pages the
    /// page numbers alone show.
    @Test func theConsolesPageLinksSeek() async throws {
        try await Seeded.withReports(130, seed: 3) { app, _, _, _ in
            var browser = ConsoleBrowser(app: app)
            #expect(try await browser.signIn("analyst@abusedesk.test").status == .seeOther)
            func ids(_ html: String) -> [String] {
                html.components(separatedBy: #"name="report_ids" value=""#).dropFirst().map { String($0.prefix(Identifier.length)) }
            }
            func link(_ html: String, _ rel: String) throws -> String {
                let tail = try #require(html.components(separatedBy: #"rel="\#(rel)""#).first?.components(separatedBy: #"<a href=""#).last)
                return String(tail.prefix { $0 != "\"" }).replacingOccurrences(of: "&amp;", with: "&")
            }
            let query = "/console/reports?status=new&status=triage&status=accepted&status=denied&sort=type,asc&per_page=20"
            var pages: [[String]] = []
            for number in 1...3 { pages.append(ids(try await browser.get(query + "&page=\(number)").body.string)) }
            let first = try await browser.get(query).body.string
            let next = try link(first, "next")
            #expect(next.contains("page=2") && next.contains("after=\(pages[0].last ?? "")"), "\(next)")
            let second = try await browser.get(next).body.string
            #expect(ids(second) == pages[1])
            let third = try await browser.get(try link(second, "next")).body.string
            #expect(ids(third) == pages[2])
            let back = try link(third, "prev")
            #expect(back.contains("page=2") && back.contains("before=\(pages[2].first ?? "")"), "\(back)")
            #expect(ids(try await browser.get(back).body.string) == pages[1])
            #expect(try link(second, "prev").contains("page=1") && !(try link(second, "prev").contains("before=")), "page 1 needs no anchor")
        }
    }

    /// A filter on a common status or type reads along the sort's index (SQLite is kept from the filter's
    /// own index, which would have it sort half the store); a rare one reads its reports from its index.
    /// In a small store, a status a third of the reports have is walked along the sort's index (a page
    /// within some 150 reports) rather than its 200 reports sorted; one a sixth have, beside 600 reports,
    /// is still few enough to sort. At a million, both would be sorted up to 2,000.
    @Test func aValueOfManyReportsInASmallStoreIsWalkedNotSorted() async throws {
        try await Seeded.withReports(600, seed: 31) { app, _, _, reports in
            let sql = try app.sql
            if sql.dialect.name != "sqlite" { try await sql.raw("ANALYZE reports").run() }
            let reader = try QueueReader(app.db)
            for status in [ReportStatus.new, .denied] {
                var filter = QueueFilter()
                filter.statuses = [status]
                let named = reports.filter { $0.status == status }.count
                let isSorted = try await reader.condition(filter).isSorted
                #expect(isSorted == (named * named <= 25 * 600), "\(status): \(named) of 600 reports")
            }
        }
    }

    @Test func commonAndRareFiltersReadTheIndexThatFindsAPageSoonest() async throws {
        try await Seeded.withReports(300, seed: 5) { app, _, _, _ in
            let sql = try app.sql
            guard sql.dialect.name == "sqlite" else { return }
            func plan(_ filter: QueueFilter, selective: Int) async throws -> String {
                let reader = try QueueReader(app.db, selectiveTargets: selective, weighsStoreSize: false)
                let condition = try await reader.condition(filter).condition
                return try await sql.raw("EXPLAIN QUERY PLAN SELECT reports.id FROM reports WHERE " + condition
                    + " ORDER BY reports.created_at DESC, reports.id DESC LIMIT 50").all()
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            var filter = QueueFilter()
            filter.types = [.network]
            filter.statuses = [.new, .triage]
            filter.incidentType = "Network Scanning"
            filter.threatType = "IP Address"
            let common = try await plan(filter, selective: 20)
            #expect(common.contains("reports_queue_created") && !common.contains("TEMP B-TREE"), "\(common)")
            for (name, change) in [("reports_queue_type", { (f: inout QueueFilter) in f.types = [.network] }),
                                   ("reports_queue_status", { $0.statuses = [.denied] }),
                                   ("reports_queue_incident", { $0.incidentType = "Network Scanning" }),
                                   ("reports_queue_threat", { $0.threatType = "IP Address" })] as [(String, (inout QueueFilter) -> Void)] {
                var rare = QueueFilter()
                change(&rare)
                let found = try await plan(rare, selective: 2_000)
                #expect(found.contains(name), "\(name): \(found)")
            }
            // A block that names many reports is counted along its range of the addresses' index, not by
            // reading every target in the order of their reports' ids — with the statistics of a store of
            // a million reports, under which SQLite would (on this one's it reads the range either way).
            let count = try await app.db.withConnection { database in
                let sql = database as! any SQLDatabase
                try await sql.raw("ANALYZE").run()
                try await sql.raw("DELETE FROM sqlite_stat1 WHERE tbl = 'report_targets'").run()
                for (index, stat) in [("report_targets_ip_key", "3256800 572 1"), ("report_targets_host_reversed", "1695192 334 1"),
                                      ("report_targets_source", "1887840 667"), ("report_targets_report", "507104 1 1")] {
                    try await sql.raw("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('report_targets', \(bind: index), \(bind: stat))").run()
                }
                try await sql.raw("ANALYZE sqlite_schema").run()
                let reader = try QueueReader(database, selectiveTargets: 1, weighsStoreSize: false)
                var block = QueueFilter()
                block.netblock = try #require(Netblock("203.0.113.0/28"))
                let alongTargets = try #require(try await reader.condition(block).countedAlongTargets)
                return try await sql.raw("EXPLAIN QUERY PLAN " + reader.countQuery(alongTargets, alongTargets: true, upTo: 1_050)).all()
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "\n")
            }
            #expect(count.contains("report_targets_ip_key (ip_key>? AND ip_key<?)"), "\(count)")
            // Its first targets from the index alone (M023), not each looked up in the table.
            #expect(!count.contains("SEARCH report_targets USING INDEX report_targets_ip_key"), "\(count)")
        }
    }

    @Test func aBlocksFirstTargetsAreCountedFromItsIndexAloneOnPostgreSQL() async throws {
        try await Seeded.withReports(200, seed: 3) { app, _, _, _ in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }  // SQLite's, above
            // The visibility map a running store has, without which no scan reads an index alone.
            try await sql.raw("VACUUM ANALYZE report_targets").run()
            let reader = try QueueReader(app.db, selectiveTargets: 1, weighsStoreSize: false)
            var block = QueueFilter()
            block.netblock = try #require(Netblock("203.0.113.0/24"))
            let alongTargets = try #require(try await reader.condition(block).countedAlongTargets)
            let plan = try await Plans(database: app.db).plan(reader.countQuery(alongTargets, alongTargets: true, upTo: 1_050))
            // The first targets (M025) and the distinct reports both from the index alone, no target looked up.
            #expect(plan.contains("\"position\" = 0"), "\(plan)")
            #expect(plan.contains("Index Only Scan using report_targets_ip_bytes") && !plan.contains("Index Scan using report_targets_ip_bytes"), "\(plan)")
        }
    }

    @Test func theAdminAPISaysWhetherItsTotalIsCappedAndRefusesASearchWithoutWords() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let first = try await world.fileURLReport("https://login.example.com/a")
            _ = try await world.fileIPReport("203.0.113.9")
            let all = try await world.send(.GET, "/admin/v1/reports", token: world.analystToken)
            #expect(try all.json["result_info"]?["total_count"] == 2 && all.json["result_info"]?["total_count_capped"] == false)
            let found = try await world.send(.GET, "/admin/v1/reports?q=LOGIN.Example&sort=relevance,desc", token: world.analystToken)
            #expect(try found.result.arrayValue?.compactMap { $0["id"]?.stringValue } == [first])
            let wordless = try await world.send(.GET, "/admin/v1/reports?q=%21%3F..", token: world.analystToken)
            #expect(wordless.status == .badRequest)
            #expect(try wordless.errorFields == ["q"])
        }
    }

    /// A domain's hosts are skipped to along the index from the domain's name to the character after
    /// its dots; a host whose name merely continues it (`shop-x.example` after `shop.example`) is not one.
    @Test func aDomainIsItsHostsAndSubdomainsNotItsNamesakes() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let own = [try await world.fileURLReport("https://shop.example/a"), try await world.fileURLReport("https://www.shop.example/b")]
            _ = try await world.fileURLReport("https://shop-x.example/c")
            _ = try await world.fileURLReport("https://shop.example.net/d")
            var filter = QueueFilter()
            filter.domain = HostName("shop.example")
            let keys = try #require(try await TargetMatch(sql: try app.sql).keys(host: filter.domain, upTo: TargetMatch.mergedKeys))
            #expect(keys.map(\.value) == ["example.shop", "example.shop.www"])
            let (items, total) = try await QueueReader(app.db).list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 20))
            #expect(Set(items.map(\.id)) == Set(own) && total == .exact(2))
        }
    }

    @Test func aSmallBlockIsItsAddresses() async throws {
        try await withTestApp { app in
            let targets = TargetMatch(sql: try app.sql)
            let block = try #require(Netblock("198.51.100.16/28", strict: false))
            let keys = try #require(try await targets.keys(block: block, upTo: 16)).map(\.value)
            #expect(keys.count == 16 && keys.first == block.address.indexKey && keys.last == block.lastAddress.indexKey)
            #expect(keys == keys.sorted() && Set(keys).count == 16 && keys.allSatisfy { $0.count == 32 })
            #expect(try #require(IPAddress("198.51.100.26")).indexKey == keys[10])
            #expect(try await targets.keys(block: block, upTo: 15) == nil)
            #expect(try await targets.keys(block: try #require(Netblock("2001:db8::/124")), upTo: 32)?.count == 16)
            #expect(try await targets.keys(block: try #require(Netblock("198.51.100.0/23", strict: false)), upTo: 1_000) == nil)
        }
    }

    /// A block's reports counted along their targets count a report once however many of the block's
    /// addresses it names — also where so many do that the targets a count reads first hold fewer
    /// reports than the count needs (PostgreSQL then counts them all).
    @Test func reportsNamingManyAddressesOfABlockAreCountedOnce() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            let start = Date(timeIntervalSince1970: 1_780_000_000)
            // Twenty reports name fifteen addresses each, the first in address order; 25 name the last one.
            for n in 0..<45 {
                let created = start.addingTimeInterval(Double(n) * 60)
                let targets: [JSONValue] = (n < 20 ? Array(0...14) : [15]).map { host in
                    let address = IPAddress("203.0.113.\(host)")!
                    return ["kind": "ip", "source": .string(address.description), "ipKey": .string(address.indexKey)]
                }
                try await sql.insert(into: "reports")
                    .columns("id", "created_at", "updated_at", "channel", "status", "report_type", "threat_type", "incident_type", "reporter_name",
                             "reporter_email", "anonymize", "notes", "routing", "target_count", "targets", "details")
                    .values(SQLBind(Identifier.make(at: created)), SQLBind(created), SQLBind(created), SQLBind("report_api"), SQLBind("new"),
                            SQLBind("NETWORK"), SQLBind("IP Address"), SQLBind("Network Scanning"), SQLBind("Reporter"), SQLBind("r@reporters.example"),
                            SQLBind(false), SQLBind("scan"), SQLBind("{}"), SQLBind(targets.count), SQLBind(JSONValue.array(targets).serialized()),
                            SQLBind("{}"))
                    .run()
            }
            // The whole block holds every report's first target; its upper half only the 25's, the twenty
            // being in it by their later targets (SQLite counts first targets first, M023).
            for block in ["203.0.113.0/28", "203.0.113.8/29"] {
                var filter = QueueFilter()
                filter.netblock = Netblock(block, strict: false)
                filter.statuses = [.new]   // with another filter, so the block is counted along its targets
                for (countCap, expected) in [(10, ListTotal(count: 30, isExact: false)), (40, .exact(45)), (0, ListTotal(count: 20, isExact: false))] {
                    let reader = try QueueReader(app.db, countCap: countCap, selectiveTargets: 20, weighsStoreSize: false)
                    let (items, total) = try await reader.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 20))
                    #expect(items.count == 20)
                    #expect(total == expected, "\(block), count cap \(countCap)")
                }
                var alone = QueueFilter()
                alone.netblock = filter.netblock
                let reader = try QueueReader(app.db, countCap: 40, selectiveTargets: 1, weighsStoreSize: false, filingOrderTargets: 1, mergedKeys: 1)
                #expect(try await reader.list(alone, sort: (.createdAt, true), page: PageRequest(number: 1, size: 20)).total == .exact(45), "\(block) alone")
            }
        }
    }

    /// A list's total as the queue gives it: counted up to `limit`, or exact for the whole queue (its days are counted, M018).
    private func countedTotal(_ count: Int, upTo limit: Int, of filter: QueueFilter) -> ListTotal {
        count > limit && filter != QueueFilter() ? ListTotal(count: limit, isExact: false) : .exact(count)
    }

    @Test func searchWordsAreLettersAndDigits() {
        #expect(SearchWords("  Shop.Example.COM  invoice ")?.phrases == [["shop", "example", "com"], ["invoice"]])
        #expect(SearchWords("shop.example.com")?.fts5Query == "\"shop example com\"")
        #expect(SearchWords("\" OR 1=1 --")?.fts5Query == "\"or\" \"1 1\"", "quotes and operators are not words")
        #expect(SearchWords("?!. -- ''") == nil)
    }
}

/// A deterministic source of choices, so that a failure can be seen again.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random reports written straight into the store (its triggers index targets, words and tallies as
/// they do for the writer), and what a scan of them answers.
enum Seeded {
    struct Report {
        var id: String
        var createdAt: Date
        var updatedAt: Date
        var status: ReportStatus
        var type: ReportType
        var threatType: String
        var incidentType: String
        var severity: String?
        var domain: String?
        var accountID: String?
        var assignedTo: String?
        var hosts: [String]
        var addresses: [IPAddress]
        /// The words search finds, in order.
        var words: [String]

        func matches(_ filter: QueueFilter) -> Bool {
            if !filter.statuses.isEmpty, !filter.statuses.contains(status) { return false }
            if !filter.types.isEmpty, !filter.types.contains(type) { return false }
            if let threat = filter.threatType, threat != threatType { return false }
            if let incident = filter.incidentType, incident != incidentType { return false }
            if let account = filter.accountID, account != accountID { return false }
            if filter.unassigned, accountID != nil { return false }
            switch filter.assignee {
            case .nobody?: if assignedTo != nil { return false }
            case .operator(let id)?: if assignedTo != id { return false }
            case nil: break
            }
            if let domain = filter.domain?.value, !hosts.contains(where: { $0 == domain || $0.hasSuffix("." + domain) }) { return false }
            if let block = filter.netblock, !addresses.contains(where: { block.contains($0) }) { return false }
            if let words = filter.words {
                for phrase in words.phrases where !(0...max(0, self.words.count - phrase.count)).contains(where: { start in
                    start + phrase.count <= self.words.count && Array(self.words[start..<(start + phrase.count)]) == phrase
                }) { return false }
            }
            if let after = filter.createdAfter, !(createdAt > after) { return false }
            if let before = filter.createdBefore, !(createdAt < before) { return false }
            return true
        }
    }

    static func precedes(_ a: Report, _ b: Report, by field: QueueSortField, descending: Bool) -> Bool {
        func rank(_ status: ReportStatus) -> Int { ["new": 0, "triage": 1, "accepted": 2, "denied": 3][status.rawValue] ?? 4 }
        func rank(_ severity: String?) -> Int { ["High": 0, "Medium": 1, "Low": 2][severity ?? ""] ?? 3 }
        func order<T: Comparable>(_ x: T, _ y: T) -> Bool? { x == y ? nil : (descending ? x > y : x < y) }
        let decided: Bool? = switch field {
        case .createdAt, .relevance: order(a.createdAt, b.createdAt)
        case .updatedAt: order(a.updatedAt, b.updatedAt)
        case .status: order(rank(a.status), rank(b.status))
        case .type: order(a.type.rawValue, b.type.rawValue)
        case .domain: order(a.domain ?? "", b.domain ?? "")
        case .severity: order(rank(a.severity), rank(b.severity))
        }
        return decided ?? (descending ? a.id > b.id : a.id < b.id)
    }

    /// A test app with the accounts world and `count` random reports routed among its two accounts.
    static func withReports(_ count: Int, seed: UInt64,
                            _ test: (Application, AccountsWorld, [String], [Report]) async throws -> Void) async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let operators = try await OperatorModel.query(on: app.db).all().compactMap(\.id)
            var random = SeededRandom(seed: seed)
            let reports = try await store(count, accounts: [world.acme, world.other], operators: operators, random: &random, on: app)
            try await test(app, world, operators, reports)
        }
    }

    /// `spacing` apart in filing time (a little more, at random).
    static func store(_ count: Int, accounts: [String], operators: [String], random: inout SeededRandom,
                      spacing: TimeInterval = 7, on app: Application) async throws -> [Report] {
        let vocabulary = ["phishing", "login", "invoice", "malware", "botnet", "spam", "urgent", "bank", "refund", "crypto"]
        let statuses: [ReportStatus] = [.new, .new, .triage, .accepted, .denied, .closed]
        let start = Date(timeIntervalSince1970: 1_780_000_000)
        var reports: [Report] = []
        let sql = try app.sql
        for n in 0..<count {
            let created = start.addingTimeInterval(Double(n) * spacing + Double.random(in: 0..<5, using: &random))
            let id = Identifier.make(at: created)
            let isURL = Bool.random(using: &random)
            var targets: [JSONValue] = []
            var hosts: [String] = []
            var addresses: [IPAddress] = []
            var sources: [String] = []
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                if isURL {
                    let index = Int.random(in: 0..<40, using: &random)
                    let host = (Bool.random(using: &random) ? "www." : "") + "h\(index).z\(index % 3).example"
                    let name = try #require(HostName(host))
                    let source = "https://\(host)/p\(Int.random(in: 0..<9, using: &random))"
                    targets.append(["kind": "url", "source": .string(source), "host": .string(name.value), "hostReversed": .string(name.reversed)])
                    hosts.append(name.value)
                    sources.append(source)
                } else {
                    let text = [
                        "203.0.113.\(Int.random(in: 1...254, using: &random))", "198.51.100.\(Int.random(in: 1...60, using: &random))",
                        "2001:db8::\(Int.random(in: 1...99, using: &random))",
                    ][Int.random(in: 0..<3, using: &random)]
                    let address = try #require(IPAddress(text))
                    targets.append(["kind": "ip", "source": .string(text), "ipKey": .string(address.indexKey)])
                    addresses.append(address)
                    sources.append(text)
                }
            }
            let notes = (0..<3).map { _ in vocabulary[Int.random(in: 0..<vocabulary.count, using: &random)] }.joined(separator: " ") + " ref-\(n)"
            let reporter = ("Reporter \(n % 17)", "r\(n % 23)@reporters.example")
            let report = Report(
                id: id, createdAt: created, updatedAt: created.addingTimeInterval(Double.random(in: 0..<20_000, using: &random)),
                status: statuses[Int.random(in: 0..<statuses.count, using: &random)],
                type: isURL ? [.phishing, .general][Int.random(in: 0..<2, using: &random)] : [.network, .threat][Int.random(in: 0..<2, using: &random)],
                threatType: isURL ? "URL" : "IP Address", incidentType: isURL ? "Social Engineering" : "Network Scanning",
                severity: [nil, "High", "Medium", "Low"][Int.random(in: 0..<4, using: &random)], domain: hosts.first,
                accountID: [accounts[0], accounts[1], nil][Int.random(in: 0..<3, using: &random)],
                assignedTo: Bool.random(using: &random) ? nil : operators[Int.random(in: 0..<operators.count, using: &random)],
                hosts: hosts, addresses: addresses, words: [])
            let text = [id, reporter.0, reporter.1, notes, report.domain ?? "", sources.joined(separator: " ")].joined(separator: " ")
            var stored = report
            stored.words = text.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
            reports.append(stored)
            try await sql.insert(into: "reports")
                .columns("id", "created_at", "updated_at", "channel", "status", "denial_reason", "report_type", "threat_type", "incident_type",
                         "severity", "reporter_name", "reporter_email", "anonymize", "notes", "domain", "account_id", "routing", "target_count",
                         "targets", "details", "assigned_to")
                .values(SQLBind(id), SQLBind(created), SQLBind(report.updatedAt), SQLBind("report_api"), SQLBind(report.status.rawValue),
                        SQLBind(report.status == .denied ? "no_abuse_found" : nil as String?), SQLBind(report.type.rawValue),
                        SQLBind(report.threatType), SQLBind(report.incidentType), SQLBind(report.severity), SQLBind(reporter.0),
                        SQLBind(reporter.1), SQLBind(false), SQLBind(notes), SQLBind(report.domain), SQLBind(report.accountID), SQLBind("{}"),
                        SQLBind(targets.count), SQLBind(JSONValue.array(targets).serialized()), SQLBind("{}"), SQLBind(report.assignedTo))
                .run()
        }
        return reports
    }
}
