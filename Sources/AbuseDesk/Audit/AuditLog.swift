import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Who made a change, as the audit log names them.
enum AuditActor: Sendable, Equatable {
    case `operator`(String)
    case account(String)
    case commandLine
    /// The service itself, e.g. the scheduler activating a mitigation when it is due.
    case system
    /// Someone filing a report through the portal or the public APIs, without an account.
    case reporter

    var name: String {
        switch self {
        case .operator(let id): "operator:\(id)"
        case .account(let id): "account:\(id)"
        case .commandLine: "command-line"
        case .system: "system"
        case .reporter: "reporter"
        }
    }
}

/// What the audit log records changes of.
enum AuditSubject: String, Sendable {
    case report, mitigation, appeal, account, token, `operator`
}

/// One change of state: what it was done to, what happened, the state before and after.
struct AuditChange: Sendable {
    var subject: AuditSubject
    var subjectID: String
    var action: String
    var before: JSONValue = .null
    var after: JSONValue = .null
}

/// The hash-chained audit log (M005). Changes are appended in the transaction that makes them, so a
/// change and its entry are stored together or not at all.
enum AuditLog {
    static let columns = ["sequence", "occurred_at", "actor", "subject_type", "subject_id", "action", "before_state", "after_state",
                          "previous_hash", "hash"]

    /// Appends `change` inside the caller's transaction.
    @discardableResult
    static func append(_ change: AuditChange, by actor: AuditActor, at date: Date, on database: any Database) async throws -> AuditEntry {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard let entry = try await append([(change, actor)], at: date, on: SQLStatements(sql: sql)).first else { throw StoreError.missingAuditHead }
        return entry
    }

    /// Appends several changes in order, inside the caller's transaction. The head row is updated first:
    /// PostgreSQL holds it until the transaction ends and SQLite takes its write lock, so concurrent
    /// appends queue up and each links to the one before. The head moves once for all of them.
    static func append(_ changes: [(AuditChange, AuditActor)], at date: Date, on statements: any IntakeStatements) async throws -> [AuditEntry] {
        guard !changes.isEmpty else { return [] }
        guard let head = try await statements.sql.raw("""
            UPDATE audit_head SET sequence = sequence + \(literal: changes.count) WHERE id = 1 RETURNING sequence, hash
            """).first() else {
            throw StoreError.missingAuditHead
        }
        var sequence = try head.decode(column: "sequence", as: Int.self) - changes.count
        var previous = try head.decode(column: "hash", as: String.self)
        var entries: [AuditEntry] = []
        entries.reserveCapacity(changes.count)
        for (change, actor) in changes {
            sequence += 1
            let entry = AuditEntry(sequence: sequence, previousHash: previous, occurredAt: date, actor: actor.name,
                                   subjectType: change.subject.rawValue, subjectID: change.subjectID, action: change.action,
                                   before: change.before, after: change.after)
            entries.append(entry)
            previous = entry.hash
        }
        try await statements.insert(into: "audit_entries", columns: columns, rows: entries.map { entry in
            [.integer(entry.sequence), .date(entry.occurredAt), .text(entry.actor), .text(entry.subjectType), .text(entry.subjectID),
             .text(entry.action), .text(entry.before.serialized()), .text(entry.after.serialized()), .text(entry.previousHash), .text(entry.hash)]
        })
        try await statements.run("UPDATE audit_head SET hash = \(bind: previous) WHERE id = 1")
        return entries
    }

    /// Every entry about these subjects, oldest first: a report's history with its mitigations and appeals.
    static func history(of subjects: [(AuditSubject, String)], on database: any Database) async throws -> [AuditEntry] {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard !subjects.isEmpty else { return [] }
        let matches: [SQLQueryString] = subjects.map { "(subject_type = \(bind: $0.0.rawValue) AND subject_id = \(bind: $0.1))" }
        let query: SQLQueryString = "SELECT " + selected + " FROM audit_entries WHERE " + matches.joined(separator: " OR ") + " ORDER BY sequence"
        // Looked up by subject, whichever it is: one plan kept (a text per number of subjects).
        return try await sql.rows(query, plan: .kept).map(entry(from:))
    }

    /// What `abusedesk audit verify` reports.
    struct Verification: Sendable {
        var entries: Int
        var headHash: String
        var firstBreak: AuditChain.Break?
    }

    /// Reads the whole log in order, a page at a time, and finds the first broken link if there is one.
    static func verify(on database: any Database, pageSize: Int = 1000) async throws -> Verification {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        var chain = AuditChain()
        while true {
            let page = try await sql.rows("""
                SELECT \(selected) FROM audit_entries WHERE sequence > \(bind: chain.lastSequence) ORDER BY sequence LIMIT \(literal: pageSize)
                """).map(entry(from:))
            for entry in page {
                if let broken = chain.check(entry) { return Verification(entries: chain.lastSequence, headHash: chain.lastHash, firstBreak: broken) }
            }
            if page.count < pageSize { break }
        }
        guard let head = try await sql.raw("SELECT sequence, hash FROM audit_head WHERE id = 1").first() else { throw StoreError.missingAuditHead }
        let broken = chain.checkEnd(headSequence: try head.decode(column: "sequence", as: Int.self),
                                    headHash: try head.decode(column: "hash", as: String.self))
        return Verification(entries: chain.lastSequence, headHash: chain.lastHash, firstBreak: broken)
    }

    /// The columns an entry is read from.
    private static var selected: SQLQueryString { "\(idents: columns, joinedBy: ", ")" }

    private static func entry(from row: any StoredRow) throws -> AuditEntry {
        func json(_ column: String) throws -> JSONValue {
            let text = try row.string(column)
            // An unreadable state is an alteration too: it can no longer give the stored hash.
            return (try? JSONParser.parse(Array(text.utf8), maximumDepth: 64)) ?? .string(text)
        }
        return AuditEntry(sequence: try row.integer("sequence"), occurredAt: try row.date("occurred_at"),
                          actor: try row.string("actor"), subjectType: try row.string("subject_type"),
                          subjectID: try row.string("subject_id"), action: try row.string("action"),
                          before: try json("before_state"), after: try json("after_state"),
                          previousHash: try row.string("previous_hash"), hash: try row.string("hash"))
    }
}
