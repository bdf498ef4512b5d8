import Foundation

/// Hands rendered messages to the world, a session at a time.
protocol MailTransport: Sendable {
    func open() async throws -> any MailSession
}

/// A transport ready for messages (for SMTP, one connection).
protocol MailSession: AnyObject {
    /// Hands one message over; throws when it was not taken.
    func send(_ message: MIMEMessage) async throws
    func close() async
}

/// Without a mail server: each message becomes an `.eml` file under `<data>/mail/`, named by time and id,
/// written completely before it appears under its final name.
struct EmlFileTransport: MailTransport {
    let directory: String

    func open() async throws -> any MailSession {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return Session(directory: directory)
    }

    final class Session: MailSession {
        let directory: String

        init(directory: String) {
            self.directory = directory
        }

        func send(_ message: MIMEMessage) async throws {
            let stamp = Int(message.date.timeIntervalSince1970 * 1000)
            let name = "\(stamp)-\(message.messageID.split(separator: "@").first ?? "message").eml"
            try DurableFile.write(Array(message.rendered.utf8), to: directory + "/" + name)
        }

        func close() async {}
    }
}
