import NIOCore

/// One reply of an SMTP server: its three-digit code and its lines of text (several for `250-...`).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var isPositive: Bool { (200..<400).contains(code) }
    /// 5xx: the server refuses for good; retrying the same thing will not help.
    var isPermanentFailure: Bool { code >= 500 }
    var text: String { lines.joined(separator: " / ") }
}

/// Splits the server's bytes into replies: lines `NNN-text` continue a reply, `NNN text` ends it.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply
    /// Longer lines than any server sends in practice mean the peer is not speaking SMTP.
    static let maximumLineLength = 4096
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw SMTPError.protocolViolation("a reply line longer than \(Self.maximumLineLength) bytes") }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        guard var line = buffer.readString(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code) else {
            throw SMTPError.protocolViolation("a reply that does not start with a status code: \"\(line.prefix(80))\"")
        }
        lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return .continue }
        let reply = SMTPReply(code: code, lines: lines)
        lines = []
        context.fireChannelRead(wrapInboundOut(reply))
        return .continue
    }
}

/// Hands each reply to whoever waits for the next one, in order; a reply that comes before anyone asks
/// is kept. When the connection fails or closes, every waiter learns why.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply

    private var waiting = CircularBuffer<(promise: EventLoopPromise<SMTPReply>, timeout: Scheduled<Void>)>()
    private var arrived = CircularBuffer<SMTPReply>()
    private var failure: SMTPError?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        if let next = waiting.popFirst() {
            next.timeout.cancel()
            next.promise.succeed(reply)
        } else {
            arrived.append(reply)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error as? SMTPError ?? .connection(String(describing: error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connection("the server closed the connection"))
        context.fireChannelInactive()
    }

    /// The next reply, failed after `timeout` if none comes. Call on the channel's event loop.
    func nextReply(on loop: any EventLoop, timeout: TimeAmount, waitingFor command: String) -> EventLoopFuture<SMTPReply> {
        if let reply = arrived.popFirst() { return loop.makeSucceededFuture(reply) }
        if let failure { return loop.makeFailedFuture(failure) }
        let promise = loop.makePromise(of: SMTPReply.self)
        let timer = loop.assumeIsolated().scheduleTask(in: timeout) { [self] in
            guard let index = waiting.firstIndex(where: { $0.promise.futureResult === promise.futureResult }) else { return }
            waiting.remove(at: index)
            promise.fail(SMTPError.timeout(command))
        }
        waiting.append((promise, timer))
        return promise.futureResult
    }

    private func fail(_ error: SMTPError) {
        if failure == nil { failure = error }
        while let next = waiting.popFirst() {
            next.timeout.cancel()
            next.promise.fail(error)
        }
    }
}

/// Why a message could not be handed to the mail server.
enum SMTPError: Error, CustomStringConvertible, Equatable {
    case connection(String)
    case timeout(String)
    case protocolViolation(String)
    case tls(String)
    /// The server answered `command` with a refusal.
    case refused(command: String, reply: SMTPReply)
    case unsupported(String)

    /// Whether the same message would be refused again: the server said so with a 5xx.
    var isPermanent: Bool {
        if case .refused(_, let reply) = self { return reply.isPermanentFailure }
        return false
    }

    var description: String {
        switch self {
        case .connection(let why): "connection to the mail server failed: \(why)"
        case .timeout(let command): "the mail server did not answer \(command) in time"
        case .protocolViolation(let what): "the mail server sent \(what)"
        case .tls(let why): "TLS with the mail server failed: \(why)"
        case .refused(let command, let reply): "the mail server refused \(command): \(reply.code) \(reply.text)"
        case .unsupported(let what): what
        }
    }
}
