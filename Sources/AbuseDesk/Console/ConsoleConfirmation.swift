import Vapor

/// The confirmation step of a destructive console action. A form whose button would revoke, remove,
/// close or disable something posts without `confirmed=yes` first: the answer is a page that says what
/// will happen, with the same form (and its fields) to confirm and a way back. Works without JavaScript.
struct ConsoleConfirmation: Encodable {
    struct Field: Encodable {
        var name: String
        var value: String
    }

    var question: String
    var consequence: String
    var button: String
    var action: String
    var cancelURL: String
    var fields: [Field]

    /// Whether the request carries the confirmation.
    static func isConfirmed(_ request: Request) -> Bool {
        (try? request.urlEncodedForm())?.values("confirmed").last == "yes"
    }

    /// The page that asks, posting back to the request's own path with its own fields.
    static func ask(_ request: Request, question: String, consequence: String, button: String, cancelURL: String) async throws -> Response {
        let form = try request.urlEncodedForm()
        let fields = form.names.filter { $0 != ConsoleSessions.csrfField && $0 != "confirmed" }
            .flatMap { name in form.values(name).map { Field(name: name, value: $0) } }
        let page = ConsoleConfirmation(question: question, consequence: consequence, button: button, action: request.url.path,
                                       cancelURL: cancelURL, fields: fields)
        return try await ConsoleView.render("confirm", title: question, nav: "", page: page, for: request)
    }
}
