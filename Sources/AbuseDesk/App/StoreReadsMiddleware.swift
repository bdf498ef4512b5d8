import Vapor

/// Gives each request the service's own SQLite connections for its lists' statements
/// (``SQLiteReadConnections``); on PostgreSQL there are none and the pool answers as always.
struct StoreReadsMiddleware: AsyncMiddleware {
    let connections: SQLiteReadConnections

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await SQLiteReadConnections.$current.withValue(connections) { try await next.respond(to: request) }
    }
}
