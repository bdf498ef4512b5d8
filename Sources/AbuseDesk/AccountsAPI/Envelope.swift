import AbuseDeskCore
import Vapor

/// The provider-style envelope of the Accounts API and the admin API:
/// `{"success", "errors": [{"code", "message"}], "messages": [], "result", "result_info"?}`.
enum Envelope {
    /// Numeric error codes, stable across releases, by the code of the ``ClientError``.
    static let numericCodes: [String: Int] = [
        "AuthenticationError": 10000,
        "Forbidden": 10001,
        "MissingScope": 10002,
        "NotFound": 10003,
        "ValidationFailed": 10004,
        "InvalidParameter": 10004,
        "MalformedJSON": 10005,
        "UnsupportedMediaType": 10006,
        "PayloadTooLarge": 10007,
        "TooManyRequests": 10008,
        "MethodNotAllowed": 10009,
        "NotAppealable": 10010,
        "Conflict": 10011,
        "InvalidHeader": 10012,
        "URITooLong": 10013,
        "HeaderFieldsTooLarge": 10014,
        "UploadQuotaExceeded": 10015,
        "InternalError": 10500,
    ]

    static func numericCode(_ code: String, status: HTTPResponseStatus) -> Int {
        numericCodes[code] ?? (status.code >= 500 ? 10500 : 10400)
    }

    static func success(_ result: JSONValue, resultInfo: JSONValue? = nil, status: HTTPResponseStatus = .ok) -> Response {
        var body: JSONObject = ["success": true, "errors": [], "messages": [], "result": result]
        if let resultInfo { body["result_info"] = resultInfo }
        return ReportAPIResponses.json(.object(body), status: status)
    }

    /// One entry per validation problem (with the field it is about), or one for the error itself.
    static func errors(of error: ClientError) -> [JSONValue] {
        let code = JSONValue.number(Double(numericCode(error.code, status: error.status)))
        guard !error.problems.isEmpty else {
            return [["code": code, "message": .string(error.message)]]
        }
        return error.problems.map { problem in
            ["code": code, "message": .string(problem.path.isEmpty ? problem.message : "\(problem.path): \(problem.message)"),
             "field": .string(problem.path)]
        }
    }

    static func failure(_ error: ClientError) -> Response {
        let body: JSONValue = ["success": false, "errors": .array(errors(of: error)), "messages": [], "result": .null]
        return ReportAPIResponses.json(body, status: error.status, headers: error.headers)
    }

    /// A page of a list: the items and its `result_info`.
    static func success(_ result: JSONValue, page: PageRequest, count: Int, total: Int) -> Response {
        success(result, resultInfo: page.resultInfo(count: count, total: total))
    }

    static func success(_ result: JSONValue, page: PageRequest, count: Int, total: ListTotal) -> Response {
        success(result, resultInfo: page.resultInfo(count: count, total: total))
    }
}

extension ClientError {
    static let authentication = ClientError(status: .unauthorized, code: "AuthenticationError", message: "Authentication error")

    static func forbidden(_ message: String) -> ClientError {
        ClientError(status: .forbidden, code: "Forbidden", message: message)
    }

    static func missingScope(_ scope: TokenScope) -> ClientError {
        ClientError(status: .forbidden, code: "MissingScope",
                    message: "This token may not do this: it needs the \"\(scope.rawValue)\" scope. Ask your administrator for a token with it.")
    }

    static func notFound(_ message: String) -> ClientError {
        ClientError(status: .notFound, code: "NotFound", message: message)
    }

    /// The request is well formed, but the thing is not in a state that allows it.
    static func conflict(_ message: String, problems: [ValidationProblem] = []) -> ClientError {
        ClientError(status: .conflict, code: "Conflict", message: message, problems: problems)
    }

    /// Problems with the query or path of a request, named each.
    static func invalidParameters(_ problems: [ValidationProblem]) -> ClientError {
        let names = problems.map(\.path)
        return ClientError(status: .badRequest, code: "InvalidParameter",
                           message: "The request has \(problems.count) invalid parameter\(problems.count == 1 ? "" : "s"): \(names.joined(separator: ", ")).",
                           problems: problems)
    }
}
