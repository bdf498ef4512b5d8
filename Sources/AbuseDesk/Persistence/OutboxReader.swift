import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// Reads the outbox for operators: every e-mail, by where its delivery stands, newest first.
struct OutboxReader {
    let database: any Database

    /// Totals are exact up to this many e-mails past the page's start; above, "at least" (a year of mail
    /// is millions of e-mails, and nobody pages through them all).
    static let countCap = 1_000

    func list(states: [OutboxState], audience: MessageAudience?, page: PageRequest) async throws -> (items: [StoredEmail], total: ListTotal) {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let from = Self.from(states: states, audience: audience, on: sql)
        let cap = page.offset + page.size + Self.countCap
        let count: SQLQueryString = "SELECT COUNT(*) AS n FROM (SELECT 1 AS one" + from + " LIMIT \(literal: cap + 1)) AS mail"
        let order: SQLQueryString = " ORDER BY created_at DESC, id DESC LIMIT \(literal: page.size) OFFSET \(literal: page.offset)"
        let columns = StoredEmail.columns
        if page.offset <= QueueReader.readWholeUpTo {
            // Near the start, the page's e-mails and their total in one statement.
            let (rows, counted) = try await sql.rows(columns + from + order, counted: count)
            return (try rows.map(StoredEmail.init(row:)), .counted(counted, upTo: cap))
        }
        // Deeper, the ids first from the index alone, then the page's e-mails with their bodies.
        let ids = try await sql.rows("SELECT id" + from + order).map { try $0.string("id") }
        guard !ids.isEmpty else { return ([], .counted(try await sql.count(count), upTo: cap)) }
        let (rows, counted) = try await sql.rows(columns + " FROM outbox_messages WHERE id IN (\(binds: ids))", counted: count)
        return (try rows.map(StoredEmail.init(row:)).ordered(as: ids, by: \.id), .counted(counted, upTo: cap))
    }

    /// The FROM and WHERE clause of the e-mails in `states` (any state when empty) to `audience`.
    static func from(states: [OutboxState], audience: MessageAudience?, on sql: any SQLDatabase) -> SQLQueryString {
        var parts: [SQLQueryString] = []
        var table: SQLQueryString = "outbox_messages"
        // E-mails not sent yet are few, and have their own index in filing order (M011); those tried and
        // failed or waiting for a retry are fewer, in an index with the columns that tell them apart (M015).
        // SQLite is told to read it: the sender's index of due e-mails looks better to it, and would leave
        // the page to sort.
        if !states.isEmpty, Set(states).isSubset(of: [.failed, .retrying]) {
            parts.append("sent_at IS NULL AND attempts > 0")
            if sql.dialect.name == "sqlite" { table = "outbox_messages INDEXED BY outbox_messages_retrying" }
        } else if !states.isEmpty, !states.contains(.sent) {
            parts.append("sent_at IS NULL")
            if sql.dialect.name == "sqlite" { table = "outbox_messages INDEXED BY outbox_messages_troubled" }
        }
        if !states.isEmpty {
            let alternatives: [SQLQueryString] = Set(states).sorted { $0.rawValue < $1.rawValue }.map { state in
                switch state {
                case .sent: "sent_at IS NOT NULL"
                case .failed: "(sent_at IS NULL AND failed_at IS NOT NULL)"
                case .retrying: "(sent_at IS NULL AND failed_at IS NULL AND attempts > 0)"
                case .queued: "(sent_at IS NULL AND failed_at IS NULL AND attempts = 0)"
                }
            }
            parts.append("(" + alternatives.joined(separator: " OR ") + ")")
        }
        if let audience { parts.append("audience = \(bind: audience.rawValue)") }
        return " FROM " + table + " WHERE " + (parts.isEmpty ? "TRUE" : parts.joined(separator: " AND "))
    }

    /// What the console's navigation counts: open appeals, and e-mails that failed or wait for a retry
    /// (on every console page, so in one statement, each count read from an index alone; M015).
    func navigationCounts() async throws -> (openAppeals: Int, troubledMail: Int) {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let row = try await sql.rows(Self.navigationQuery(on: sql)).first
        return (try row?.integer("appeals") ?? 0, try row?.integer("mail") ?? 0)
    }

    /// The open appeals and the e-mails that failed or wait for a retry, each counted from an index alone:
    /// the mail as the mail page's failed and retrying lists read it (M015).
    static func navigationQuery(on sql: any SQLDatabase) -> SQLQueryString {
        "SELECT (SELECT COUNT(*) FROM appeals WHERE status = \(bind: AppealStatus.open.rawValue)) AS appeals, "
            + "(SELECT COUNT(*)" + from(states: [.failed, .retrying], audience: nil, on: sql) + ") AS mail"
    }
}
