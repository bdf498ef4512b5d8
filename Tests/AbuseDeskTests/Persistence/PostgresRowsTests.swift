import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Testing
import Vapor
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

extension PostgresRowsTests {
    /// A statement holds its connection for as long as it runs and gives it back whether it answered or
    /// failed: three times as many failures as the pool has connections, then statements from more tasks
    /// than it has connections at once, each answered on its own connection in turn. A connection kept
    /// would leave the pool empty, and the next statement would wait out the pool's 30 s.
    @Test func aStatementGivesItsConnectionBackWhetherItAnswersOrFails() async throws {
        try await withTestApp { app in
            let postgres = try #require(app.db as? any PostgresDatabase)
            let connections = 4 * Array(app.eventLoopGroup.makeIterator()).count
            for _ in 0..<(3 * connections) {
                await #expect(throws: PSQLError.self) {
                    _ = try await PostgresRows.rows("SELECT 1 / (CAST($1 AS BIGINT) - 1) AS n", [1], on: postgres, logger: app.logger)
                }
                await #expect(throws: PSQLError.self) {
                    _ = try await PostgresRows.rows("SELECT 1 / (CAST($1 AS BIGINT) - 1) AS n", [1], plan: .kept, on: postgres, logger: app.logger)
                }
            }
            let answers = try await withThrowingTaskGroup(of: Int.self) { group in
                for number in 0..<(2 * connections) {
                    group.addTask {
                        let plan: StatementPlan = number.isMultiple(of: 2) ? .kept : .perValue
                        let rows = try #require(try await PostgresRows.rows("SELECT CAST($1 AS BIGINT) AS n, pg_sleep(0.01)", [number],
                                                                            plan: plan, on: postgres, logger: app.logger))
                        return try rows[0].integer("n")
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.sorted() == Array(0..<(2 * connections)))
        }
    }
}

