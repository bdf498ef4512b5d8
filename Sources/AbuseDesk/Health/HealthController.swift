import Fluent
import Prometheus
import SQLKit
import Vapor

/// `/healthz` (the process runs), `/readyz` (the store answers) and `/metrics` (Prometheus text).
struct HealthController: RouteCollection {
    let registry: PrometheusCollectorRegistry

    private static let alive: ByteBuffer = ByteBuffer(string: #"{"status":"ok"}"#)

    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz", use: healthz)
        routes.get("readyz", use: readyz)
        routes.get("metrics", use: metrics)
    }

    @Sendable
    func healthz(_ request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(buffer: Self.alive))
    }

    @Sendable
    func readyz(_ request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        do {
            guard let sql = request.db as? any SQLDatabase else { throw StoreError.notSQL }
            _ = try await sql.raw("SELECT 1").all()
            return Response(status: .ok, headers: headers, body: .init(string: #"{"status":"ready"}"#))
        } catch {
            request.logger.warning("The store does not answer", metadata: ["error": "\(String(reflecting: error))"])
            return Response(status: .serviceUnavailable, headers: headers,
                            body: .init(string: #"{"status":"unavailable","message":"The store does not answer."}"#))
        }
    }

    @Sendable
    func metrics(_ request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(data: Data(registry.emitToBuffer())))
    }
}
