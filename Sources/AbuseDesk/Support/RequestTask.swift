import Vapor

/// A request's handler and the async middleware in front of it run in one task.
///
/// Vapor chains middleware through futures: each `AsyncMiddleware` starts a task of its own and waits
/// for the next responder's future, so a request behind two of them (the store's read connections,
/// then the bearer token) was three tasks, each handing its answer to the event loop and the event loop
/// handing it back to the task that waited — six hand-overs between threads for one answer, on two
/// cores a fifth of a list's time. Middleware grouped here calls the next responder as an `async`
/// function instead, and the request's first task (``RequestTaskMiddleware``) runs the whole chain.
extension RoutesBuilder {
    /// Routes behind `middleware`, called in order, each awaiting the next in the same task.
    func grouped(inTask middleware: any AsyncMiddleware...) -> any RoutesBuilder {
        InTaskMiddlewareGroup(root: self, middleware: middleware)
    }

    /// The same with a list (which may be empty).
    func grouped(inTask middleware: [any AsyncMiddleware]) -> any RoutesBuilder {
        InTaskMiddlewareGroup(root: self, middleware: middleware)
    }
}

extension Responder {
    /// This responder as an async function: itself when it is one (a handler, or middleware grouped
    /// in task), otherwise waiting for its future.
    var inTask: any AsyncResponder {
        if let responder = self as? any AsyncResponder { return responder }
        return AsyncBasicResponder { request in try await self.respond(to: request).get() }
    }
}

private struct InTaskMiddlewareGroup: RoutesBuilder {
    let root: any RoutesBuilder
    let middleware: [any AsyncMiddleware]

    func add(_ route: Route) {
        var responder = route.responder.inTask
        for middleware in middleware.reversed() {
            responder = ChainedResponder(middleware: middleware, next: responder)
        }
        route.responder = responder
        root.add(route)
    }
}

private struct ChainedResponder: AsyncResponder {
    let middleware: any AsyncMiddleware
    let next: any AsyncResponder

    func respond(to request: Request) async throws -> Response {
        try await middleware.respond(to: request, chainingTo: next)
    }
}

/// Runs the jobs of the tasks that prefer it on an event loop (a read's, ``RequestTaskMiddleware``).
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
