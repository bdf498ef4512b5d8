import AbuseDeskCore
import Fluent
import Foundation

/// Writing e-mails into the outbox; the delivery worker sends them.
enum Outbox {
    static let columns = ["id", "report_id", "account_id", "audience", "recipient", "subject", "body", "created_at", "next_attempt_at", "attempts", "receipt_to"]

    static func row(_ message: OutgoingMessage, now: Date) -> [SQLValue] {
        [.text(Identifier.make(at: now)), SQLValue(message.reportID), SQLValue(message.accountID), .text(message.audience.rawValue), .text(message.recipient),
         .text(message.subject), .text(message.body), .date(now), .date(now), .integer(0),
         SQLValue(message.isReceipt ? message.recipient.lowercased() : nil)]
    }
}
