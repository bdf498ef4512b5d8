import Foundation

/// Hands a rendered message to the world.
protocol MailTransport: Sendable {
    func deliver(_ message: MIMEMessage, recipient: String) async throws
}

/// Without a mail server: each message becomes an `.eml` file under `<data>/mail/`, named by time and id,
/// written completely before it appears under its final name.
struct EmlFileTransport: MailTransport {
    let directory: String

    func deliver(_ message: MIMEMessage, recipient: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let stamp = Int(message.date.timeIntervalSince1970 * 1000)
        let name = "\(stamp)-\(message.messageID.split(separator: "@").first ?? "message").eml"
        try DurableFile.write(Array(message.rendered.utf8), to: directory + "/" + name)
    }
}
