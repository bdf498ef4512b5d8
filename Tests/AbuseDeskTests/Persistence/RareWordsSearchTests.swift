import Fluent
import Foundation
import SQLKit
import Testing
@testable import AbuseDesk

/// PostgreSQL's searches for a rare word (M024, ``QueueReader/rareWordsPage(_:sort:page:)``): the matches
/// found once in the search index, with the filing time it carries, counted exactly, paged in filing
/// order and ranked — as a scan of the reports and `ts_rank` over their words answer. And words that are
/// all common: counted in the search index alone, and by relevance the newest matches ranked in one statement.
@Suite struct RareWordsSearchTests {
    @Test func rareWordsArePagedCountedAndRankedAsAScanWould() async throws {
        try await Seeded.withReports(1_200, seed: 20261204) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }  // SQLite's full-text index is in filing order itself
            try await sql.raw("ANALYZE report_search").run()
            let common = try await CommonWords.read(on: sql)
            #expect(common.isSuperset(of: ["example", "login", "ref"]))
            // Only the newest two matches ranked, so that the ranking's window is exercised too.
            let ranked = 2
            let reader = try QueueReader(app.db, rankedMatches: ranked)
            // Addresses of a /26 are each in a few reports: more than are ranked, rare all the same.
            let addresses = (1...60).map { "198.51.100.\($0)" }.filter { text in
                var filter = QueueFilter()
                filter.words = SearchWords(text)
                return reports.filter { $0.matches(filter) }.count > ranked && !filter.words!.rareWords(common: common).isEmpty
            }
            let asked = ["ref-77", "77", "ref-1234 urgent", reports[1_000].id + " login", "h3.z0.example 77"] + addresses.prefix(3)
            var searched = 0
            var windowed = 0
            for text in asked {
                let words = try #require(SearchWords(text))
                guard !words.rareWords(common: common).isEmpty else { continue }
                searched += 1
                var filter = QueueFilter()
                filter.words = words
                let expected = reports.filter { $0.matches(filter) }
                if expected.count > ranked { windowed += 1 }
                for descending in [true, false] {
                    let ordered = expected.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: descending) }.map(\.id)
                    for number in 1...4 {
                        let page = PageRequest(number: number, size: 3)
                        let (items, total) = try #require(try await reader.rareWordsPage(words, sort: (.createdAt, descending), page: page))
                        #expect(items.map(\.id) == Array(ordered.dropFirst(page.offset).prefix(page.size)), "\(text), page \(number)")
                        #expect(total == .exact(expected.count), "\(text): \(expected.count) reports")
                    }
                    // The best first (or the worst): the newest two ranked by `ts_rank`, ties the later id first.
                    let newest = expected.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(ranked).map(\.id)
                    let best = try await Self.ranked(newest, by: words, descending: descending, on: sql)
                    let (items, total) = try #require(try await reader.rareWordsPage(words, sort: (.relevance, descending), page: PageRequest(number: 1, size: 10)))
                    #expect(items.map(\.id) == best, "\(text) by relevance")
                    #expect(total == .exact(expected.count))
                }
                // Through the queue's own list, as the console and the admin API ask.
                let listed = try await reader.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 50))
                #expect(listed.items.map(\.id) == expected.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(50).map(\.id))
                #expect(listed.total == .exact(expected.count))
            }
            #expect(searched >= 3 && windowed >= 2, "the rare words asked for")
            // Words that are all common are not searched this way.
            #expect(try await reader.rareWordsPage(try #require(SearchWords("login example")), sort: (.createdAt, true),
                                                   page: PageRequest(number: 1, size: 10)) == nil)
        }
    }

    @Test func theSearchIndexFindsTheMatchesAndTheReportsAreReadByTheirIds() async throws {
        try await Seeded.withReports(300, seed: 7) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }
            let reader = try QueueReader(app.db)
            let words = try #require(SearchWords(reports[42].id))
            for sort in [(QueueSortField.createdAt, true), (.relevance, true)] {
                let statement = reader.rareWordsStatement(words, common: ["example"], sort: sort, page: PageRequest(number: 2, size: 20)).statement
                let plan = try await Plans(database: app.db).plan(statement, bitmaps: true, sorts: true)
                #expect(plan.contains("Bitmap Index Scan on report_search_document"), "\(sort): \(plan)")
                #expect(plan.contains("using reports_pkey on reports"), "\(sort): \(plan)")
                #expect(!plan.contains("Seq Scan"), "\(sort): \(plan)")
            }
        }
    }

    @Test func wordsThatAreAllCommonAreCountedInTheSearchIndexAlone() async throws {
        try await Seeded.withReports(600, seed: 5) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }  // SQLite counts them in FTS5 alone
            try await sql.raw("ANALYZE report_search").run()
            let reader = try QueueReader(app.db)
            let words = try #require(SearchWords("login"))
            #expect(try await reader.commonWords().contains("login"))
            var filter = QueueFilter()
            filter.words = words
            let expected = reports.filter { $0.matches(filter) }.count
            let count = reader.countQuery(try await reader.searchIndexTotal(of: words), alongTargets: false, upTo: 1_000)
            #expect(try await sql.count(count) == expected)
            let plan = try await Plans(database: app.db).plan(count, bitmaps: true)
            #expect(plan.contains(" on report_search") && !plan.contains(" on reports"), "\(plan)")
        }
    }

    @Test func commonWordsByRelevanceAreTheNewestMatchesRankedAsAScanWould() async throws {
        try await Seeded.withReports(600, seed: 20261205) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }  // SQLite ranks from FTS5's own order
            try await sql.raw("ANALYZE report_search").run()
            let ranked = 30, countCap = 40
            let reader = try QueueReader(app.db, countCap: countCap, rankedMatches: ranked)
            for text in ["login", "example login"] {
                let words = try #require(SearchWords(text))
                #expect(words.rareWords(common: try await reader.commonWords()).isEmpty, "\(text): all common")
                var filter = QueueFilter()
                filter.words = words
                let expected = reports.filter { $0.matches(filter) }
                #expect(expected.count > ranked + countCap)
                // The newest thirty matches, ranked by `ts_rank`, ties the later id first (or last).
                let newest = expected.sorted { Seeded.precedes($0, $1, by: .createdAt, descending: true) }.prefix(ranked).map(\.id)
                for descending in [true, false] {
                    let best = try await Self.ranked(newest, by: words, descending: descending, on: sql)
                    // Page 4 lies past the ranked thirty: empty, its total counted alone.
                    for number in 1...4 {
                        let page = PageRequest(number: number, size: 10)
                        let (items, total) = try await reader.list(filter, sort: (.relevance, descending), page: page)
                        #expect(items.map(\.id) == Array(best.dropFirst(page.offset).prefix(page.size)), "\(text), page \(number)")
                        let cap = page.offset + page.size + countCap
                        #expect(total == (expected.count > cap ? ListTotal(count: cap, isExact: false) : .exact(expected.count)), "\(text)")
                    }
                }
                // The matches found along the queue's filing-time index, each looked up in the search index by its id.
                let statement = reader.commonWordsRankedStatement(words, descending: true, page: PageRequest(number: 1, size: 10),
                                                                  counted: "SELECT 0 AS n").statement
                let plan = try await Plans(database: app.db).plan(statement)
                #expect(plan.contains("Backward using reports_queue_created") && plan.contains("using report_search_pkey on report_search"), "\(plan)")
            }
        }
    }

    @Test func theSearchIndexKeepsEachReportsFilingTime() async throws {
        try await Seeded.withReports(60, seed: 11) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name != "sqlite" else { return }
            let differing = """
                SELECT COUNT(*) AS n FROM report_search JOIN reports ON reports.id = report_search.report_id
                WHERE report_search.filed_at <> reports.created_at
                """
            #expect(try await sql.count(SQLQueryString(differing)) == 0)
            #expect(try await sql.count("SELECT COUNT(*) AS n FROM report_search") == 60)
            // A filing time is never changed by the service; were it, the search index follows.
            try await sql.raw("UPDATE reports SET created_at = created_at + INTERVAL '1 day' WHERE id = \(bind: reports[5].id)").run()
            try await sql.raw("UPDATE reports SET notes = 'changed words' WHERE id = \(bind: reports[6].id)").run()
            #expect(try await sql.count(SQLQueryString(differing)) == 0)
        }
    }

    /// `ids` best first (or worst) by `ts_rank` of `words` over their words, as PostgreSQL ranks them, ties
    /// the later id first (or last).
    static func ranked(_ ids: [String], by words: SearchWords, descending: Bool, on sql: any SQLDatabase) async throws -> [String] {
        let ranks = try await Dictionary(uniqueKeysWithValues: ids.isEmpty ? [] : sql.rows(
            "SELECT report_id, ts_rank(document, " + words.tsquery + ") AS rank FROM report_search WHERE report_id IN (\(binds: ids))"
        ).map { (try $0.string("report_id"), try $0.double("rank")) })
        return ids.sorted {
            ranks[$0] != ranks[$1] ? (descending ? ranks[$0]! > ranks[$1]! : ranks[$0]! < ranks[$1]!) : (descending ? $0 > $1 : $0 < $1)
        }
    }
}
