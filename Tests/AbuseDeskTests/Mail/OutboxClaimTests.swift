import AbuseDeskCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// Several processes share one outbox (SPEC 10): each e-mail is claimed by one of them with a lease,
/// sent once, and taken over only when its sender stopped. On both stores.
@Suite struct OutboxClaimTests {
    /// A mail server that records what it was given, optionally taking its time over each message.
    final class RecordingServer: MailTransport, @unchecked Sendable {
        let received = NIOLockedValueBox<[String]>([])
        let pause: Duration
        let gate: Gate?
        init(pause: Duration = .zero, gate: Gate? = nil) { self.pause = pause; self.gate = gate }

        final class Session: MailSession, @unchecked Sendable {
            let server: RecordingServer
            init(server: RecordingServer) { self.server = server }
            func send(_ message: MIMEMessage) async throws {
                if server.pause > .zero { try await Task.sleep(for: server.pause) }
                try await server.gate?.wait()
                server.received.withLockedValue { $0.append(message.to) }
            }
            func close() async {}
        }

        func open() async throws -> any MailSession { Session(server: self) }
    }

    static func queue(_ count: Int, on app: Application, clock: TestClock) async throws -> [String] {
        var ids: [String] = []
        for number in 0..<count {
            let message = OutboxMessageModel(OutgoingMessage(audience: .reporter, recipient: "r\(number)@example.org", subject: "s", body: "b",
                                                             reportID: nil), now: clock.now)
            try await message.create(on: app.db)
            ids.append(try #require(message.id))
            clock.advance(by: 0.001)
        }
        return ids
    }

    /// Delivers what is due in a task of its own, and closes the gates when it is done, so a test that
    /// waits at them for something that will never come fails instead of waiting for ever.
    static func delivering(_ delivery: MailDelivery, on app: Application, closing gates: Gate...) -> Task<Int, any Error> {
        Task {
            defer { gates.forEach { $0.close() } }
            return try await delivery.deliverAllDue(on: app.db, logger: app.logger)
        }
    }

    @Test func claimersAtWorkTogetherNeverGetTheSameMessage() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let queued = try await Self.queue(400, on: app, clock: clock)
            let sql = try app.sql
            let claimers = (0..<4).map { OutboxClaims(claimant: "claimer-\($0)", lease: 60) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for claimer in claimers {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let batch = try await claimer.claimDue(limit: 5, now: clock.now, on: sql)
                            if batch.isEmpty { return mine }
                            mine += batch.compactMap(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == queued.count, "no message is claimed twice")
            #expect(Set(claimed) == Set(queued))
        }
    }

    @Test func aLeaseThatRanOutIsTakenOverAndARenewedOneIsNot() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let queued = try await Self.queue(3, on: app, clock: clock)
            let sql = try app.sql
            let first = OutboxClaims(claimant: "first", lease: 60), second = OutboxClaims(claimant: "second", lease: 60)
            #expect(try await first.claimDue(limit: 50, now: clock.now, on: sql).map(\.id) == queued, "oldest first")
            clock.advance(by: 40)
            #expect(try await second.claimDue(limit: 50, now: clock.now, on: sql).isEmpty, "the lease holds")
            // The first renews one message's lease and marks another sent; the third's lease runs out.
            #expect(try await first.renew([queued[0]], now: clock.now, on: sql) == [queued[0]])
            try await first.markSent(queued[1], at: clock.now, on: sql)
            clock.advance(by: 21)
            let taken = try await second.claimDue(limit: 50, now: clock.now, on: sql)
            #expect(taken.map(\.id) == [queued[2]], "only the lapsed lease is taken over; a sent message never is")
            #expect(taken.first?.takenOverFrom == "first")
            #expect(try await first.renew(queued, now: clock.now, on: sql) == [queued[0]], "the first learns which it lost")
            clock.advance(by: 3600)
            try await first.markSent(queued[0], at: clock.now, on: sql)
            try await second.markSent(queued[2], at: clock.now, on: sql)
            #expect(try await second.claimDue(limit: 50, now: clock.now, on: sql).isEmpty)
        }
    }

    @Test func aPassGivesBackWhatItDidNotSend() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let queued = try await Self.queue(3, on: app, clock: clock)
            let sql = try app.sql
            let claims = OutboxClaims(claimant: "one", lease: 60)
            _ = try await claims.claimDue(limit: 50, now: clock.now, on: sql)
            try await claims.release(queued, on: sql)
            let other = try await OutboxClaims(claimant: "two", lease: 60).claimDue(limit: 50, now: clock.now, on: sql)
            #expect(other.map(\.id) == queued, "due again at once, not a lease later")
            #expect(other.allSatisfy { $0.takenOverFrom == nil }, "a message given back is not a takeover")
        }
    }

    @Test func twoProcessesDeliveringTogetherSendEachMessageOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let queued = try await Self.queue(2 * MailDelivery.batchSize + 11, on: first, clock: clock)
                let server = RecordingServer(pause: .milliseconds(1))
                let deliveries = [first, second].enumerated().map { index, app in
                    MailDelivery(transport: server, sender: "abuse@example.net", hostname: "example.net",
                                 claims: OutboxClaims(claimant: "process-\(index)", lease: 60), now: { clock.now })
                }
                let sent = try await withThrowingTaskGroup(of: Int.self) { group in
                    for (delivery, app) in zip(deliveries, [first, second]) {
                        group.addTask { try await delivery.deliverAllDue(on: app.db, logger: app.logger) }
                    }
                    return try await group.reduce(0, +)
                }
                let received = server.received.withLockedValue { $0 }
                #expect(sent == queued.count)
                #expect(received.count == queued.count && Set(received).count == queued.count, "each message went out once")
                #expect(try await OutboxMessageModel.query(on: first.db).filter(\.$sentAt == nil).count() == 0)
                #expect(try await deliveries[1].deliverAllDue(on: second.db, logger: second.logger) == 0)
            }
        }
    }

    @Test func aSenderThatStoppedBeforeMarkingIsSentOnceMoreAfterItsLease() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let queued = try await Self.queue(2, on: app, clock: clock)
            // A process claimed both, the server took them, and the process stopped before it marked them.
            _ = try await OutboxClaims(claimant: "stopped", lease: 60).claimDue(limit: 50, now: clock.now, on: app.sql)
            let server = RecordingServer()
            let delivery = MailDelivery(transport: server, sender: "abuse@example.net", hostname: "example.net",
                                        claims: OutboxClaims(claimant: "survivor", lease: 60), now: { clock.now })
            #expect(try await delivery.deliverAllDue(on: app.db, logger: app.logger) == 0, "not while the stopped process's lease holds")
            clock.advance(by: 61)
            #expect(try await delivery.deliverAllDue(on: app.db, logger: app.logger) == 2)
            clock.advance(by: 3600)
            #expect(try await delivery.deliverAllDue(on: app.db, logger: app.logger) == 0, "and never again")
            #expect(server.received.withLockedValue { $0 } == ["r0@example.org", "r1@example.org"])
            let rows = try await OutboxMessageModel.query(on: app.db).all()
            #expect(rows.allSatisfy { $0.sentAt != nil && $0.claimedBy == nil && $0.takenOverFrom == "stopped" })
            #expect(queued.count == rows.count)
        }
    }

    @Test func aSlowServerDoesNotLetTheLeaseRunOutUnderTheSender() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await Self.queue(3, on: app, clock: clock)
            // A lease of a minute, over sends of forty seconds each: two minutes in all, twice the lease.
            // The server and the claim's keeper both wait at gates, and the test moves the clock.
            let sends = Gate(), renewals = Gate()
            let server = RecordingServer(gate: sends)
            let delivery = MailDelivery(transport: server, sender: "abuse@example.net", hostname: "example.net",
                                        claims: OutboxClaims(claimant: "slow", lease: 60),
                                        pause: { _ in try await renewals.wait() }, now: { clock.now })
            let other = OutboxClaims(claimant: "eager", lease: 60)
            let sending = Self.delivering(delivery, on: app, closing: sends, renewals)
            defer { sending.cancel() }
            var atServer = sends.arrivals.makeAsyncIterator(), keeper = renewals.arrivals.makeAsyncIterator()
            var renewal = try #require(await keeper.next(), "the keeper waits for its first renewal")
            var stolen: [String] = []
            for _ in 0..<3 {
                let send = try #require(await atServer.next(), "a message is with the server")
                clock.advance(by: 40)
                renewal.open()
                renewal = try #require(await keeper.next(), "the claim was renewed and the keeper waits again")
                stolen += try await other.claimDue(limit: 50, now: clock.now, on: app.sql).compactMap(\.id)
                send.open()
            }
            #expect(try await sending.value == 3)
            #expect(stolen.isEmpty, "no message was claimed by another while its sender worked on it")
            #expect(server.received.withLockedValue { $0 } == ["r0@example.org", "r1@example.org", "r2@example.org"])
        }
    }

    @Test func withoutRenewalAnotherTakesOverWhatASlowSenderHolds() async throws {
        // The other side of the test above: a keeper that never gets to renew lets the claim run out, and
        // the sender leaves what it no longer holds to the process that took it over.
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            _ = try await Self.queue(3, on: app, clock: clock)
            let sends = Gate(), renewals = Gate()
            let delivery = MailDelivery(transport: RecordingServer(gate: sends), sender: "abuse@example.net", hostname: "example.net",
                                        claims: OutboxClaims(claimant: "slow", lease: 60),
                                        pause: { _ in try await renewals.wait() }, now: { clock.now })
            let other = OutboxClaims(claimant: "eager", lease: 60)
            let sending = Self.delivering(delivery, on: app, closing: sends, renewals)
            defer { sending.cancel() }
            var atServer = sends.arrivals.makeAsyncIterator()
            let send = try #require(await atServer.next())
            clock.advance(by: 61)
            let stolen = try await other.claimDue(limit: 50, now: clock.now, on: app.sql).compactMap(\.id)
            send.open()
            #expect(try await sending.value == 1, "the message already with the server went out; the rest was no longer its own")
            #expect(stolen.count == 3, "all three were free to take: the lease had run out")
            let rows = try await OutboxMessageModel.query(on: app.db).sort(\.$createdAt).all()
            #expect(rows.map { $0.sentAt != nil } == [true, false, false])
            #expect(rows.dropFirst().allSatisfy { $0.claimedBy == "eager" }, "the sender gave back nothing that was no longer its own")
        }
    }
}
