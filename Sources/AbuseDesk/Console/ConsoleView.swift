import AbuseDeskCore
import Foundation
import Vapor

/// What every console page gets besides its own content: who is signed in, the CSRF token its forms
/// carry, the counts in the navigation, a confirmation of what was just done and the problems of a
/// refused form.
struct ConsoleView<Page: Encodable>: Encodable {
    struct Me: Encodable {
        var email: String
        var isAdmin: Bool
    }

    var title: String
    var nav: String
    var me: Me
    var csrfField = ConsoleSessions.csrfField
    var csrf: String
    var openAppeals: Int
    var troubledMail: Int
    var notice: String?
    var problems: [Problem]
    var page: Page
}

/// A problem of a refused form, with the label of its field.
struct Problem: Encodable, Equatable {
    var field: String
    var label: String
    var message: String
}

/// One choice of a select or a group of checkboxes.
struct Option: Encodable, Equatable {
    var value: String
    var label: String
    var selected: Bool

    static func list(_ values: [String], selected: [String] = [], label: (String) -> String = { $0 }) -> [Option] {
        values.map { Option(value: $0, label: label($0), selected: selected.contains($0)) }
    }
}

extension ConsoleView {
    /// Renders `page` in the console's frame.
    static func render(_ template: String, title: String, nav: String, page: Page, notice: String? = nil, problems: [Problem] = [],
                       status: HTTPResponseStatus = .ok, for request: Request) async throws -> Response {
        let signedIn = try request.signedInOperator()
        let counts = try await OutboxReader(database: request.db).navigationCounts()
        let view = ConsoleView(title: title, nav: nav, me: Me(email: signedIn.email, isAdmin: signedIn.isAdmin), csrf: signedIn.csrfToken,
                               openAppeals: counts.openAppeals, troubledMail: counts.troubledMail, notice: notice, problems: problems, page: page)
        return try await PortalView.render("console/" + template, view, for: request, status: status)
    }
}

extension Problem {
    /// The problems of a refused request, labelled as the form names its fields.
    /// An item of a list is named as people count: `domains[1]` of a one-per-line box (`lines`) is
    /// "Domains, line 2", of any other list "Reports, item 2".
    static func from(_ error: ClientError, labels: [String: String] = [:], lines: Set<String> = []) -> [Problem] {
        guard !error.problems.isEmpty else { return [Problem(field: "", label: "", message: error.message)] }
        return error.problems.map { Problem(field: $0.path, label: label(of: $0.path, labels: labels, lines: lines), message: $0.message) }
    }

    static func label(of path: String, labels: [String: String], lines: Set<String>) -> String {
        if let label = labels[path] { return label }
        guard let open = path.firstIndex(of: "["), let close = path[open...].firstIndex(of: "]"),
              let index = Int(path[path.index(after: open)..<close]) else { return path }
        let field = String(path[..<open])
        let rest = path[path.index(after: close)...].drop { $0 == "." }
        let name = labels[field] ?? field
        let item = lines.contains(field) ? "\(name), line \(index + 1)" : "\(name), item \(index + 1)"
        return rest.isEmpty ? item : "\(item), \(rest)"
    }
}

/// Where a console list is among its pages: its total as the page shows it, and the links to the pages
/// beside it (with the anchors of the page's first and last rows, where the list seeks).
struct ConsolePager: Encodable {
    /// "1,234", or "1,020+" where counting on would read more than the page.
    var total: String
    var single: Bool
    var page: Int
    var pages: Int
    /// The list goes on past the pages counted.
    var pagesAtLeast: Bool
    var previousURL: String?
    var nextURL: String?

    init(_ page: PageRequest, total: ListTotal, path: String, query: String, first: String? = nil, last: String? = nil) {
        let links = page.links(path: path, query: query, total: total.count, first: first, last: last)
        self.total = ConsoleFormat.count(total)
        single = total == .exact(1)
        self.page = page.number
        pages = links.pages
        pagesAtLeast = !total.isExact
        previousURL = links.previous
        nextURL = links.next
    }
}

/// Readable times in the console: `2026-11-23 14:05 UTC`.
enum ConsoleFormat {
    static func time(_ date: Date?) -> String {
        date.map { Notices.utcMinute($0) + " UTC" } ?? ""
    }

    static func words(_ code: String) -> String {
        code.replacingOccurrences(of: "_", with: " ")
    }

    /// "1,234", or "1,020+" when the list holds at least that many.
    static func count(_ total: ListTotal) -> String {
        let digits = Array(String(total.count))
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return grouped + (total.isExact ? "" : "+")
    }
}
