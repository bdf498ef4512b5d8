import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
@testable import AbuseDesk

/// On PostgreSQL the lists' rows come through PostgresNIO's own decoding, with what SQLKit would give.
@Suite(.enabled(if: testsUsePostgres, "only PostgreSQL's rows are read this way"))
struct PostgresRowsTests {
    @Test func aStatementReadByTheDriverGivesWhatSQLKitGives() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            let moment = Date(timeIntervalSince1970: 1_790_000_000.25)
            let absent: String? = nil
            let query: SQLQueryString = """
                SELECT CAST(\(bind: 42) AS BIGINT) AS whole, \(bind: "Bücher ✓") AS text, CAST(\(bind: absent) AS TEXT) AS missing_text,
                       CAST(\(bind: moment) AS TIMESTAMPTZ) AS moment, CAST(\(bind: true) AS BOOLEAN) AS yes
                """
            let (text, values) = sql.serialize(query)
            let postgres = try #require(sql as? any PostgresDatabase)
            let direct = try #require(try await PostgresRows.rows(text, values, on: postgres, logger: app.logger)?.first)
            let kit = try #require(try await sql.rows(query).first)
            for row in [direct, kit] {
                #expect(try row.integer("whole") == 42)
                #expect(try row.string("text") == "Bücher ✓")
                #expect(try row.optionalString("missing_text") == nil)
                #expect(try row.date("moment") == moment)
                #expect(try row.bool("yes"))
                #expect(!row.has("other"))
                #expect(throws: StoredRowError.self) { try row.integer("text") }
            }
            // A value of another kind: SQLKit sends it.
            #expect(try await PostgresRows.rows("SELECT $1::text AS t", [UUID()], on: postgres, logger: app.logger) == nil)
            // A transaction's statements go on its own connection: it reads what it wrote.
            try await app.db.transaction { database in
                let inside = try #require(database as? any SQLDatabase)
                try await inside.raw("CREATE TEMPORARY TABLE scratch (n BIGINT)").run()
                try await inside.raw("INSERT INTO scratch VALUES (7)").run()
                #expect(try await inside.rows("SELECT n FROM scratch").first?.integer("n") == 7)
            }
        }
    }
}
