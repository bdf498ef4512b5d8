import AbuseDeskCore
import Fluent
import Foundation

/// An e-mail waiting to be delivered, or delivered (`sentAt`).
// See ReportModel for why this is @unchecked Sendable.
final class OutboxMessageModel: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @OptionalField(key: "report_id") var reportID: String?
    @OptionalField(key: "account_id") var accountID: String?
    @Field(key: "audience") var audience: String
    @Field(key: "recipient") var recipient: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// When the sender gave up on the message (refused for good, or too many attempts); an operator can retry it.
    @OptionalField(key: "failed_at") var failedAt: Date?
    /// The lower-cased recipient of a reporter's receipt (nil for every other e-mail): counted against
    /// that address's hourly budget.
    @OptionalField(key: "receipt_to") var receiptTo: String?
    /// The process sending the message now, and until when its claim holds (see ``OutboxClaims``).
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    /// The process whose claim had run out when the message was last claimed (it stopped mid-send).
    @OptionalField(key: "taken_over_from") var takenOverFrom: String?

    init() {}

    /// A message queued now, due at once.
    init(_ message: OutgoingMessage, now: Date) {
        id = Identifier.make(at: now)
        reportID = message.reportID
        accountID = message.accountID
        audience = message.audience.rawValue
        recipient = message.recipient
        subject = message.subject
        body = message.body
        createdAt = now
        nextAttemptAt = now
        attempts = 0
        receiptTo = message.isReceipt ? message.recipient.lowercased() : nil
    }
}
