import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// The service's own SQLite connections answer a list's statements as the pool would, never a
/// transaction's, and never one that writes.
@Suite(.enabled(if: !testsUsePostgres, "PostgreSQL has no connections of the service's own: the pool answers"))
struct SQLiteReadConnectionsTests {
    /// A statement of every kind of value, read both ways.
    private static let everyKind: SQLQueryString = """
        SELECT 42 AS whole, 2.5 AS fraction, \(bind: "Bücher ✓") AS text, NULL AS absent, x'00ff10' AS bytes,
               \(bind: Date(timeIntervalSince1970: 1_790_000_000.25)) AS moment, \(bind: true) AS yes
        """

    @Test func aStatementReadOnTheTasksConnectionGivesWhatThePoolGives() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            let pooled = try #require(try await sql.rows(Self.everyKind).first)
            let own = try #require(try await ownRows(app, Self.everyKind).first)
            for row in [pooled, own] {
                #expect(try row.integer("whole") == 42)
                #expect(try row.string("text") == "Bücher ✓")
                #expect(try row.optionalString("absent") == nil)
                #expect(try row.date("moment") == Date(timeIntervalSince1970: 1_790_000_000.25))
                #expect(try row.bool("yes"))
                #expect(row.has("bytes") && !row.has("missing"))
                #expect(throws: StoredRowError.self) { try row.string("missing") }
            }
            // Asked again with other values, the statement kept prepared reads them.
            let again = try await ownRows(app, "SELECT \(bind: "second") AS text")
            #expect(try again.first?.string("text") == "second")
            // A statement whose plan SQLite weighed with a value (a token's look-up, on every request),
            // asked again with other values, is planned once: while its values were cleared after each
            // use, SQLite planned it anew every time. (One connection, so that each use is on it.)
            guard case .sqlite(let path) = app.abuseDesk.config.store else { Issue.record("not SQLite"); return }
            let connections = SQLiteReadConnections()
            try connections.open(path: path, onTask: 0, offTask: 1)
            defer { connections.close() }
            let weighed = """
                SELECT api_tokens.id FROM api_tokens LEFT JOIN operators ON operators.id = api_tokens.operator_id
                WHERE api_tokens.token_hash = ?1 AND (api_tokens.expires_at IS NULL OR api_tokens.expires_at > ?2) AND operators.disabled_at IS NULL
                """
            let before = connections.plannings()
            for n in 0..<4 {
                #expect(try await connections.rows(weighed, [.text("hash \(n)"), .float(1_790_000_000 + Double(n))])?.isEmpty == true)
            }
            #expect(connections.plannings() - before == 1)
            // More statements than a connection keeps prepared: each still answers.
            for n in 0..<300 {
                let rows = try await ownRows(app, "SELECT \(literal: n) AS n")
                #expect(try rows.first?.integer("n") == n)
            }
        }
    }

    @Test func aReportFiledIsListedAtOnceAndATransactionReadsItsOwnWrites() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport("https://shop.example.net/login")
            // Through the service (whose requests use its connections), the report just filed is there.
            let listed = try await world.send(.GET, "/admin/v1/reports?per_page=50", token: world.analystToken)
            #expect(listed.status == .ok && listed.body.string.contains(id))

            let connections = app.abuseDesk.readConnections
            do {
                try await app.db.transaction { database in
                    let sql = try #require(database as? any SQLDatabase)
                    try await sql.raw("UPDATE reports SET reporter_name = 'Changed within' WHERE id = \(bind: id)").run()
                    let seen = try await rows(on: sql, through: connections, "SELECT reporter_name FROM reports WHERE id = \(bind: id)")
                    #expect(try seen.first?.string("reporter_name") == "Changed within", "a transaction reads its own write")
                    throw Rollback()
                }
            } catch is Rollback {}
            let after = try await ownRows(app, "SELECT reporter_name FROM reports WHERE id = \(bind: id)")
            #expect(try after.first?.optionalString("reporter_name") != "Changed within")
        }
    }

    @Test func theConnectionsNeverWriteAndStepAsideWhenClosed() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport("https://shop.example.net/login")
            let connections = app.abuseDesk.readConnections
            #expect(try await connections.rows("SELECT 1 AS n", [])?.first?.integer("n") == 1)
            // A statement that writes is left to the pool, which writes it.
            #expect(try await connections.rows("DELETE FROM reports", []) == nil)
            let updated = try await ownRows(app, "UPDATE reports SET reporter_name = 'Written' WHERE id = \(bind: id) RETURNING id")
            #expect(try updated.first?.string("id") == id)
            #expect(try await ownRows(app, "SELECT reporter_name FROM reports WHERE id = \(bind: id)").first?.string("reporter_name") == "Written")
            // None free (closed, or all in use): the statement goes through the pool.
            let closed = SQLiteReadConnections()
            #expect(try await closed.rows("SELECT 1 AS n", []) == nil)
            let rows = try await SQLiteReadConnections.$current.withValue(closed) { try await app.sql.rows("SELECT 1 AS n") }
            #expect(try rows.first?.integer("n") == 1)
        }
    }

    @Test func whenTheTasksConnectionsAreTakenAStatementRunsOnAThreadOfTheirOwn() async throws {
        try await withTestApp { app in
            let world = try await AccountsWorld(app)
            let id = try await world.fileURLReport("https://shop.example.net/login")
            guard case .sqlite(let path) = app.abuseDesk.config.store else { Issue.record("not SQLite"); return }
            // None for the task's thread: each statement goes to a connection with a thread of its own,
            // where it is prepared once too; one that writes is still left to the pool.
            let offThread = SQLiteReadConnections()
            try offThread.open(path: path, onTask: 0, offTask: 1)
            for _ in 0..<3 {
                let rows = try await rows(on: try app.sql, through: offThread, "SELECT id FROM reports WHERE id = \(bind: id)")
                #expect(try rows.map { try $0.string("id") } == [id])
            }
            #expect(offThread.plannings() == 1)
            #expect(try await offThread.rows("DELETE FROM reports", []) == nil)
            offThread.close()
            #expect(try await offThread.rows("SELECT 1 AS n", []) == nil)
        }
    }

    @Test func aStatementKnownToBeSlowLeavesATasksThreadToTheOthers() async throws {
        try await withTestApp { app in
            guard case .sqlite(let path) = app.abuseDesk.config.store else { Issue.record("not SQLite"); return }
            let connections = SQLiteReadConnections(quickRun: .milliseconds(1))
            try connections.open(path: path, onTask: 1, offTask: 1)
            defer { connections.close() }
            let quick = "SELECT 1 AS n"
            let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000) SELECT count(*) AS n FROM n"
            #expect(connections.known(quick) == nil, "not known before it ran")
            #expect(try await connections.rows(quick, [])?.first?.integer("n") == 1)
            #expect(connections.known(quick) == .quick)
            #expect(try await connections.rows(slow, [])?.first?.integer("n") == 2_000_000)
            #expect(connections.known(slow) == .slow)
            #expect(try await connections.rows("DELETE FROM reports", []) == nil)
            #expect(connections.known("DELETE FROM reports") == .writes)
            // A quick statement may take the last free thread; a slow or unknown one leaves it.
            #expect(SQLiteReadConnections.mayRunOnTask(free: 1, leavingOneFree: false))
            #expect(!SQLiteReadConnections.mayRunOnTask(free: 1, leavingOneFree: true))
            #expect(SQLiteReadConnections.mayRunOnTask(free: 2, leavingOneFree: true))
            #expect(!SQLiteReadConnections.mayRunOnTask(free: 0, leavingOneFree: false))
        }
    }
}

private struct Rollback: Error {}

/// The rows of `query` as a request of `app` reads them: on the service's own connections.
private func ownRows(_ app: Application, _ query: SQLQueryString) async throws -> [any StoredRow] {
    try await rows(on: try app.sql, through: app.abuseDesk.readConnections, query)
}

private func rows(on sql: any SQLDatabase, through connections: SQLiteReadConnections, _ query: SQLQueryString) async throws -> [any StoredRow] {
    try await SQLiteReadConnections.$current.withValue(connections) { try await sql.rows(query) }
}
