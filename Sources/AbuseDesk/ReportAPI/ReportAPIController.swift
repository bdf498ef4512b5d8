import AbuseDeskCore
import Foundation
import Vapor

/// `POST /report/v2.0/abuse`, `POST /report/v2.0/file` and `GET /report/v2.0/taxonomy`.
struct ReportAPIController: RouteCollection {
    let intake: ReportIntake
    let uploads: UploadHandler
    let taxonomyJSON: ByteBuffer

    func boot(routes: any RoutesBuilder) throws {
        let api = routes.grouped("report", "v2.0")
        api.on(.POST, "abuse", body: .collect(maxSize: BodyLimits.json), use: fileReport)
        api.on(.POST, "file", body: .collect(maxSize: BodyLimits.upload), use: uploads.upload)
        api.get("taxonomy", use: taxonomy)
    }

    @Sendable
    func fileReport(_ request: Request) async throws -> Response {
        let body = try request.jsonBody()
        let key = try request.idempotencyKey(scope: "report")
        let result = try await intake.submit(body, channel: .reportAPI, key: key, database: request.db) { ids in
            ReportAPIResponses.filed(ids[0])
        }
        switch result {
        case .filed(let ids, let answer):
            // The request's log line, written when the answer goes out, names the report.
            request.logger[metadataKey: "report.id"] = .string(ids[0])
            return ReportAPIResponses.response(answer)
        case .validTest:
            return ReportAPIResponses.json(ReportAPIResponses.validTest)
        case .replayed(let stored):
            return ReportAPIResponses.response(stored, replayed: true)
        }
    }

    @Sendable
    func taxonomy(_ request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(buffer: taxonomyJSON))
    }
}
