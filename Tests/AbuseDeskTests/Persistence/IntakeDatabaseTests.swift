import AbuseDeskCore
import FluentSQLiteDriver
import Foundation
import Logging
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// The intake writer's SQLite transactions send their writes without waiting for each answer; they
/// must still commit all of them or none.
@Suite struct IntakeDatabaseTests {
    @Test func writesSentTogetherCommitTogether() async throws {
        try await withIntakeDatabase { database in
            try await database.transaction { statements in
                try await statements.insert(into: "items", columns: ["id", "name"], rows: (1...3).map { [.integer($0), .text("item \($0)")] })
                try await statements.run("UPDATE items SET name = \(bind: "renamed") WHERE id = 2")
                // A read is answered after the writes sent before it.
                let names = try await statements.sql.raw("SELECT name FROM items ORDER BY id").all().map { try $0.decode(column: "name", as: String.self) }
                #expect(names == ["item 1", "renamed", "item 3"])
                try await statements.insert(into: "items", columns: ["id", "name"], rows: [[.integer(4), .text("item 4")]])
            }
            #expect(try await database.names() == ["item 1", "renamed", "item 3", "item 4"])
        }
    }

    @Test func aFailedWriteRollsBackEveryOtherOne() async throws {
        try await withIntakeDatabase { database in
            try await database.insert(into: "items", columns: ["id", "name"], rows: [[.integer(1), .text("kept")]])
            await #expect(throws: (any Error).self) {
                try await database.transaction { statements in
                    try await statements.insert(into: "items", columns: ["id", "name"], rows: [[.integer(2), .text("before")]])
                    try await statements.insert(into: "items", columns: ["id", "name"], rows: [[.integer(1), .text("taken id")]])
                    try await statements.run("UPDATE items SET name = \(bind: "changed") WHERE id = 1")
                    try await statements.insert(into: "items", columns: ["id", "name"], rows: [[.integer(3), .text("after")]])
                }
            }
            #expect(try await database.names() == ["kept"])
            // The connection is out of the failed transaction and takes the next one.
            try await database.transaction { statements in
                try await statements.insert(into: "items", columns: ["id", "name"], rows: [[.integer(2), .text("next")]])
            }
            #expect(try await database.names() == ["kept", "next"])
        }
    }

    @Test func aReportWaitsWhileAnotherConnectionWrites() async throws {
        guard !testsUsePostgres else { return }
        try await withTestApp { app in
            guard case .sqlite(let path) = app.abuseDesk.config.store else { return }
            // Another process (the command line, say) holds the write lock for a moment.
            let other = try await SQLiteConnection.open(storage: .file(path: path), logger: app.logger)
            _ = try await other.query("BEGIN IMMEDIATE")
            let filing = Task { try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip()) }
            try await Task.sleep(for: .milliseconds(300))
            _ = try await other.query("COMMIT")
            try await other.close()
            let response = try await filing.value
            #expect(response.status == .ok, "\(response.body.string)")
            #expect(try await app.count("reports") == 1)
        }
    }
}

private func withIntakeDatabase(_ test: (SQLiteIntakeDatabase) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("abusedesk-intake-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let database = try await SQLiteIntakeDatabase(path: directory + "/store.sqlite", synchronous: .normal, logger: Logger(label: "test"))
    do {
        try await database.run("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        try await test(database)
    } catch {
        await database.close()
        throw error
    }
    await database.close()
}

private extension SQLiteIntakeDatabase {
    func names() async throws -> [String] {
        try await sql.raw("SELECT name FROM items ORDER BY id").all().map { try $0.decode(column: "name", as: String.self) }
    }
}
