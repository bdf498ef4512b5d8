import AbuseDeskCore
import Fluent
import Prometheus
import SQLKit
import Vapor

/// `/healthz` (the process runs), `/readyz` (the store answers) and `/metrics` (Prometheus text, for
/// loopback and private networks, or for the bearer of `ABUSEDESK_METRICS_TOKEN`).
struct HealthController: RouteCollection {
    let registry: PrometheusCollectorRegistry
    let metricsToken: String?
    let trustForwardedFor: Bool

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
        guard mayReadMetrics(request) else {
            throw ClientError.forbidden("The metrics are served to loopback and private networks, or with the bearer token of ABUSEDESK_METRICS_TOKEN.")
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(data: Data(registry.emitToBuffer())))
    }

    /// A scraper on this host or a private network, or one that shows the metrics token.
    private func mayReadMetrics(_ request: Request) -> Bool {
        if let metricsToken, let header = request.headers.first(name: .authorization) {
            let parts = header.split(separator: " ", maxSplits: 1)
            return parts.count == 2 && parts[0].lowercased() == "bearer"
                && FormProtection.constantTimeEquals(String(parts[1]).trimmingWhitespace(), metricsToken)
        }
        return IPAddress(request.clientAddress(trustForwardedFor: trustForwardedFor))?.isLoopbackOrPrivate == true
    }
}
