import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a mail server, speaking SMTP (RFC 5321) itself: the greeting, EHLO, STARTTLS
/// when offered and configured, AUTH PLAIN or LOGIN, then MAIL FROM / RCPT TO / DATA per message with
/// the body dot-stuffed, and QUIT.
final class SMTPClient: MailSession {
    private let channel: any Channel
    private let replies: NIOLoopBound<SMTPReplyHandler>
    private let settings: SMTPSettings
    private let envelopeSender: String
    static let replyTimeout: TimeAmount = .seconds(60)
    static let connectTimeout: TimeAmount = .seconds(10)

    private init(channel: any Channel, replies: NIOLoopBound<SMTPReplyHandler>, settings: SMTPSettings, envelopeSender: String) {
        self.channel = channel
        self.replies = replies
        self.settings = settings
        self.envelopeSender = envelopeSender
    }

    /// Connects, greets, secures and authenticates; the session is then ready for messages.
    static func connect(_ settings: SMTPSettings, tls: NIOSSLContext, heloName: String, envelopeSender: String,
                        group: any EventLoopGroup) async throws -> SMTPClient {
        let serverName = Self.serverName(settings.host)
        let implicitTLS = settings.security == .implicitTLS
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(connectTimeout)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler())
                    }
                }
                .connect(host: settings.host, port: settings.port).get()
        } catch {
            throw SMTPError.connection("\(settings.host):\(settings.port): \(error)")
        }
        let replies = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: SMTPReplyHandler.self), eventLoop: channel.eventLoop)
        }.get()
        let client = SMTPClient(channel: channel, replies: replies, settings: settings, envelopeSender: envelopeSender)
        do {
            try await client.handshake(tls: tls, serverName: serverName, heloName: heloName)
        } catch {
            await client.close()
            throw error
        }
        return client
    }

    private func handshake(tls: NIOSSLContext, serverName: String?, heloName: String) async throws {
        try await expect(nil, "the greeting", 220)
        var extensions = try await hello(heloName)
        if settings.security != .implicitTLS, settings.security != .plain {
            if extensions.contains("STARTTLS") {
                try await expect("STARTTLS", "STARTTLS", 220)
                do {
                    try await channel.eventLoop.submit { [channel] in
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName),
                                                                        position: .first)
                    }.get()
                } catch {
                    throw SMTPError.tls(String(describing: error))
                }
                extensions = try await hello(heloName)
            } else if settings.security == .startTLSRequired {
                throw SMTPError.unsupported("the mail server does not offer STARTTLS, and ABUSEDESK_SMTP_STARTTLS is require")
            }
        }
        if let username = settings.username, let password = settings.password {
            try await authenticate(username: username, password: password, offered: extensions)
        }
    }

    /// EHLO (HELO if the server does not know it); answers the extensions offered, upper-cased.
    private func hello(_ name: String) async throws -> Set<String> {
        let reply = try await send("EHLO \(name)", "EHLO")
        if reply.code == 250 {
            return Set(reply.lines.dropFirst().map { $0.uppercased() }.flatMap { line -> [String] in
                // "AUTH PLAIN LOGIN" offers AUTH and each mechanism.
                let words = line.split(separator: " ").map(String.init)
                guard let keyword = words.first else { return [] }
                return [keyword] + (keyword == "AUTH" ? words.dropFirst().map { "AUTH=" + $0 } : [])
            })
        }
        try await expect("HELO \(name)", "HELO", 250)
        return []
    }

    private func authenticate(username: String, password: String, offered: Set<String>) async throws {
        if offered.contains("AUTH=PLAIN") {
            let credentials = Data(([0] + Array(username.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            try await expect("AUTH PLAIN \(credentials)", "AUTH PLAIN", 235)
        } else if offered.contains("AUTH=LOGIN") {
            try await expect("AUTH LOGIN", "AUTH LOGIN", 334)
            try await expect(Data(username.utf8).base64EncodedString(), "AUTH LOGIN (user name)", 334)
            try await expect(Data(password.utf8).base64EncodedString(), "AUTH LOGIN (password)", 235)
        } else {
            let why = offered.contains("AUTH") ? "offers neither AUTH PLAIN nor AUTH LOGIN"
                : "offers no AUTH on this connection (many servers offer it only after STARTTLS)"
            throw SMTPError.unsupported("ABUSEDESK_SMTP_URL has a user and password, but the mail server \(why)")
        }
    }

    /// Hands one message to the server. A refusal of this message leaves the session usable for the next.
    func send(_ message: MIMEMessage) async throws {
        do {
            try await expect("MAIL FROM:<\(envelopeSender)>", "MAIL FROM", 250)
            try await expect("RCPT TO:<\(message.to)>", "RCPT TO", 250, 251)
            try await expect("DATA", "DATA", 354)
            var data = ByteBuffer(bytes: Self.dotStuffed(message.rendered))
            data.writeString(".\r\n")
            try await channel.writeAndFlush(data)
            try await expect(nil, "the message", 250)
        } catch let error as SMTPError {
            if case .refused = error { _ = try? await send("RSET", "RSET") }
            throw error
        }
    }

    func close() async {
        if channel.isActive { _ = try? await send("QUIT", "QUIT") }
        try? await channel.close()
    }

    /// The message's lines with a dot doubled where a line starts with one, CRLF line ends, ending in CRLF,
    /// so that no line of the message can end the DATA section early (RFC 5321 4.5.2).
    static func dotStuffed(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 64)
        var atLineStart = true
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { output.append(UInt8(ascii: "\r")) }
            if atLineStart, byte == UInt8(ascii: ".") { output.append(UInt8(ascii: ".")) }
            output.append(byte)
            atLineStart = byte == UInt8(ascii: "\n")
            previous = byte
        }
        if !atLineStart { output += [UInt8(ascii: "\r"), UInt8(ascii: "\n")] }
        return output
    }

    // MARK: Commands and replies

    /// Sends `line` (if any) and answers the server's reply, whatever its code.
    @discardableResult
    private func send(_ line: String?, _ command: String) async throws -> SMTPReply {
        let replies = replies
        let loop = channel.eventLoop
        let next = loop.submit { replies.value.nextReply(on: loop, timeout: Self.replyTimeout, waitingFor: command) }
        if let line { try await channel.writeAndFlush(ByteBuffer(string: line + "\r\n")) }
        return try await next.flatMap { $0 }.get()
    }

    /// Sends `line` and requires one of `codes` in the reply.
    @discardableResult
    private func expect(_ line: String?, _ command: String, _ codes: Int...) async throws -> SMTPReply {
        let reply = try await send(line, command)
        guard codes.contains(reply.code) else { throw SMTPError.refused(command: command, reply: reply) }
        return reply
    }

    /// The host name to check the certificate against (none for an address literal).
    private static func serverName(_ host: String) -> String? {
        host.allSatisfy { $0.isNumber || $0 == "." } || host.contains(":") ? nil : host
    }
}

/// Delivers over SMTP, one connection per delivery pass.
struct SMTPTransport: MailTransport {
    let settings: SMTPSettings
    let tls: NIOSSLContext
    let heloName: String
    let envelopeSender: String
    let group: any EventLoopGroup

    init(settings: SMTPSettings, heloName: String, envelopeSender: String, group: any EventLoopGroup) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let file = settings.trustedCertificatesFile {
            configuration.additionalTrustRoots = [.file(file)]
        }
        self.settings = settings
        self.tls = try NIOSSLContext(configuration: configuration)
        self.heloName = heloName
        self.envelopeSender = envelopeSender
        self.group = group
    }

    func open() async throws -> any MailSession {
        try await SMTPClient.connect(settings, tls: tls, heloName: heloName, envelopeSender: envelopeSender, group: group)
    }
}
