import AbuseDeskCore
import Fluent
import Foundation
import Logging

/// Sends what the outbox holds: due messages, oldest first, each marked sent once the transport took it;
/// a failure is recorded and retried later with exponential backoff (1 minute, doubling, at most 6 hours).
struct MailDelivery: Sendable {
    let transport: any MailTransport
    let sender: String
    let hostname: String
    let now: @Sendable () -> Date

    static let batchSize = 50

    /// Delivers every message that is due; answers how many went out.
    @discardableResult
    func deliverDue(on database: any Database, logger: Logger) async throws -> Int {
        var delivered = 0
        let due = try await OutboxMessageModel.query(on: database)
            .filter(\.$sentAt == nil)
            .filter(\.$nextAttemptAt <= now())
            .sort(\.$createdAt)
            .limit(Self.batchSize)
            .all()
        for message in due {
            guard let id = message.id else { continue }
            let mime = MIMEMessage(from: sender, to: message.recipient, subject: message.subject, body: message.body,
                                   date: now(), messageID: "\(id)@\(hostname)")
            do {
                try await transport.deliver(mime, recipient: message.recipient)
                message.sentAt = now()
                message.lastError = nil
                delivered += 1
            } catch {
                message.attempts += 1
                message.lastError = String(describing: error)
                message.nextAttemptAt = now().addingTimeInterval(Self.backoff(afterAttempts: message.attempts))
                logger.warning("Mail delivery failed; will retry", metadata: ["outbox.id": .string(id), "attempts": "\(message.attempts)",
                                                                               "error": "\(error)"])
            }
            try await message.save(on: database)
        }
        return delivered
    }

    static func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(6 * 3600, 60 * pow(2, Double(max(0, attempts - 1))))
    }
}
