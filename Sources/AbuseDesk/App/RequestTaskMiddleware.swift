import Vapor

/// Where a request's task begins: the last of the service's middleware, it runs the route's
/// middleware and handler (grouped with ``RoutesBuilder/grouped(inTask:)``) in one task, and gives the
/// task the service's own SQLite connections for its lists' statements (``SQLiteReadConnections``; on
/// PostgreSQL there are none and the pool answers as always).
///
/// A read (`GET`, `HEAD`) runs on the event loop that received it: its statements, its page and its
/// answer are done where the answer is written, with no hand-over to Swift's task pool and back. On
/// SQLite a read's statements are short or are sent to a thread of their own (``SQLiteReadConnections``);
/// at a million reports the queue's default view 3.3 → 2.8 ms p50 at 8 connections, a domain of a fifth
/// 6.5 → 5.5, `/healthz` 0.56 → 0.36. On PostgreSQL a read's connection comes from its loop's own pool
/// and is held by the read's task itself (``PostgresRows``), so a statement is written and its rows read
/// on the thread that runs the read: every list 10–30 % faster at p50, and no slower at p99 (a case file
/// 16.3 and 17.7 → 10.7 and 12.1 ms p50). Everything else runs on the task pool: a write may parse
/// megabytes (an upload), and keeps the loops free to read the next requests while it does.
struct RequestTaskMiddleware: Middleware {
    let connections: SQLiteReadConnections
    /// An executor for each event loop reads run on, made once.
    private let loopExecutors: [ObjectIdentifier: EventLoopTaskExecutor]

    /// `readsOn`: the loops whose reads run on them (the service's event loops), or nil to run every
    /// request on the task pool.
    init(connections: SQLiteReadConnections, readsOn loops: (any EventLoopGroup)?) {
        self.connections = connections
        var executors: [ObjectIdentifier: EventLoopTaskExecutor] = [:]
        if let loops {
            for loop in loops.makeIterator() { executors[ObjectIdentifier(loop)] = EventLoopTaskExecutor(loop) }
        }
        loopExecutors = executors
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let next = next.inTask
        let promise = request.eventLoop.makePromise(of: Response.self)
        let work: @Sendable () async -> Void = { [connections] in
            do {
                promise.succeed(try await SQLiteReadConnections.$current.withValue(connections) { try await next.respond(to: request) })
            } catch {
                promise.fail(error)
            }
        }
        if request.method == .GET || request.method == .HEAD, let executor = loopExecutors[ObjectIdentifier(request.eventLoop)] {
            Task(executorPreference: executor, operation: work)
        } else {
            Task(operation: work)
        }
        return promise.futureResult
    }
}
