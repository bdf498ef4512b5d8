import AbuseDeskCore
import Foundation
import SQLKit

/// Which process sends which queued e-mail (SPEC 10). A process claims a batch of due messages with a
/// lease: its name in `claimed_by`, the lease's end in `claimed_until`. Nobody else claims a message
/// while its lease holds; the sender renews the lease while it works, and gives it back with the
/// outcome. A lease left by a process that stopped runs out and the message is claimed again, so
/// nothing queued is lost; it is sent twice only if the process stopped after the mail server took the
/// message and before the process marked it sent.
///
/// One statement claims, on both stores: PostgreSQL locks the rows it picks and skips those another
/// claimer holds (`FOR UPDATE SKIP LOCKED`); SQLite's one writer makes the statement atomic by itself.
/// Leases are times of the claimers' clocks: the processes' clocks must agree (NTP) to well within a lease.
struct OutboxClaims: Sendable {
    /// This process's name in `claimed_by`.
    let claimant: String
    /// How long a claim holds without renewal.
    let lease: TimeInterval

    static let defaultLease: TimeInterval = 60

    /// A name for this process that no other process shares: its host, process id and a random part.
    static func processName() -> String {
        let host = ProcessInfo.processInfo.hostName.prefix(64)
        return "\(host):\(ProcessInfo.processInfo.processIdentifier):\(Identifier.make(at: Date()).suffix(8))"
    }

    /// Claims at most `limit` due messages, oldest first; each one's `takenOverFrom` names the process
    /// whose lease on it had run out, if one had.
    func claimDue(limit: Int, now: Date, on sql: any SQLDatabase) async throws -> [ClaimedEmail] {
        // Every expression of SET reads the row as it was: taken_over_from is the claimant before this one.
        let rows = try await sql.rows("""
            UPDATE outbox_messages SET claimed_by = \(bind: claimant), claimed_until = \(bind: now.addingTimeInterval(lease)),
              taken_over_from = claimed_by
            WHERE id IN (\(Self.due(limit: limit, now: now, on: sql)))
            RETURNING \(StoredEmail.columns), taken_over_from
            """)
        return try rows.map { ClaimedEmail(email: try StoredEmail(row: $0), takenOverFrom: try $0.optionalString("taken_over_from")) }
            .sorted { ($0.email.createdAt, $0.id) < ($1.email.createdAt, $1.id) }
    }

    /// The ids of the `limit` oldest messages that are due and claimed by nobody (or by a lease that ran
    /// out), locked on PostgreSQL. They are read in filing order from the index of unsent messages (M014):
    /// SQLite would otherwise pick its index of due times and sort every waiting message — inside the
    /// claim's write, with the intake writer waiting for it, while a burst's receipts queue by thousands.
    static func due(limit: Int, now: Date, on sql: any SQLDatabase) -> SQLQueryString {
        let sqlite = sql.dialect.name == "sqlite"
        let table: SQLQueryString = sqlite ? "outbox_messages INDEXED BY outbox_messages_unsent" : "outbox_messages"
        let locking: SQLQueryString = sqlite ? "" : " FOR UPDATE SKIP LOCKED"
        return "SELECT id FROM " + table + """
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= \(bind: now)
              AND (claimed_until IS NULL OR claimed_until <= \(bind: now))
            ORDER BY created_at, id LIMIT \(literal: limit)
            """ + locking
    }

    /// Extends the lease on those of `ids` this process still holds and has not sent; answers them.
    func renew(_ ids: [String], now: Date, on sql: any SQLDatabase) async throws -> Set<String> {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.rows("""
            UPDATE outbox_messages SET claimed_until = \(bind: now.addingTimeInterval(lease))
            WHERE id IN (\(binds: ids)) AND claimed_by = \(bind: claimant) AND sent_at IS NULL
            RETURNING id
            """)
        return Set(try rows.map { try $0.string("id") })
    }

    /// Gives back, unsent and due as they were, those of `ids` this process still holds.
    func release(_ ids: [String], on sql: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        try await sql.raw("""
            UPDATE outbox_messages SET claimed_by = NULL, claimed_until = NULL
            WHERE id IN (\(binds: ids)) AND claimed_by = \(bind: claimant) AND sent_at IS NULL
            """).run()
    }

    /// The mail server took the message: it is sent, whoever holds it now.
    func markSent(_ id: String, at now: Date, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            UPDATE outbox_messages SET sent_at = \(bind: now), last_error = NULL, claimed_by = NULL, claimed_until = NULL
            WHERE id = \(bind: id)
            """).run()
    }

    /// An attempt failed: counted, with the next one due at `retryAt`, or the message given up at `failedAt`;
    /// the claim is given back either way.
    func recordFailure(_ id: String, error: String, retryAt: Date?, failedAt: Date?, on sql: any SQLDatabase) async throws {
        let due: SQLQueryString = retryAt.map { ", next_attempt_at = \(bind: $0)" } ?? ""
        try await sql.raw("""
            UPDATE outbox_messages SET attempts = attempts + 1, last_error = \(bind: error), failed_at = \(bind: failedAt)\(due),
              claimed_by = NULL, claimed_until = NULL
            WHERE id = \(bind: id) AND sent_at IS NULL
            """).run()
    }
}

/// An e-mail a process claimed, and the process whose lease on it had run out, if one had.
struct ClaimedEmail: Sendable {
    let email: StoredEmail
    let takenOverFrom: String?

    var id: String { email.id }
}
