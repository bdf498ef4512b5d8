import AbuseDeskCore
import Foundation
import Vapor

/// The answers of the Report Abuse API, written with their properties in a fixed, readable order.
enum ReportAPIResponses {
    static func filed(_ id: String) -> StoredResponse {
        // Ids are base32: nothing in them needs escaping.
        StoredResponse(status: 200, body: #"{"code":"OK","message":"\#(id)","reportId":"\#(id)"}"#)
    }

    static func legacyFiled(_ ids: [String]) -> JSONValue {
        ["code": "Accepted", "message": .string("Filed \(ids.count) report\(ids.count == 1 ? "" : "s")."),
         "reportIds": .array(ids.map(JSONValue.string))]
    }

    static let validTest: JSONValue = [
        "code": "OK",
        "message": "The report is valid. It was a test submission: nothing was filed and nobody was notified.",
        "testSubmission": true,
    ]

    static func upload(_ stored: AttachmentStore.Stored) -> JSONValue {
        [["id": .string(stored.id), "name": .string(stored.name), "size": .number(Double(stored.size)), "sha256": .string(stored.sha256)]]
    }

    /// `{"code", "message", "errors": {"<path>": ["<message>", ...]}}`
    static func error(_ error: ClientError) -> JSONValue {
        var body: JSONObject = ["code": .string(error.code), "message": .string(error.message)]
        if !error.problems.isEmpty {
            body["errors"] = .object(JSONObject(ValidationFailure(error.problems).messagesByPath.map {
                ($0.path, JSONValue.array($0.messages.map(JSONValue.string)))
            }))
        }
        return .object(body)
    }

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok, headers: HTTPHeaders = [:]) -> Response {
        var headers = headers
        headers.contentType = .json
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes(value.serializedBytes())
        return Response(status: status, headers: headers, body: .init(buffer: buffer))
    }

    static func stored(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> StoredResponse {
        StoredResponse(status: Int(status.code), body: value.serialized())
    }

    /// A rendered answer; `replayed` marks one remembered for a retried `Idempotency-Key`.
    static func response(_ stored: StoredResponse, replayed: Bool = false) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        if replayed { headers.replaceOrAdd(name: "Idempotent-Replayed", value: "true") }
        return Response(status: .init(statusCode: stored.status), headers: headers, body: .init(string: stored.body))
    }
}

extension Request {
    /// The body parsed as JSON, after checking that it was sent as JSON.
    func jsonBody() throws -> JSONValue {
        let raw = headers.first(name: .contentType)
        // The usual value needs no parsing; anything else goes through the full media-type parser.
        if raw?.lowercased() != "application/json" {
            guard let contentType = headers.contentType, contentType.type == "application", contentType.subType == "json" else {
                throw ClientError.unsupportedMediaType(expected: "application/json", got: raw)
            }
            if let charset = contentType.parameters["charset"], charset.lowercased() != "utf-8" {
                throw ClientError.unsupportedMediaType(expected: "application/json in UTF-8", got: raw)
            }
        }
        guard let buffer = body.data, buffer.readableBytes > 0 else {
            throw ClientError(status: .badRequest, code: "MalformedJSON", message: "The body is empty; send the report as a JSON object.")
        }
        do {
            return try JSONParser.parse(buffer.readableBytesView)
        } catch {
            throw ClientError.malformedJSON(error)
        }
    }

    /// The `Idempotency-Key` header with the hash of this request's body, if the header was sent.
    func idempotencyKey(scope: String) throws -> ReportIntake.IdempotencyKey? {
        let values = headers["Idempotency-Key"]
        guard let value = values.first else { return nil }
        guard values.count == 1 else { throw ClientError.badHeader("Idempotency-Key", "must be sent once") }
        guard (1...255).contains(value.utf8.count), value.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }) else {
            throw ClientError.badHeader("Idempotency-Key", "must be 1 to 255 visible ASCII characters without spaces, such as a UUID")
        }
        let bytes = body.data.map { Array($0.readableBytesView) } ?? []
        return .init(key: scope + ":" + value, requestHash: sha256Hex(bytes))
    }
}
