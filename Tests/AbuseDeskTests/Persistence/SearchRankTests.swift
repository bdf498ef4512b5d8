import Foundation
import SQLKit
import Testing
@testable import AbuseDesk

/// `abusedesk_rank` is FTS5's BM25 wherever it counts a phrase's reports to the end, and past that an
/// estimate that keeps a common phrase's weight near nothing.
@Suite struct SearchRankTests {
    @Test func whileEveryReportIsCountedItIsBM25() async throws {
        try await Seeded.withReports(400, seed: 99) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name == "sqlite" else { return }
            for words in ["login", "urgent bank", "invoice refund", "h11.z2.example", reports[5].id] {
                let query = try #require(SearchWords(words)).fts5Query
                let rows = try await sql.raw("""
                    SELECT rowid, bm25(report_search) AS expected, abusedesk_rank(report_search) AS ranked FROM report_search
                    WHERE report_search MATCH \(bind: query) ORDER BY rowid
                    """).all()
                #expect(!rows.isEmpty, "no report holds \(words)")
                for row in rows {
                    let expected = try row.decode(column: "expected", as: Double.self)
                    let ranked = try row.decode(column: "ranked", as: Double.self)
                    #expect(abs(expected - ranked) < 1e-9 * max(1, abs(expected)), "\(words): bm25 \(expected), ranked \(ranked)")
                }
            }
        }
    }

    /// Words alone, when one of them is rare enough for every match to be ranked, are ranked from one
    /// reading of the index: the same page, in the same order, and the same total as the statement that
    /// ranks them (and as the queue ranks them when every word is common).
    @Test func wordsRankedInOneReadingAnswerAsTheStatementThatRanksThem() async throws {
        try await Seeded.withReports(400, seed: 7) { app, _, _, reports in
            let sql = try app.sql
            guard sql.dialect.name == "sqlite" else { return }
            let reader = try QueueReader(app.db)
            for words in ["login", "urgent bank", "h11.z2.example", "invoice refund login", reports[9].id, "nothing-holds-this"] {
                let query = try #require(SearchWords(words))
                let matching = try await sql.raw("SELECT COUNT(*) AS n FROM report_search WHERE report_search MATCH \(bind: query.fts5Query)")
                    .first(decodingColumn: "n", as: Int.self)
                for bestFirst in [true, false] {
                    let expected = try await sql.raw("""
                        SELECT report_search_rows.report_id AS id FROM report_search JOIN report_search_rows ON report_search_rows.id = report_search.rowid
                        WHERE report_search MATCH \(bind: query.fts5Query)
                        ORDER BY abusedesk_rank(report_search) \(unsafeRaw: bestFirst ? "ASC" : "DESC"), report_search.rowid DESC
                        """).all(decodingColumn: "id", as: String.self)
                    var filter = QueueFilter()
                    filter.words = query
                    for page in [PageRequest(number: 1, size: 50), PageRequest(number: 3, size: 7)] {
                        let (items, total) = try await reader.list(filter, sort: (.relevance, bestFirst), page: page)
                        #expect(items.map(\.id) == Array(expected.dropFirst(page.offset).prefix(page.size)), "\(words), best first: \(bestFirst)")
                        #expect(total == .exact(matching ?? -1), "\(words)")
                    }
                }
            }
        }
    }

    @Test func aPhraseCountedPastTheLimitIsEstimatedFromHowFarTheCountGot() {
        let rows: Int64 = 1_000_000, counted = SearchRank.countedUpTo
        // Its first 2,000 reports end a fifth of the way in: about 10,000 of a million, a rare word's weight.
        let fifth = SearchRank.inverseFrequency(foundIn: counted, lastRowID: rows / 5, among: rows)
        #expect(abs(fifth - log((Double(rows) - 10_000 + 0.5) / (10_000 + 0.5))) < 1e-9)
        // Found in every other report: the count ends 4,000 in, and the phrase weighs next to nothing.
        #expect(SearchRank.inverseFrequency(foundIn: counted, lastRowID: 4_000, among: rows) == 1e-6)
        // Never estimated below what was counted, nor above every report.
        #expect(SearchRank.inverseFrequency(foundIn: counted, lastRowID: rows * 2, among: rows)
                == SearchRank.inverseFrequency(foundIn: counted, lastRowID: 0, among: rows))
        #expect(SearchRank.inverseFrequency(foundIn: counted, lastRowID: 1, among: rows) == 1e-6)
        // Counted to the end: exactly BM25's weight.
        #expect(SearchRank.inverseFrequency(foundIn: 37, lastRowID: 0, among: 1_000) == log((1_000 - 37 + 0.5) / 37.5))
    }

    @Test func theBestMatchComesFirstAndOnlyTheNewestMatchesAreRanked() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let world = try await AccountsWorld(app)
            // A report that says the word three times, then twenty that say it once, a second apart.
            let best = try await world.fileURLReport("https://refund.example.com/refund/refund")
            var others: [String] = []
            for n in 0..<20 {
                clock.advance(by: 1)
                others.append(try await world.fileURLReport("https://shop\(n).example.net/refund"))
            }
            let reader = try QueueReader(app.db)
            var filter = QueueFilter()
            filter.words = SearchWords("refund")
            let ranked = try await reader.list(filter, sort: (.relevance, true), page: PageRequest(number: 1, size: 50))
            #expect(ranked.items.first?.id == best)
            #expect(ranked.items.count == 21 && ranked.total == .exact(21))
            // Ranking the newest ten: the oldest match is not among them, though the total counts it.
            let window = try QueueReader(app.db, rankedMatches: 10)
            let newest = try await window.list(filter, sort: (.relevance, true), page: PageRequest(number: 1, size: 50))
            #expect(Set(newest.items.map(\.id)) == Set(others.suffix(10)))
            #expect(newest.total == .exact(21))
        }
    }
}
