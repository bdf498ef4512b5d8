import NIOConcurrencyHelpers

/// Where the code under test waits until the test lets it go: each task that comes to the gate is
/// announced in `arrivals` and waits there until the test opens its ``Waiter`` (or the task is
/// cancelled). Lets a test step through work that would otherwise sleep on the real clock.
final class Gate: Sendable {
    let arrivals: AsyncStream<Waiter>
    private let announce: AsyncStream<Waiter>.Continuation

    init() {
        (arrivals, announce) = AsyncStream.makeStream(of: Waiter.self)
    }

    /// No more arrivals: whoever waits for the next one gets `nil` (the work under test ended).
    func close() { announce.finish() }

    /// Called by the code under test: announces itself, then waits to be let through.
    func wait() async throws {
        let waiter = Waiter()
        announce.yield(waiter)
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { waiter.park($0) }
        } onCancel: {
            waiter.resume(.failure(CancellationError()))
        }
    }

    /// One task at the gate.
    final class Waiter: Sendable {
        private enum State {
            case arrived
            case parked(CheckedContinuation<Void, any Error>)
            case letGo(Result<Void, any Error>)
            case gone
        }
        private let state = NIOLockedValueBox(State.arrived)

        /// Lets the task through.
        func open() { resume(.success(())) }

        fileprivate func park(_ continuation: CheckedContinuation<Void, any Error>) {
            let early: Result<Void, any Error>? = state.withLockedValue { state in
                guard case .letGo(let result) = state else {
                    state = .parked(continuation)
                    return nil
                }
                state = .gone
                return result
            }
            if let early { continuation.resume(with: early) }
        }

        fileprivate func resume(_ result: Result<Void, any Error>) {
            let parked: CheckedContinuation<Void, any Error>? = state.withLockedValue { state in
                switch state {
                case .arrived:
                    state = .letGo(result)
                    return nil
                case .parked(let continuation):
                    state = .gone
                    return continuation
                case .letGo, .gone:
                    return nil
                }
            }
            parked?.resume(with: result)
        }
    }
}
