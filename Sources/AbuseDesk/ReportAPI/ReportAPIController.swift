import AbuseDeskCore
import Foundation
import Vapor

/// `POST /report/v2.0/abuse`, `POST /report/v2.0/file` and `GET /report/v2.0/taxonomy`.
struct ReportAPIController: RouteCollection {
    let intake: ReportIntake
    let uploads: UploadHandler
    let taxonomyJSON: ByteBuffer
    let now: @Sendable () -> Date

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("report", "v2.0")
        api.on(.POST, "abuse", body: .collect(maxSize: BodyLimits.json), use: fileReport)
        api.on(.POST, "file", body: .collect(maxSize: BodyLimits.upload), use: uploads.upload)
        api.get("taxonomy", use: taxonomy)
    }

    @Sendable
    func fileReport(_ request: Request) async throws -> Response {
        let body = try request.jsonBody()
        let submitter = try await submittingAccount(request)
        // A key belongs to its caller: an account's token, or anonymous callers among themselves.
        let key = try request.idempotencyKey(scope: "report:" + (submitter.map { "account:" + $0 } ?? "anonymous"))
        let result = try await intake.submit(body, channel: .reportAPI, key: key, submitterAccountID: submitter, database: request.db) { ids in
            ReportAPIResponses.filed(ids[0])
        }
        switch result {
        case .filed(let ids, let answer):
            // The request's log line, written when the answer goes out, names the report.
            request.logger[metadataKey: "report.id"] = .string(ids[0])
            request.reportsFiled = ids.count
            return ReportAPIResponses.response(answer)
        case .validTest:
            return ReportAPIResponses.json(ReportAPIResponses.validTest)
        case .replayed(let stored):
            return ReportAPIResponses.response(stored, replayed: true)
        }
    }

    /// The account whose token came with the report (no token: an anonymous reporter). A token that is
    /// sent must be a valid account token with the `edit` scope.
    private func submittingAccount(_ request: Request) async throws -> String? {
        guard request.headers.first(name: .authorization) != nil else { return nil }
        guard let secret = BearerAuthentication.bearerSecret(request),
              let principal = try await BearerAuthentication.principal(for: secret, on: request.db, now: now()) else {
            throw ClientError(status: .unauthorized, code: "Unauthorized",
                              message: "The bearer token is not valid. Send the report without an Authorization header, or with a token of your account.")
        }
        guard case .account(let id, let scopes) = principal else {
            throw ClientError.forbidden("This is an operator's token; reports are filed with an account's token or none.")
        }
        guard scopes.contains(.edit) else { throw ClientError.missingScope(.edit) }
        return id
    }

    @Sendable
    func taxonomy(_ request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(buffer: taxonomyJSON))
    }
}
