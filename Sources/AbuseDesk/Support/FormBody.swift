import AbuseDeskCore
import Vapor

extension Request {
    private struct FormKey: StorageKey {
        typealias Value = QueryParameters
    }

    /// The fields of an `application/x-www-form-urlencoded` body, read once per request (in time linear
    /// in the body's size, which the route caps) and kept for whoever asks next: the CSRF check and
    /// the handler read the same parse.
    func urlEncodedForm() throws -> QueryParameters {
        if let parsed = storage[FormKey.self] { return parsed }
        guard headers.contentType == .urlEncodedForm || body.data == nil else {
            throw ClientError.unsupportedMediaType(expected: "application/x-www-form-urlencoded", got: headers.contentType?.description)
        }
        let parsed = QueryParameters(body.data.map { String(buffer: $0) } ?? "", droppingEmpty: true)
        storage[FormKey.self] = parsed
        return parsed
    }
}
