import AbuseDeskCore
import Foundation
import Vapor

/// `POST /report/v2.0/file`: one multipart part named `file`, at most 10 MiB, of a kind recognised
/// by its contents. Answers `[{"id", "name", "size", "sha256"}]`.
/// Files no report claims yet count against their address's quota (`ABUSEDESK_UPLOAD_QUOTA_MB` an hour).
struct UploadHandler: Sendable {
    let store: AttachmentStore
    let quotaBytes: Int
    let trustForwardedFor: Bool
    let now: @Sendable () -> Date

    @Sendable
    func upload(_ request: Request) async throws -> Response {
        guard let contentType = request.headers.contentType, contentType.type == "multipart", contentType.subType == "form-data",
              let boundary = contentType.parameters["boundary"], !boundary.isEmpty else {
            throw ClientError.unsupportedMediaType(expected: "multipart/form-data with one part named \"file\"",
                                                   got: request.headers.first(name: .contentType))
        }
        let parts: [MultipartForm.Part]
        do {
            parts = try MultipartForm.parse(request.body.data.map { Array($0.readableBytesView) } ?? [], boundary: boundary)
        } catch {
            throw ClientError(status: .badRequest, code: "MalformedMultipart",
                              message: "The body is not valid multipart/form-data: \(error). Send one part named \"file\".")
        }
        var check = FieldChecker()
        let files = parts.filter { $0.disposition.name == "file" }
        for part in parts where part.disposition.name != "file" {
            check.problem(part.disposition.name ?? "(unnamed part)", .unknownProperty, "Is not accepted; send exactly one part named \"file\".")
        }
        if files.isEmpty {
            check.problem("file", .required, "Required: one part named \"file\" holding the attachment.")
        } else if files.count > 1 {
            check.problem("file", .tooMany, "Send one file per request; got \(files.count) parts named \"file\".")
        }
        guard check.problems.isEmpty, let file = files.first else { throw ClientError.validation(ValidationFailure(check.problems), noun: "upload") }

        let bytes = Array(file.body)
        guard bytes.count <= AttachmentKind.maximumSize else {
            throw ClientError(status: .payloadTooLarge, code: "PayloadTooLarge",
                              message: "The file is \(bytes.count) bytes; at most 10 MiB (\(AttachmentKind.maximumSize) bytes) are accepted.")
        }
        guard !bytes.isEmpty else {
            throw ClientError.validation(ValidationFailure([ValidationProblem(path: "file", code: .required, message: "The file is empty; choose the file again.")]), noun: "upload")
        }
        guard let kind = AttachmentKind.detect(bytes) else {
            throw ClientError(status: .unsupportedMediaType, code: "UnsupportedFileType",
                              message: "The file's contents are not of an accepted kind. Accepted: \(AttachmentKind.acceptedDescription).")
        }
        let address = request.clientAddress(trustForwardedFor: trustForwardedFor)
        let now = now()
        let use = try await store.unclaimedUse(by: address, now: now, on: request.db)
        if use.bytes + bytes.count > quotaBytes {
            let seconds = max(1, Int((use.freedAt ?? now.addingTimeInterval(3600)).timeIntervalSince(now).rounded(.up)))
            throw ClientError(status: .tooManyRequests, code: "UploadQuotaExceeded",
                              message: "Uploads from your address that no report refers to yet hold \(use.bytes / 1_048_576) MiB of the \(quotaBytes / 1_048_576) MiB an hour allows. File the reports that use them, or try again in \(seconds) seconds.",
                              headers: ["Retry-After": String(seconds)])
        }
        let stored = try await store.store(name: kind.safeName(file.disposition.filename), bytes: bytes, kind: kind, uploadedBy: address,
                                           now: now, on: request.db)
        request.logger[metadataKey: "attachment.id"] = .string(stored.id)
        return ReportAPIResponses.json(ReportAPIResponses.upload(stored))
    }
}
