import AbuseDeskCore
import Fluent
import Foundation

/// Files reports from every channel: validates them, routes them to an account and queues them for
/// the group-committed write. The portal, the Report Abuse API, v1 and the Accounts API all come here.
struct ReportIntake: Sendable {
    let validator: ReportValidator
    let legacy: LegacyReportTranslator
    let queue: IntakeQueue
    let directory: AccountDirectory
    let attachments: AttachmentStore
    let idempotency: IdempotencyStore
    let metrics: AppMetrics
    let notices: Notices
    let now: @Sendable () -> Date

    /// What became of a submission.
    enum Result: Sendable {
        /// Filed: the new reports' ids and the answer rendered for them.
        case filed([String], StoredResponse)
        /// Valid, and a test: nothing was filed.
        case validTest
        /// The idempotency key was answered before: the first answer, nothing new filed.
        case replayed(StoredResponse)
    }

    /// An `Idempotency-Key` with the hash of the request it came with.
    struct IdempotencyKey: Sendable {
        var key: String
        var requestHash: String
    }

    /// Files a Report Abuse API v2.0 report (or a portal report, built into the same shape) and queues
    /// its reporter's receipt in the same transaction; a test submission files and sends nothing.
    /// `answer` renders the success response for the new ids, to be stored with the idempotency key.
    func submit(_ body: JSONValue, channel: IntakeChannel, key: IdempotencyKey?, submitterAccountID: String? = nil,
                database: @autoclosure () -> any Database, answer: @Sendable ([String]) -> StoredResponse) async throws -> Result {
        if let key, let replay = try await idempotency.previousAnswer(for: key, now: now(), on: database()) {
            return .replayed(replay)
        }
        let now = now()
        let wanted = ReportValidator.attachmentIDs(in: body)
        let available = wanted.isEmpty ? [] : try await attachments.available(wanted, now: now, on: database())
        let context = ReportValidator.Context(channel: channel, now: now, availableAttachmentIDs: available)
        switch validator.validate(body, context: context) {
        case .failure(let failure):
            metrics.validationFailed(channel: channel)
            throw ClientError.validation(failure, noun: "report")
        case .success(let draft) where draft.isTest:
            return .validTest
        case .success(let draft):
            let table = directory.current
            let record = ReportRecord(draft: draft, channel: channel, receivedAt: now, router: table.router,
                                      submitterAccountID: submitterAccountID)
            return try await file([record], routedBy: table, key: key, answer: answer)
        }
    }

    /// Files every threat of a v1 request as one report each, or none of them, each with its receipt.
    func submitLegacy(_ body: JSONValue, answer: @Sendable ([String]) -> StoredResponse) async throws -> Result {
        let now = now()
        let context = ReportValidator.Context(channel: .legacyAPI, now: now)
        switch legacy.validate(body, context: context) {
        case .failure(let failure):
            metrics.validationFailed(channel: .legacyAPI)
            throw ClientError.validation(failure, noun: "request")
        case .success(let submission) where submission.isTest:
            return .validTest
        case .success(let submission):
            let table = directory.current
            let records = submission.drafts.map { ReportRecord(draft: $0, channel: .legacyAPI, receivedAt: now, router: table.router) }
            return try await file(records, routedBy: table, key: nil, answer: answer)
        }
    }

    /// Files a report from the portal's form (validated there, its attachment stored) and queues the
    /// reporter's receipt in the same transaction. Answers the report id.
    func filePortalReport(_ draft: ReportDraft) async throws -> String {
        let table = directory.current
        return try await file(ReportRecord(draft: draft, channel: .portal, receivedAt: now(), router: table.router), routedBy: table)
    }

    /// Files one report and queues its reporter's receipt in the same transaction. Answers the report id.
    /// A report routed by `table` is routed again if the store's routing has changed when it is written.
    func file(_ record: ReportRecord, routedBy table: AccountDirectory.Table? = nil) async throws -> String {
        let result = try await file([record], routedBy: table, key: nil) { _ in StoredResponse(status: 200, body: "") }
        guard case .filed(let ids, _) = result, let id = ids.first else { throw StoreError.notFiled }
        return id
    }

    /// Queues `records` for one transaction with one receipt for all of them: every request that files,
    /// from whichever channel, is acknowledged by e-mail once (within the address's hourly budget).
    private func file(_ records: [ReportRecord], routedBy table: AccountDirectory.Table?, key: IdempotencyKey?,
                      answer: @Sendable ([String]) -> StoredResponse) async throws -> Result {
        let ids = records.map(\.id)
        let response = answer(ids)
        let claim = key.map { IdempotencyClaim(key: $0.key, requestHash: $0.requestHash, response: response) }
        let receipts = notices.receipt(for: records).map { [$0] } ?? []
        switch try await queue.file(IntakeJob(records: records, claim: claim, messages: receipts, routingVersion: table?.version)) {
        case .filed:
            metrics.reportsFiled(records.count, channel: records[0].channel)
            return .filed(ids, response)
        case .replayed(let response):
            return .replayed(response)
        case .keyReused:
            throw ClientError.idempotencyKeyReused
        case .attachmentTaken(let id):
            throw ClientError(status: .conflict, code: "AttachmentTaken",
                              message: "The attachment \(id) was attached to another report meanwhile; upload the file again.")
        }
    }
}

extension ClientError {
    static let idempotencyKeyReused = ClientError(
        status: .unprocessableEntity, code: "IdempotencyKeyReused",
        message: "This Idempotency-Key was used within the last 24 hours for a different request; use a new key for a new report.")
}
