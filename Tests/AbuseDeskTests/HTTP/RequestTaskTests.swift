import Testing
import Vapor
import VaporTesting
@testable import AbuseDesk

/// A request's middleware and handler run in one task, a read's on the event loop that received it
/// (``RequestTaskMiddleware``, ``RoutesBuilder/grouped(inTask:)``).
@Suite struct RequestTaskTests {
    /// Where a piece of a request's work ran.
    struct Place: Content, Equatable {
        var task: Int
        var onEventLoop: Bool
        var readConnectionsGiven: Bool
    }

    /// Notes where it ran, for the handler to compare with where it runs.
    struct Notes: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            request.storage[NotedKey.self] = RequestTaskTests.here(request)
            return try await next.respond(to: request)
        }
    }

    private struct NotedKey: StorageKey { typealias Value = Place }

    static func here(_ request: Request) -> Place {
        Place(task: withUnsafeCurrentTask { $0?.hashValue } ?? 0, onEventLoop: request.eventLoop.inEventLoop,
              readConnectionsGiven: SQLiteReadConnections.current != nil)
    }

    /// The service's middleware, in its order, in front of routes behind ``Notes``.
    private func withApp(readsOnEventLoop: Bool = true, _ test: (Application) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        app.middleware = Middlewares()
        app.middleware.use(RequestLogMiddleware())
        app.middleware.use(ErrorMiddleware())
        app.middleware.use(RequestTaskMiddleware(connections: SQLiteReadConnections(), readsOn: readsOnEventLoop ? app.eventLoopGroup : nil))
        let noted = app.grouped(inTask: Notes())
        let both: @Sendable (Request) async throws -> [Place] = { request in
            [try #require(request.storage[NotedKey.self]), Self.here(request)]
        }
        noted.get("where", use: both)
        noted.post("where", use: both)
        do {
            try await test(app)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// Where the middleware and the handler of a request to `where` ran, having checked that it was one task.
    private func places(_ method: HTTPMethod, readsOnEventLoop: Bool = true,
                        sourceLocation: SourceLocation = #_sourceLocation) async throws -> [Place] {
        var places: [Place] = []
        try await withApp(readsOnEventLoop: readsOnEventLoop) { app in
            try await app.testing().test(method, "where") { response in
                #expect(response.status == .ok, sourceLocation: sourceLocation)
                places = try response.content.decode([Place].self)
            }
        }
        #expect(places.count == 2 && places[0] == places[1] && places[0].task != 0,
                "the middleware and the handler ran in different tasks", sourceLocation: sourceLocation)
        return places
    }

    @Test func aReadsMiddlewareAndHandlerRunInOneTaskOnItsEventLoop() async throws {
        #expect(try await places(.GET).allSatisfy { $0.onEventLoop && $0.readConnectionsGiven })
    }

    @Test func givenNoLoopsAReadRunsInOneTaskOnTheTaskPool() async throws {
        #expect(try await places(.GET, readsOnEventLoop: false).allSatisfy { !$0.onEventLoop })
    }

    @Test func aWriteRunsInOneTaskOnTheTaskPool() async throws {
        #expect(try await places(.POST).allSatisfy { !$0.onEventLoop && $0.readConnectionsGiven })
    }

    @Test func aHandlerErrorIsAnsweredByTheErrorMiddlewareInFrontOfTheTask() async throws {
        try await withApp { app in
            app.grouped(inTask: Notes()).get("broken") { _ async throws -> String in throw ClientError.notFound("There is nothing here.") }
            try await app.testing().test(.GET, "broken") { response in
                #expect(response.status == .notFound)
                #expect(response.body.string.contains("There is nothing here."))
            }
        }
    }
}
