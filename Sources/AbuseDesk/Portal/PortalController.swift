import AbuseDeskCore
import Foundation
import Leaf
import Vapor

/// The public pages: home, the report form with its confirmation, and the developer page.
struct PortalController: RouteCollection {
    let intake: ReportIntake
    let attachments: AttachmentStore
    let taxonomy: Taxonomy
    let developerPage: DeveloperPage
    let now: @Sendable () -> Date

    /// The taxonomy as the form's script reads it: threat types → portal incident types → attack methods.
    private var portalTaxonomyJSON: String {
        let threats: [JSONValue] = taxonomy.threatTypes.map { threat in
            ["name": .string(threat.name), "incidentTypes": .array(threat.incidentTypes.filter { $0.accepts(.portal) }.map { incident in
                ["name": .string(incident.name), "attackMethods": .array(incident.attackMethods.map { .string($0.name) })]
            })]
        }
        // "<" cannot end the script element it is embedded in once escaped.
        return JSONValue.array(threats).serialized().replacingOccurrences(of: "<", with: "\\u003c")
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("report", "abuse", use: form)
        routes.on(.POST, "report", "abuse", body: .collect(maxSize: BodyLimits.upload), use: submit)
        routes.get("report", "abuse", "received", ":id", use: received)
        routes.get("report", "developer", use: developer)
    }

    @Sendable
    func home(_ request: Request) async throws -> Response {
        try await PortalView.render("home", Page(title: "Report abuse of our services", nav: "home"), for: request)
    }

    @Sendable
    func developer(_ request: Request) async throws -> Response {
        try await PortalView.render("developer", developerPage, for: request)
    }

    @Sendable
    func form(_ request: Request) async throws -> Response {
        try await renderForm(ReportForm(), problems: [], fresh: true, attachmentLost: false, status: .ok, for: request)
    }

    @Sendable
    func received(_ request: Request) async throws -> Response {
        guard let id = request.parameters.get("id"), Identifier.isWellFormed(id),
              try await ReportModel.find(id, on: request.db) != nil else {
            throw Abort(.notFound)
        }
        struct Received: Encodable {
            let title = "Report received"
            let nav = "report"
            let reportID: String
        }
        return try await PortalView.render("received", Received(reportID: id), for: request)
    }

    @Sendable
    func submit(_ request: Request) async throws -> Response {
        let submission = try PortalSubmission(request)
        guard FormProtection.verify(request, submitted: submission.fields[FormProtection.fieldName]) else {
            return try await PortalView.message(
                title: "This form has expired", status: .forbidden,
                text: "For your protection, a report can only be sent from a form opened on this site in the last 12 hours. Open the form again and send your report from there; nothing was filed.",
                link: ("/report/abuse", "Open the report form"), for: request)
        }
        if !(submission.fields[FormProtection.honeypotName] ?? "").isEmpty {
            request.logger.notice("Portal submission refused: the hidden field was filled in")
            return try await PortalView.message(
                title: "Your report was not accepted", status: .badRequest,
                text: "The form was filled in by an automated program. If you are a person, open the form again and send your report; nothing was filed.",
                link: ("/report/abuse", "Open the report form"), for: request)
        }

        var form = ReportForm(fields: submission.fields)
        let action = submission.fields["action"] ?? "submit"
        switch action {
        case "refresh":
            return try await renderForm(form, problems: [], fresh: false, attachmentLost: submission.file != nil, status: .ok, for: request)
        case "add-row":
            if form.rows.count < ReportForm.maximumRows { form.rows.append(ReportForm.Row()) }
            return try await renderForm(form, problems: [], fresh: false, attachmentLost: submission.file != nil, status: .ok, for: request)
        case _ where action.hasPrefix("remove-row-"):
            if let row = Int(action.dropFirst("remove-row-".count)), form.rows.indices.contains(row), form.rows.count > 1 {
                form.rows.remove(at: row)
            }
            return try await renderForm(form, problems: [], fresh: false, attachmentLost: submission.file != nil, status: .ok, for: request)
        default:
            return try await file(form, attachment: submission.file, for: request)
        }
    }

