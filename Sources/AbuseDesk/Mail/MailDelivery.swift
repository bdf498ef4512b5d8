import AbuseDeskCore
import Fluent
import Foundation
import Logging

/// Sends what the outbox holds: due messages, oldest first, over one session per pass, each marked sent
/// the moment the transport took it (so a restart resends nothing that went out). A failure is recorded
/// and retried with exponential backoff from `retryBase`, doubling, at most six hours apart; a message the
/// server refuses for good (5xx), or one that failed `maximumAttempts` times, is marked failed and waits
/// for an operator to retry it.
struct MailDelivery: Sendable {
    let transport: any MailTransport
    let sender: String
    let hostname: String
    var retryBase: TimeInterval = 60
    var maximumAttempts = 15
    let now: @Sendable () -> Date

    static let batchSize = 50
    static let maximumBackoff: TimeInterval = 6 * 3600

    /// Delivers what is due a batch at a time, pass after pass while each finds a full batch to send,
    /// so that a burst of mail leaves at the server's pace instead of a batch per interval. Stops when
    /// a pass sends less than a full batch (the outbox is drained, or the server refuses or is away)
    /// or the task is cancelled. Answers how many went out.
    @discardableResult
    func deliverAllDue(on database: any Database, logger: Logger) async throws -> Int {
        var delivered = 0
        while !Task.isCancelled {
            let sent = try await deliverDue(on: database, logger: logger)
            delivered += sent
            if sent < Self.batchSize { break }
        }
        return delivered
    }

    /// Delivers at most a batch of the messages that are due; answers how many went out.
    @discardableResult
    func deliverDue(on database: any Database, logger: Logger) async throws -> Int {
        let due = try await OutboxMessageModel.query(on: database)
            .filter(\.$sentAt == nil)
            .filter(\.$failedAt == nil)
            .filter(\.$nextAttemptAt <= now())
            .sort(\.$createdAt)
            .sort(\.$id)
            .limit(Self.batchSize)
            .all()
        guard !due.isEmpty else { return 0 }
        let session: any MailSession
        do {
            session = try await transport.open()
        } catch {
            // Nothing could be tried: every due message counts the attempt and waits its turn.
            logger.warning("No session with the mail server; will retry", metadata: ["error": "\(error)", "messages": "\(due.count)"])
            for message in due { try await recordFailure(message, error: error, on: database) }
            return 0
        }
        var delivered = 0
        for message in due {
            guard let id = message.id else { continue }
            let mime = MIMEMessage(from: sender, to: message.recipient, subject: message.subject, body: message.body,
                                   date: now(), messageID: "\(id)@\(hostname)")
            do {
                try await session.send(mime)
                message.sentAt = now()
                message.lastError = nil
                try await message.save(on: database)
                delivered += 1
            } catch {
                logger.warning("Mail delivery failed", metadata: ["outbox.id": .string(id), "attempts": "\(message.attempts + 1)", "error": "\(error)"])
                try await recordFailure(message, error: error, on: database)
                // A refusal of one message leaves the connection usable; anything else ends this pass.
                if case .refused? = error as? SMTPError { continue }
                break
            }
        }
        await session.close()
        return delivered
    }

    private func recordFailure(_ message: OutboxMessageModel, error: any Error, on database: any Database) async throws {
        message.attempts += 1
        message.lastError = String(describing: error)
        if (error as? SMTPError)?.isPermanent == true || message.attempts >= maximumAttempts {
            message.failedAt = now()
        } else {
            message.nextAttemptAt = now().addingTimeInterval(backoff(afterAttempts: message.attempts))
        }
        try await message.save(on: database)
    }

    func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(Self.maximumBackoff, retryBase * pow(2, Double(max(0, attempts - 1))))
    }

    /// Puts a failed or waiting message back in line, due now (an operator's retry).
    static func retry(_ messageID: String, now: Date, on database: any Database) async throws -> OutboxMessageModel {
        guard Identifier.isWellFormed(messageID), let message = try await OutboxMessageModel.find(messageID, on: database) else {
            throw ClientError.notFound("There is no e-mail \(messageID).")
        }
        guard message.sentAt == nil else { throw ClientError.conflict("E-mail \(messageID) was sent already.") }
        message.failedAt = nil
        message.nextAttemptAt = now
        try await message.save(on: database)
        return message
    }
}
