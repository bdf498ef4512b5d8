import AbuseDeskCore
import Fluent
import Foundation
import Logging
import NIOConcurrencyHelpers
import SQLKit

/// Sends what the outbox holds: due messages, oldest first, over one session per pass, each marked sent
/// the moment the transport took it (so a restart resends nothing that went out). Several processes
/// share the outbox: each pass claims its batch first (``OutboxClaims``), and holds the claim while it
/// works. A failure is recorded and retried with exponential backoff from `retryBase`, doubling, at
/// most six hours apart; a message the server refuses for good (5xx), or one that failed
/// `maximumAttempts` times, is marked failed and waits for an operator to retry it.
struct MailDelivery: Sendable {
    let transport: any MailTransport
    let sender: String
    let hostname: String
    var claims = OutboxClaims(claimant: OutboxClaims.processName(), lease: OutboxClaims.defaultLease)
    var retryBase: TimeInterval = 60
    var maximumAttempts = 15
    var metrics: AppMetrics? = nil
    /// How the claim's keeper waits between renewals: the clock's sleep, unless a test moves time by hand.
    var pause: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
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

    /// Claims at most a batch of the messages that are due and delivers them; answers how many went out.
    @discardableResult
    func deliverDue(on database: any Database, logger: Logger) async throws -> Int {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        let claimed = try await claims.claimDue(limit: Self.batchSize, now: now(), on: sql)
        guard !claimed.isEmpty else { return 0 }
        let takenOver = claimed.filter { $0.takenOverFrom != nil }
        metrics?.outboxClaimed(claimed.count, takenOver: takenOver.count)
        for item in takenOver {
            logger.warning("Took over an e-mail whose sender's claim ran out", metadata: [
                "outbox.id": .string(item.id), "previous.claimant": .string(item.takenOverFrom ?? "")])
        }
        let held = HeldClaims(claimed.map(\.id), until: now().addingTimeInterval(claims.lease))
        // The claim is renewed a third of a lease at a time while the batch is worked on, so a slow mail
        // server never lets it run out under a process that is still sending.
        let keeper = Task {
            while !Task.isCancelled {
                try? await pause(.seconds(claims.lease / 3))
                guard !Task.isCancelled else { break }
                do {
                    let renewedAt = now()
                    held.renewed(try await claims.renew(held.pending, now: renewedAt, on: sql), until: renewedAt.addingTimeInterval(claims.lease))
                } catch {
                    logger.warning("Could not renew the claim on e-mails being sent", metadata: ["error": "\(error)"])
                }
            }
        }
        defer { keeper.cancel() }
        let delivered = try await deliver(claimed.map(\.email), held: held, on: sql, logger: logger)
        keeper.cancel()
        _ = await keeper.value
        // What this pass did not get to is due again at once, for whichever process comes first.
        try await claims.release(held.pending, on: sql)
        metrics?.outboxSent(delivered)
        return delivered
    }

    private func deliver(_ messages: [StoredEmail], held: HeldClaims, on sql: any SQLDatabase, logger: Logger) async throws -> Int {
        let session: any MailSession
        do {
            session = try await transport.open()
        } catch {
            // Nothing could be tried: every claimed message counts the attempt and waits its turn.
            logger.warning("No session with the mail server; will retry", metadata: ["error": "\(error)", "messages": "\(messages.count)"])
            for message in messages where held.isHeld(message.id, now: now(), margin: 0) {
                try await recordFailure(message, error: error, on: sql)
                held.finished(message.id)
            }
            return 0
        }
        do {
            let delivered = try await send(messages, over: session, held: held, on: sql, logger: logger)
            await session.close()
            return delivered
        } catch {
            // The store went away mid-pass: what was sent and not marked goes out once more after the lease.
            await session.close()
            throw error
        }
    }

