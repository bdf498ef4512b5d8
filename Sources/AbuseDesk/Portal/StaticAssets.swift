import Crypto
import Foundation
import Vapor

/// The portal's styles, script and icon, read once at start and served from memory: no file-system
/// look-up on any request, an ETag per file so that browsers revalidate cheaply.
struct StaticAssets: RouteCollection {
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: HTTPMediaType
        var etag: String
    }

    /// Request path (e.g. `css/site.css`) → asset.
    let assets: [String: Asset]

    /// Every file under `folder`, by its path relative to it.
    init(folder: String) throws {
        let root = URL(fileURLWithPath: folder).standardizedFileURL
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw OpenAPIDocument.Unreadable(description: "the folder \(folder) cannot be read")
        }
        var assets: [String: Asset] = [:]
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(root.path.count + 1))
            let data = try Data(contentsOf: url)
            let digest = SHA256.hash(data: data).prefix(12).map { String(format: "%02x", $0) }.joined()
            assets[relative] = Asset(body: ByteBuffer(data: data),
                                     contentType: HTTPMediaType.fileExtension(url.pathExtension) ?? .binary,
                                     etag: "\"\(digest)\"")
        }
        self.assets = assets
    }

    func boot(routes: any RoutesBuilder) throws {
        for (path, asset) in assets {
            let components = path.split(separator: "/").map { PathComponent(stringLiteral: String($0)) }
            routes.on(.GET, components) { request in Self.respond(asset, to: request) }
        }
    }

    static func respond(_ asset: Asset, to request: Request) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .eTag, value: asset.etag)
        // Revalidated after an hour: a new release changes the ETag, not the name.
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        if request.headers[.ifNoneMatch].contains(where: { $0.split(separator: ",").contains { $0.trimmingCharacters(in: .whitespaces) == asset.etag } }) {
            return Response(status: .notModified, headers: headers)
        }
        headers.contentType = asset.contentType
        return Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
    }
}