    /// Validates the whole form (the attachment included) and files it, or shows it again with every problem.
    private func file(_ form: ReportForm, attachment: PortalSubmission.File?, for request: Request) async throws -> Response {
        var fileProblems: [(field: String, message: String)] = []
        var kind: AttachmentKind?
        if let attachment {
            if attachment.bytes.count > AttachmentKind.maximumSize {
                fileProblems.append(("attachment", "The file is larger than 10 MiB; choose a smaller one."))
            } else if let detected = AttachmentKind.detect(attachment.bytes) {
                kind = detected
            } else {
                fileProblems.append(("attachment", "This kind of file is not accepted. Accepted: \(AttachmentKind.acceptedDescription)."))
            }
        }
        // A placeholder id lets the validator check the rest while the file is not stored yet.
        let placeholder = attachment == nil ? nil : Identifier.make(at: now())
        let (body, rowOfEntry) = form.apiBody(attachmentID: placeholder)
        let context = ReportValidator.Context(channel: .portal, now: now(), availableAttachmentIDs: placeholder.map { [$0] } ?? [])
        switch intake.validator.validate(body, context: context) {
        case .failure(let failure):
            intake.metrics.validationFailed(channel: .portal)
            let problems = failure.problems.map { form.fieldProblem($0, rowOfEntry: rowOfEntry) } + fileProblems
            return try await renderForm(form, problems: problems, fresh: false, attachmentLost: attachment != nil, status: .badRequest, for: request)
        case .success where !fileProblems.isEmpty:
            return try await renderForm(form, problems: fileProblems, fresh: false, attachmentLost: true, status: .badRequest, for: request)
        case .success(var draft):
            if let attachment, let kind {
                let stored = try await attachments.store(name: kind.safeName(attachment.filename), bytes: attachment.bytes,
                                                         kind: kind, now: now(), on: request.db)
                draft.attachmentIDs = [stored.id]
            }
            let id = try await intake.filePortalReport(draft)
            request.logger[metadataKey: "report.id"] = .string(id)
            request.reportsFiled = 1
            return request.redirect(toLocal: "/report/abuse/received/\(id)")
        }
    }

    private func renderForm(_ form: ReportForm, problems: [(field: String, message: String)], fresh: Bool, attachmentLost: Bool,
                            status: HTTPResponseStatus, for request: Request) async throws -> Response {
        let (token, isNew) = FormProtection.token(for: request)
        let page = ReportFormPage(form: form, problems: problems, taxonomy: taxonomy, taxonomyJSON: portalTaxonomyJSON,
                                  csrfToken: token, fresh: fresh, attachmentLost: attachmentLost)
        let response = try await PortalView.render("report-form", page, for: request, status: status)
        if isNew { FormProtection.setCookie(token, on: response, secure: request.isServedOverHTTPS) }
        return response
    }
}

/// The title and navigation entry every page has.
struct Page: Encodable {
    let title: String
    let nav: String
}

/// The portal form's fields and its one file, from a multipart or URL-encoded body.
struct PortalSubmission {
    struct File {
        var filename: String?
        var bytes: [UInt8]
    }

    var fields: [String: String] = [:]
    var file: File?

    init(_ request: Request) throws {
        let contentType = request.headers.contentType
        if contentType?.type == "multipart", contentType?.subType == "form-data", let boundary = contentType?.parameters["boundary"] {
            let parts: [MultipartForm.Part]
            do {
                parts = try MultipartForm.parse(request.body.data.map { Array($0.readableBytesView) } ?? [], boundary: boundary)
            } catch {
                throw Abort(.badRequest, reason: "The form could not be read (\(error)). Open the form again and send it from there.")
            }
            for part in parts {
                guard let name = part.disposition.name else { continue }
                if let filename = part.disposition.filename {
                    // An empty file input sends a part without a name or contents.
                    if name == "attachment", !(filename.isEmpty && part.body.isEmpty) {
                        file = File(filename: filename, bytes: Array(part.body))
                    }
                } else {
                    fields[name] = String(decoding: part.body, as: UTF8.self)
                }
            }
        } else if contentType == .urlEncodedForm {
            let form = try request.urlEncodedForm()
            for name in form.names { fields[name] = form.values(name).last }
        } else {
            throw Abort(.unsupportedMediaType, reason: "Send the form as the page does (multipart/form-data).")
        }
    }
}