    /// Sends each message whose claim still holds over `session`, marking each sent or failed as it goes.
    private func send(_ messages: [StoredEmail], over session: any MailSession, held: HeldClaims, on sql: any SQLDatabase,
                      logger: Logger) async throws -> Int {
        var delivered = 0
        for message in messages {
            let id = message.id
            // Half a lease at least must be left to send in; a claim that lapsed may be another's now.
            guard held.isHeld(id, now: now(), margin: claims.lease / 2) else { continue }
            let mime = MIMEMessage(from: sender, to: message.recipient, subject: message.subject, body: message.body,
                                   date: now(), messageID: "\(id)@\(hostname)")
            do {
                try await session.send(mime)
            } catch {
                logger.warning("Mail delivery failed", metadata: ["outbox.id": .string(id), "attempts": "\(message.attempts + 1)", "error": "\(error)"])
                try await recordFailure(message, error: error, on: sql)
                held.finished(id)
                // A refusal of one message leaves the connection usable; anything else ends this pass.
                if case .refused? = error as? SMTPError { continue }
                break
            }
            // Sent: a store that fails to record it now ends the pass (the message is not a failed attempt).
            try await claims.markSent(id, at: now(), on: sql)
            held.finished(id)
            delivered += 1
        }
        return delivered
    }

    private func recordFailure(_ message: StoredEmail, error: any Error, on sql: any SQLDatabase) async throws {
        let attempts = message.attempts + 1
        let givesUp = (error as? SMTPError)?.isPermanent == true || attempts >= maximumAttempts
        try await claims.recordFailure(message.id, error: String(describing: error),
                                       retryAt: givesUp ? nil : now().addingTimeInterval(backoff(afterAttempts: attempts)),
                                       failedAt: givesUp ? now() : nil, on: sql)
    }

    func backoff(afterAttempts attempts: Int) -> TimeInterval {
        min(Self.maximumBackoff, retryBase * pow(2, Double(max(0, attempts - 1))))
    }

    /// Puts a failed or waiting message back in line, due now (an operator's retry), in one statement:
    /// a message sent meanwhile is not made due again.
    static func retry(_ messageID: String, now: Date, on database: any Database) async throws -> StoredEmail {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        guard Identifier.isWellFormed(messageID) else { throw ClientError.notFound("There is no e-mail \(messageID).") }
        let retried = try await sql.rows("""
            UPDATE outbox_messages SET failed_at = NULL, next_attempt_at = \(bind: now)
            WHERE id = \(bind: messageID) AND sent_at IS NULL RETURNING \(StoredEmail.columns)
            """)
        if let row = retried.first { return try StoredEmail(row: row) }
        guard try await sql.count("SELECT COUNT(*) AS n FROM outbox_messages WHERE id = \(bind: messageID)") > 0 else {
            throw ClientError.notFound("There is no e-mail \(messageID).")
        }
        throw ClientError.conflict("E-mail \(messageID) was sent already.")
    }
}

/// The messages a delivery pass has claimed and not finished, and until when its claim on them holds.
final class HeldClaims: Sendable {
    private struct State {
        var pending: [String]
        var until: Date
    }

    private let state: NIOLockedValueBox<State>

    init(_ ids: [String], until: Date) {
        state = NIOLockedValueBox(State(pending: ids, until: until))
    }

    var pending: [String] { state.withLockedValue { $0.pending } }

    /// Whether the claim on `id` holds for `margin` more seconds.
    func isHeld(_ id: String, now: Date, margin: TimeInterval) -> Bool {
        state.withLockedValue { $0.pending.contains(id) && $0.until.timeIntervalSince(now) > margin }
    }

    func finished(_ id: String) {
        state.withLockedValue { $0.pending.removeAll { $0 == id } }
    }

    /// A renewal held `ids` until `until`; the rest of the pending ones are another's now.
    func renewed(_ ids: Set<String>, until: Date) {
        state.withLockedValue { state in
            state.pending.removeAll { !ids.contains($0) }
            state.until = until
        }
    }
}
