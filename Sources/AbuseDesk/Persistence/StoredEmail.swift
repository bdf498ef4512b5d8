import Foundation
import SQLKit

/// An e-mail of the outbox as the lists show it: a plain value read from a row. A page of fifty read as
/// Fluent models (``OutboxMessageModel``) spent a third of the mail page's time making and freeing their
/// fields' wrappers. The sender reads the e-mails it claims as these too (``ClaimedEmail``).
struct StoredEmail: Sendable, Equatable {
    var id: String
    var reportID: String?
    var accountID: String?
    var audience: String
    var recipient: String
    var subject: String
    var body: String
    var createdAt: Date
    var nextAttemptAt: Date
    var attempts: Int
    var lastError: String?
    var sentAt: Date?
    var failedAt: Date?

    /// The columns a row of ``init(row:)`` holds.
    static let columnNames = ["id", "report_id", "account_id", "audience", "recipient", "subject", "body", "created_at",
                              "next_attempt_at", "attempts", "last_error", "sent_at", "failed_at"]
    /// ``columnNames`` for a SELECT from `outbox_messages` (or its RETURNING).
    static let columns = SQLQueryString(columnNames.joined(separator: ", "))

    init(row: any StoredRow) throws {
        id = try row.string("id")
        reportID = try row.optionalString("report_id")
        accountID = try row.optionalString("account_id")
        audience = try row.string("audience")
        recipient = try row.string("recipient")
        subject = try row.string("subject")
        body = try row.string("body")
        createdAt = try row.date("created_at")
        nextAttemptAt = try row.date("next_attempt_at")
        attempts = try row.integer("attempts")
        lastError = try row.optionalString("last_error")
        sentAt = try row.optionalDate("sent_at")
        failedAt = try row.optionalDate("failed_at")
    }

    /// Where its delivery stands.
    var state: OutboxState { sentAt != nil ? .sent : failedAt != nil ? .failed : attempts > 0 ? .retrying : .queued }
}
