import Foundation
import SQLKit
import Testing
@testable import AbuseDesk

/// SQLite's full-text index is kept in few segments, and compacting it changes no answer.
@Suite struct SearchIndexUpkeepTests {
    @Test func compactingMergesTheSegmentsOfReportsFiledOneByOneAndFindsTheSame() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            // Each report filed alone is a transaction of its own, and so a segment; FTS5 merges four of a size.
            for n in 0..<40 { _ = try await world.fileURLReport("https://shop\(n).example.net/refund/\(n % 3 == 0 ? "urgent" : "later")") }
            let upkeep = SearchIndexUpkeep(database: app.db)
            let reader = try QueueReader(app.db)
            func found(_ words: String) async throws -> [String] {
                var filter = QueueFilter()
                filter.words = SearchWords(words)
                return try await reader.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 50)).items.map(\.id)
            }
            let searches = ["refund", "urgent", "shop7.example.net", "example net refund"]
            var before: [[String]] = []
            for words in searches { before.append(try await found(words)) }
            #expect(before.map(\.count) == [40, 14, 1, 40])

            guard let segments = try await upkeep.segments() else {
                // PostgreSQL keeps its GIN index itself: nothing to merge, nothing counted.
                #expect(try await upkeep.compact() == 0)
                return
            }
            #expect(segments > 2, "40 reports filed one by one are in \(segments) segments")
            #expect(try await upkeep.compact() > 0)
            let after = try #require(try await upkeep.segments())
            #expect(after <= 2 && after < segments, "\(segments) segments became \(after)")
            // Merged as soon as two of a size exist, the setting kept in the index for every later merge.
            let sql = try app.sql
            #expect(try await sql.count("SELECT COUNT(*) AS n FROM report_search_config WHERE k = 'usermerge' AND v = 2") == 1)
            for (words, expected) in zip(searches, before) { #expect(try await found(words) == expected, "\(words)") }
            // Compact already: a pass merges nothing and writes nothing.
            #expect(try await upkeep.compact() == 0)
            // A step's budget spent, the pass stops where it is; the next one goes on.
            for n in 0..<12 { _ = try await world.fileURLReport("https://late\(n).example.org/refund") }
            #expect(try await upkeep.compact(budget: .zero) == 0)
            #expect(try await upkeep.compact() > 0)
            #expect(try await found("refund").count == 50)
        }
    }

    /// The index is in pages of 1,000 bytes (M017): rewritten so on a store that has reports, finding
    /// what it found before, and kept so for what is written and merged after.
    @Test func theIndexIsRewrittenInSmallerPagesAndFindsTheSame() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            guard sql.dialect.name == "sqlite" else { return }
            let world = try await AccountsWorld(app)
            for n in 0..<30 { _ = try await world.fileURLReport("https://shop\(n).example.net/refund/\(n % 3 == 0 ? "urgent" : "later")") }
            let reader = try QueueReader(app.db)
            func found(_ words: String) async throws -> [String] {
                var filter = QueueFilter()
                filter.words = SearchWords(words)
                return try await reader.list(filter, sort: (.createdAt, true), page: PageRequest(number: 1, size: 50)).items.map(\.id)
            }
            func pageSize() async throws -> Int { try await sql.count("SELECT v AS n FROM report_search_config WHERE k = 'pgsz'") }
            #expect(try await pageSize() == M017_SearchIndexInSmallerPages.pageSize)
            let searches = ["refund urgent", "shop7.example.net", "example net"]
            var before: [[String]] = []
            for words in searches { before.append(try await found(words)) }
            #expect(before.map(\.count) == [10, 1, 30])
            try await app.db.withConnection { database in
                try await M017_SearchIndexInSmallerPages().revert(on: database)
                #expect(try await (database as! any SQLDatabase).count("SELECT v AS n FROM report_search_config WHERE k = 'pgsz'") == 4_050)
                try await M017_SearchIndexInSmallerPages().prepare(on: database)
            }
            #expect(try await pageSize() == M017_SearchIndexInSmallerPages.pageSize)
            for (words, expected) in zip(searches, before) { #expect(try await found(words) == expected, "\(words)") }
            for n in 0..<8 { _ = try await world.fileURLReport("https://late\(n).example.org/refund/urgent") }
            _ = try await SearchIndexUpkeep(database: app.db).compact()
            #expect(try await pageSize() == M017_SearchIndexInSmallerPages.pageSize)
            #expect(try await found("refund urgent").count == 18)
        }
    }
}
