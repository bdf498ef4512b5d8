import Fluent
import SQLKit

/// SQLite's full-text index (M010) in pages of 1,000 bytes rather than FTS5's 4,050. Words together
/// (`report 4242`, or a phrase like `shop42.example.com`) are found by seeking each common word's list of
/// reports to the rare word's: a seek lands on the right page from the page's index and then steps
/// through it entry by entry, about a thousand entries a page for a word in half of a million reports.
/// In pages a quarter the size, each seek steps a quarter as far, and the index is no larger: at a million
/// reports such a search and its count took a quarter of the time. The index is rewritten once in the new
/// pages (3 s at a million reports); what is written after uses them too. PostgreSQL's index is its own.
struct M017_SearchIndexInSmallerPages: AsyncMigration {
    static let pageSize = 1_000

    func prepare(on database: any Database) async throws {
        try await rewrite(database, pageSize: Self.pageSize)
    }

    func revert(on database: any Database) async throws {
        try await rewrite(database, pageSize: 4_050)
    }

    private func rewrite(_ database: any Database, pageSize: Int) async throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("INSERT INTO report_search (report_search, rank) VALUES ('pgsz', \(literal: pageSize))").run()
        try await sql.raw("INSERT INTO report_search (report_search) VALUES ('optimize')").run()
    }
}