/// Statements whose plan may be kept are prepared once they come back, run by name, and sent unnamed again
/// when the server will not run them by name.
@Suite(.enabled(if: testsUsePostgres, "only PostgreSQL's statements are prepared"))
struct PostgresPreparedStatementsTests {
    /// Runs `body` on one connection of a test store, with prepared statements of its own.
    private func onOneConnection(capacity: Int, sightings: Int,
                                 _ body: @escaping @Sendable (PostgresPreparedStatements, PostgresConnection) async throws -> Void) async throws {
        try await withTestApp { app in
            let postgres = try #require(app.db as? any PostgresDatabase)
            let statements = PostgresPreparedStatements(capacity: capacity, sightings: sightings)
            try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    // Only this test's statements: the service's own, prepared while it migrated, are forgotten.
                    _ = try await connection.query("DEALLOCATE ALL", logger: connection.logger).get()
                    try await body(statements, connection)
                }
            }.get()
        }
    }

    private func preparedNames(_ connection: PostgresConnection) async throws -> [String] {
        try await connection.query("SELECT name FROM pg_prepared_statements ORDER BY name", logger: connection.logger)
            .get().rows.map { try $0.decode(String.self) }
    }

    @Test func aTextSentAgainIsPreparedAndAnswersAsUnnamed() async throws {
        try await onOneConnection(capacity: 2, sightings: 1) { statements, connection in
            var bindings = PostgresBindings()
            bindings.append(41)
            let text = "SELECT CAST($1 AS BIGINT) + 1 AS n"
            for round in 1...3 {
                let rows = try await statements.rows(text, bindings, types: [.int8], on: connection, logger: connection.logger)
                #expect(try rows.map { try $0.decode(Int.self) } == [42])
                // Sent once unnamed, prepared the second time and run by name after.
                #expect(statements.preparedCount == (round == 1 ? 0 : 1))
            }
            #expect(try await preparedNames(connection).count == 1)
            // Another type for the same text is another statement.
            var text2 = PostgresBindings()
            text2.append("41")
            for _ in 1...2 { _ = try await statements.rows(text, text2, types: [.text], on: connection, logger: connection.logger) }
            #expect(statements.preparedCount == 2)
            // Past its capacity the process sends new texts unnamed, and they still answer.
            for _ in 1...3 {
                let rows = try await statements.rows("SELECT 7 AS n", PostgresBindings(), types: [], on: connection, logger: connection.logger)
                #expect(try rows.map { try $0.decode(Int.self) } == [7])
            }
            #expect(statements.preparedCount == 2)
            #expect(try await preparedNames(connection).count == 2)
        }
    }

    @Test func aStatementWhoseResultChangedShapeIsSentUnnamed() async throws {
        try await onOneConnection(capacity: 4, sightings: 0) { statements, connection in
            _ = try await connection.query("CREATE TABLE shape (a BIGINT)", logger: connection.logger).get()
            _ = try await connection.query("INSERT INTO shape VALUES (1)", logger: connection.logger).get()
            let text = "SELECT * FROM shape"
            let first = try await statements.rows(text, PostgresBindings(), types: [], on: connection, logger: connection.logger)
            #expect(first.first?.count == 1)
            #expect(statements.preparedCount == 1)
            // A migration (here, on the same connection) adds a column: the cached plan no longer fits.
            _ = try await connection.query("ALTER TABLE shape ADD COLUMN b TEXT DEFAULT 'x'", logger: connection.logger).get()
            for _ in 1...2 {
                let rows = try await statements.rows(text, PostgresBindings(), types: [], on: connection, logger: connection.logger)
                #expect(rows.first?.count == 2)
            }
            #expect(statements.preparedCount == 0)
        }
    }

    @Test func aStatementPostgreSQLRefusesGivesItsOwnError() async throws {
        try await onOneConnection(capacity: 4, sightings: 0) { statements, connection in
            for _ in 1...2 {
                await #expect {
                    try await statements.rows("SELECT missing FROM nowhere", PostgresBindings(), types: [], on: connection,
                                              logger: connection.logger)
                } throws: { error in
                    (error as? PSQLError)?.serverInfo?[.sqlState] == "42P01"
                }
            }
            // The connection is still usable.
            let rows = try await statements.rows("SELECT 1 AS n", PostgresBindings(), types: [], on: connection, logger: connection.logger)
            #expect(try rows.map { try $0.decode(Int.self) } == [1])
        }
    }

    @Test func aKeptStatementIsPlannedOnceForEveryValueAndAnswersForEach() async throws {
        try await onOneConnection(capacity: 4, sightings: 0) { statements, connection in
            _ = try await connection.query("CREATE TEMPORARY TABLE looked_up (id TEXT PRIMARY KEY, n BIGINT)", logger: connection.logger).get()
            _ = try await connection.query("INSERT INTO looked_up SELECT 'r' || i, i FROM generate_series(1, 200) AS i", logger: connection.logger).get()
            _ = try await connection.query("ANALYZE looked_up", logger: connection.logger).get()
            for number in 1...12 {
                var bindings = PostgresBindings()
                bindings.append("r\(number)")
                let rows = try await statements.rows("SELECT n FROM looked_up WHERE id = $1", bindings, types: [.text], on: connection,
                                                     logger: connection.logger)
                #expect(try rows.map { try $0.decode(Int.self) } == [number])
            }
            // After five plans for its values, PostgreSQL keeps one: the rest ran without planning.
            let plans = try await connection.query("SELECT generic_plans, custom_plans FROM pg_prepared_statements", logger: connection.logger)
                .get().rows.map { try $0.decode((Int, Int).self) }
            #expect(plans.count == 1)
            #expect(plans.first.map { $0.0 >= 6 && $0.1 <= 5 } == true)
        }
    }

    @Test func theReadersKeepPlansOnlyForStatementsMarkedSo() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            let postgres = try #require(sql as? any PostgresDatabase)
            let kept: SQLQueryString = "SELECT CAST(\(bind: 5) AS BIGINT) + 1 AS n, 'kept-for-test' AS marker"
            let perValue: SQLQueryString = "SELECT CAST(\(bind: 5) AS BIGINT) + 2 AS n, 'per-value-for-test' AS marker"
            for _ in 1...3 {
                #expect(try await sql.rows(kept, plan: .kept).first?.integer("n") == 6)
                #expect(try await sql.rows(perValue).first?.integer("n") == 7)
            }
            let shared = PostgresPreparedStatements.shared
            #expect(shared.prepares(sql.serialize(kept).sql, types: [.int8]))
            #expect(!shared.prepares(sql.serialize(perValue).sql, types: [.int8]))
            // A NULL has no type to prepare with: it is sent unnamed, and answers.
            let absent: String? = nil
            let (text, values) = sql.serialize("SELECT COALESCE(CAST(\(bind: absent) AS TEXT), 'none') AS t" as SQLQueryString)
            for _ in 1...3 {
                let rows = try #require(try await PostgresRows.rows(text, values, plan: .kept, on: postgres, logger: app.logger))
                #expect(try rows.first?.string("t") == "none")
            }
            #expect(!shared.prepares(text, types: [.text]))
            // A statement without values has one plan for whatever mark.
            let constant: SQLQueryString = "SELECT 8 AS n, 'constant-for-test' AS marker"
            for _ in 1...3 { #expect(try await sql.rows(constant).first?.integer("n") == 8) }
            #expect(shared.prepares(sql.serialize(constant).sql, types: []))
        }
    }
}
