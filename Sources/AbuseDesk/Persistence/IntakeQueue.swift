import AbuseDeskCore
import Fluent
import Foundation
import Logging
import SQLKit

/// Files reports with group commit: requests that arrive while a transaction is being written wait
/// together and go into the next one. Every request is answered only after the transaction holding
/// its reports has committed, so an answered report is durable; but the cost of a commit (an fsync on
/// SQLite) is shared by all the reports in it.
///
/// The queue runs on the store's writer thread (``WriterThread``), not on the shared executors.
actor IntakeQueue {
    private struct Pending {
        var job: IntakeJob
        var continuation: CheckedContinuation<IntakeOutcome, any Error>
    }

    private let database: any IntakeDatabase
    private let now: @Sendable () -> Date
    private let maximumBatch: Int
    private let receiptsPerHour: Int
    private let logger: Logger
    private let metrics: AppMetrics
    /// Routes again the reports routed by a table older than the store's (another process changed an account).
    private let directory: AccountDirectory?
    private var pending: [Pending] = []
    private var writing = false
    /// Callers of `close()` waiting for the queue to empty.
    private var drainWaiters: [CheckedContinuation<Void, Never>] = []

    private nonisolated let executor: any SerialExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(database: any IntakeDatabase, now: @escaping @Sendable () -> Date,
         maximumBatch: Int, receiptsPerHour: Int, logger: Logger, metrics: AppMetrics, directory: AccountDirectory? = nil) {
        self.database = database
        self.directory = directory
        executor = database.eventLoop.executor
        self.now = now
        self.maximumBatch = max(1, maximumBatch)
        self.receiptsPerHour = receiptsPerHour
        self.logger = logger
        self.metrics = metrics
    }

    /// Files the job's reports (or finds its idempotency key answered) and returns once committed.
    func file(_ job: IntakeJob) async throws -> IntakeOutcome {
        try await withCheckedThrowingContinuation { continuation in
            pending.append(Pending(job: job, continuation: continuation))
            if !writing {
                writing = true
                Task { await self.drain() }
            }
        }
    }

    /// Closes the store connection once everything queued is written. The writer's thread is shut
    /// down from outside it.
    @concurrent
    nonisolated func close() async {
        await drained()
        await database.close()
    }

    private func drained() async {
        if writing {
            await withCheckedContinuation { drainWaiters.append($0) }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            // Take whole jobs up to the batch size (a single large job still goes alone).
            var taken = 1
            var reports = pending[0].job.records.count
            while taken < pending.count, reports + pending[taken].job.records.count <= maximumBatch {
                reports += pending[taken].job.records.count
                taken += 1
            }
            let batch = Array(pending[..<taken])
            pending.removeFirst(taken)
            await write(batch)
        }
        writing = false
        for waiter in drainWaiters { waiter.resume() }
        drainWaiters = []
    }

    private func write(_ batch: [Pending]) async {
        let started = ContinuousClock.now
        do {
            let written = try await commit(batch.map(\.job))
            metrics.intakeBatch(size: batch.count, duration: ContinuousClock.now - started)
            metrics.receiptsSkipped(written.receiptsSkipped)
            for (pending, outcome) in zip(batch, written.outcomes) { pending.continuation.resume(returning: outcome) }
        } catch where batch.count > 1 {
            // One bad job must not fail the others: write each alone.
            logger.warning("Intake batch failed; writing its jobs one by one", metadata: ["error": "\(String(reflecting: error))", "batch.size": "\(batch.count)"])
            for pending in batch { await write([pending]) }
        } catch {
            logger.error("Filing a report failed", metadata: ["error": "\(String(reflecting: error))"])
            batch[0].continuation.resume(throwing: error)
        }
    }

    private func commit(_ jobs: [IntakeJob]) async throws -> ReportWriter.Written {
        let now = now()
        return try await ReportWriter.write(jobs, to: database, now: now, receiptsPerHour: receiptsPerHour, directory: directory)
    }
}

enum StoreError: Error, CustomStringConvertible {
    case notSQL
    case notFiled
    case missingAuditHead

    var description: String {
        switch self {
        case .notSQL: "the configured database does not speak SQL"
        case .notFiled: "the report was not filed"
        case .missingAuditHead: "the audit log's head row is missing: the store was altered by hand"
        }
    }
}
