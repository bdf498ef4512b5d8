import AbuseDeskCore
import Foundation
import Vapor

/// The deprecated v1 API, `POST /engage/cars`: files each threat of the older format as a report.
/// Every answer says it is deprecated; from the sunset date on it answers 410 Gone.
struct LegacyAPIController: RouteCollection {
    let intake: ReportIntake
    let sunset: Date
    let deprecation: Date
    let now: @Sendable () -> Date
    /// Runs inside the deprecation headers, so that its refusals carry them too.
    let rateLimit: [any AsyncMiddleware]

    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(inTask: [DeprecationMiddleware(sunset: sunset, deprecation: deprecation)] + rateLimit)
            .on(.POST, "engage", "cars", body: .collect(maxSize: BodyLimits.json), use: file)
    }

    @Sendable
    func file(_ request: Request) async throws -> Response {
        guard now() < sunset else {
            throw ClientError(status: .gone, code: "Gone",
                              message: "The v1 API was retired on \(HTTPDate.format(sunset)). File reports with POST /report/v2.0/abuse; it is described at /report/developer.")
        }
        let body = try request.jsonBody()
        let result = try await intake.submitLegacy(body) { ids in
            ReportAPIResponses.stored(ReportAPIResponses.legacyFiled(ids), status: .accepted)
        }
        switch result {
        case .filed(let ids, let answer):
            request.logger[metadataKey: "report.ids"] = .string(ids.joined(separator: ","))
            request.reportsFiled = ids.count
            return ReportAPIResponses.response(answer)
        case .validTest:
            return ReportAPIResponses.json(ReportAPIResponses.validTest)
        case .replayed(let stored):
            return ReportAPIResponses.response(stored, replayed: true)
        }
    }

    /// `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and the successor link, on every answer.
    struct DeprecationMiddleware: AsyncMiddleware {
        let sunset: Date
        let deprecation: Date

        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let response: Response
            do {
                response = try await next.respond(to: request)
            } catch {
                response = await ErrorMiddleware().render(error, for: request)
            }
            response.headers.replaceOrAdd(name: "Deprecation", value: "@\(Int(deprecation.timeIntervalSince1970))")
            response.headers.replaceOrAdd(name: "Sunset", value: HTTPDate.format(sunset))
            response.headers.replaceOrAdd(name: .link, value: "</report/v2.0/abuse>; rel=\"successor-version\"")
            return response
        }
    }
}
