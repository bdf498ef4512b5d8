import AbuseDeskCore
import Fluent
import Foundation
import Vapor

extension AttachmentStore {
    /// The file of an attachment as a download: never shown inline, never sniffed into something a
    /// browser would run, whatever it holds.
    func download(_ id: String, for request: Request) async throws -> Response {
        guard Identifier.isWellFormed(id), let attachment = try await AttachmentModel.find(id, on: request.db) else {
            throw ClientError.notFound("There is no attachment \(id).")
        }
        guard let bytes = try await contents(of: id, on: request.db) else {
            throw ClientError.notFound("The file of attachment \(id) is no longer stored.")
        }
        var headers = HTTPHeaders()
        headers.contentType = .binary
        // Files stored before names were made safe are made safe on the way out.
        let name = AttachmentKind(mediaType: attachment.mediaType)?.safeName(attachment.name) ?? attachment.name
        headers.replaceOrAdd(name: .contentDisposition, value: Self.contentDisposition(for: name))
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'none'; sandbox")
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(buffer: ByteBuffer(bytes: bytes)))
    }

    /// `attachment; filename="..."; filename*=UTF-8''...` with the name made safe for a header.
    static func contentDisposition(for name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ascii
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}
