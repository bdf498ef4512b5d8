import AbuseDeskCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct SMTPTests {
    @Test func dotStuffingKeepsEveryLineOfTheMessageInside() {
        let stuffed = String(decoding: SMTPClient.dotStuffed(".first\r\nmiddle\n.\r\n..two\r\nlast"), as: UTF8.self)
        #expect(stuffed == "..first\r\nmiddle\r\n..\r\n...two\r\nlast\r\n")
        #expect(String(decoding: SMTPClient.dotStuffed("ends\r\n"), as: UTF8.self) == "ends\r\n")
        #expect(!String(decoding: SMTPClient.dotStuffed("a\r\n.\r\nb"), as: UTF8.self).contains("\r\n.\r\n"))
    }

    @Test func theMailServerIsConfiguredByURL() throws {
        let plain = try #require(SMTPSettings.parse(url: "smtp://mail.example.net", startTLS: nil, trustedCertificatesFile: nil).settings)
        #expect(plain == SMTPSettings(host: "mail.example.net", port: 25, security: .startTLSWhenOffered))
        let submission = try #require(SMTPSettings.parse(url: "smtp://ops%40example.net:p%3Ass@mail.example.net:587", startTLS: "require",
                                                         trustedCertificatesFile: nil).settings)
        #expect(submission.username == "ops@example.net" && submission.password == "p:ss" && submission.port == 587)
        #expect(submission.security == .startTLSRequired)
        #expect(SMTPSettings.parse(url: "smtps://mail.example.net", startTLS: nil, trustedCertificatesFile: nil).settings?.security == .implicitTLS)
        #expect(SMTPSettings.parse(url: "smtps://mail.example.net", startTLS: nil, trustedCertificatesFile: nil).settings?.port == 465)
        #expect(SMTPSettings.parse(url: "smtp://relay.local:2525", startTLS: "off", trustedCertificatesFile: nil).settings?.security == .plain)

        let bad = SMTPSettings.parse(url: "smtp://user@mail.example.net/path", startTLS: "sometimes", trustedCertificatesFile: "/no/such.pem")
        #expect(bad.settings == nil && bad.problems.count == 4, "\(bad.problems)")
        #expect(SMTPSettings.parse(url: "http://mail.example.net", startTLS: nil, trustedCertificatesFile: nil).problems.count == 1)

        let config = try AppConfig.fromEnvironment(["ABUSEDESK_SMTP_URL": "smtp://mail.example.net:587", "ABUSEDESK_MAIL_RETRY_SECONDS": "5",
                                                    "ABUSEDESK_MAIL_LEASE_SECONDS": "30"])
        #expect(config.smtp?.port == 587 && config.mailRetrySeconds == 5 && config.mailLeaseSeconds == 30)
        #expect(try AppConfig.fromEnvironment([:]).mailLeaseSeconds == 60)
        let refused = #expect(throws: AppConfig.Invalid.self) {
            try AppConfig.fromEnvironment(["ABUSEDESK_SMTP_STARTTLS": "require", "ABUSEDESK_MAIL_RETRY_SECONDS": "0",
                                           "ABUSEDESK_MAIL_LEASE_SECONDS": "1"])
        }
        #expect(refused?.problems.count == 3)
        #expect(refused?.problems.last == "ABUSEDESK_MAIL_LEASE_SECONDS must be a number of seconds from 3 to 3600; got \"1\"")
    }

    @Test func messagesAreMarkedSentOneByOneAndRefusalsAreKeptApart() async throws {
        /// A session that takes messages, except those to refused addresses (5xx, for good) or deferred ones (4xx).
        final class Session: MailSession, @unchecked Sendable {
            let sent: NIOLockedValueBox<[String]>
            init(sent: NIOLockedValueBox<[String]>) { self.sent = sent }
            func send(_ message: MIMEMessage) async throws {
                if message.to.hasPrefix("gone@") {
                    throw SMTPError.refused(command: "RCPT TO", reply: SMTPReply(code: 550, lines: ["No such user"]))
                }
                if message.to.hasPrefix("busy@") {
                    throw SMTPError.refused(command: "RCPT TO", reply: SMTPReply(code: 451, lines: ["Try later"]))
                }
                sent.withLockedValue { $0.append(message.to) }
            }
            func close() async {}
        }
        struct Transport: MailTransport {
            let sent: NIOLockedValueBox<[String]>
            func open() async throws -> any MailSession { Session(sent: sent) }
        }
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            for recipient in ["one@example.org", "gone@example.org", "busy@example.org", "two@example.org"] {
                try await OutboxMessageModel(OutgoingMessage(audience: .reporter, recipient: recipient, subject: "s", body: "b", reportID: nil),
                                             now: clock.now).create(on: app.db)
                clock.advance(by: 1)
            }
            let sent = NIOLockedValueBox<[String]>([])
            let delivery = MailDelivery(transport: Transport(sent: sent), sender: "AbuseDesk <abuse@example.net>", hostname: "example.net",
                                        retryBase: 10, now: { clock.now })
            #expect(try await delivery.deliverDue(on: app.db, logger: app.logger) == 2)
            #expect(sent.withLockedValue { $0 } == ["one@example.org", "two@example.org"], "a refusal does not stop the others")
            let rows = try await app.sql.rows("SELECT " + StoredEmail.columns + " FROM outbox_messages ORDER BY created_at").map(StoredEmail.init(row:))
            #expect(rows.map(\.state) == [.sent, .failed, .retrying, .sent])
            #expect(rows[1].lastError == "the mail server refused RCPT TO: 550 No such user")
            #expect(rows[2].nextAttemptAt == clock.now.addingTimeInterval(10))
            #expect(try await delivery.deliverDue(on: app.db, logger: app.logger) == 0)
            clock.advance(by: 11)
            _ = try await delivery.deliverDue(on: app.db, logger: app.logger)
            let busy = try #require(try await OutboxMessageModel.find(rows[2].id, on: app.db))
            #expect(busy.attempts == 2 && busy.nextAttemptAt == clock.now.addingTimeInterval(20), "backoff doubles")
            #expect(delivery.backoff(afterAttempts: 30) == MailDelivery.maximumBackoff)
        }
    }

    @Test func aBurstOfMailLeavesInOneGoNotABatchPerInterval() async throws {
        final class Session: MailSession, @unchecked Sendable {
            let sent: NIOLockedValueBox<Int>
            init(sent: NIOLockedValueBox<Int>) { self.sent = sent }
            func send(_ message: MIMEMessage) async throws { sent.withLockedValue { $0 += 1 } }
            func close() async {}
        }
        struct Transport: MailTransport {
            let sent: NIOLockedValueBox<Int>
            func open() async throws -> any MailSession { Session(sent: sent) }
        }
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let burst = MailDelivery.batchSize * 2 + 7
            for number in 0..<burst {
                try await OutboxMessageModel(OutgoingMessage(audience: .reporter, recipient: "r\(number)@example.org", subject: "s", body: "b",
                                                             reportID: nil), now: clock.now).create(on: app.db)
            }
            let sent = NIOLockedValueBox(0)
            let delivery = MailDelivery(transport: Transport(sent: sent), sender: "abuse@example.net", hostname: "example.net", now: { clock.now })
            #expect(try await delivery.deliverAllDue(on: app.db, logger: app.logger) == burst)
            #expect(sent.withLockedValue { $0 } == burst)
            #expect(try await OutboxMessageModel.query(on: app.db).filter(\.$sentAt == nil).count() == 0)
            #expect(try await delivery.deliverAllDue(on: app.db, logger: app.logger) == 0)
        }
    }

    @Test func renderedMessagesCarryTheHeadersMailSystemsExpect() {
        let message = MIMEMessage(from: "AbuseDesk <abuse@example.net>", to: "jane@example.org", subject: "Report r1 received",
                                  body: "Hello,\n.\nbye", date: Date(timeIntervalSince1970: 1_795_435_200), messageID: "m1@example.net")
        let rendered = message.rendered
        for header in ["From: AbuseDesk <abuse@example.net>\r\n", "To: jane@example.org\r\n", "Subject: Report r1 received\r\n",
                       "Date: Mon, 23 Nov 2026 12:00:00 +0000\r\n", "Message-ID: <m1@example.net>\r\n", "MIME-Version: 1.0\r\n",
                       "Content-Type: text/plain; charset=utf-8\r\n", "Content-Transfer-Encoding: quoted-printable\r\n",
                       "Auto-Submitted: auto-generated\r\n"] {
            #expect(rendered.contains(header), "\(header)")
        }
    }

    @Test func aServerThatStopsAnsweringFailsTheCommandAfterTheTimeout() throws {
        let loop = EmbeddedEventLoop()
        let handler = SMTPReplyHandler()
        var outcome: Result<SMTPReply, any Error>?
        handler.nextReply(on: loop, timeout: .seconds(60), waitingFor: "EHLO").whenComplete { outcome = $0 }
        loop.advanceTime(by: .seconds(59))
        #expect(outcome == nil, "still waiting")
        loop.advanceTime(by: .seconds(1))
        guard case .failure(let error) = outcome else {
            Issue.record("no failure after the timeout: \(String(describing: outcome))")
            return
        }
        #expect(error as? SMTPError == .timeout("EHLO"))
    }
}
