import AbuseDeskCore

/// Which page of a list a request asks for: `page` from 1 and `per_page` from 1 to the list's maximum
/// (default 20), as every paged endpoint of the Accounts and admin APIs reads them.
struct PageRequest: Sendable, Equatable {
    /// `per_page` when the request does not say; most lists allow up to `standardMaximum`.
    static let defaultSize = 20
    static let standardMaximum = 100
    /// The parameters of a list's page that seeks: its number and size, and the anchor.
    static let anchoredParameters = ["page", "per_page", "after", "before"]

    var number: Int
    var size: Int
    /// Where the page is, when the request names its neighbour (lists of reports take one; see `PageAnchor`).
    var anchor: PageAnchor?

    /// The rows before this page, and the rows of it.
    var offset: Int { (number - 1) * size }
    var rows: Range<Int> { offset..<(offset + size) }

    /// `{page, per_page, count, total_count, total_pages}` for this page holding `count` of `total` items.
    func resultInfo(count: Int, total: Int) -> JSONValue {
        .object(resultInfoFields(count: count, total: total))
    }

    private func resultInfoFields(count: Int, total: Int) -> JSONObject {
        let pages = (total + size - 1) / size
        return ["page": .number(Double(number)), "per_page": .number(Double(size)), "count": .number(Double(count)),
                "total_count": .number(Double(total)), "total_pages": .number(Double(pages))]
    }

    /// The same for a list whose total may be a lower bound: `total_count_capped` says whether it is.
    func resultInfo(count: Int, total: ListTotal) -> JSONValue {
        var info = resultInfoFields(count: count, total: total.count)
        info["total_count_capped"] = .bool(!total.isExact)
        return .object(info)
    }

    /// The links to the pages before and after this one in a console list of `total` items, keeping every
    /// other parameter of the page's own query as it was. Given the ids of the page's first and last item
    /// (a list that seeks), the links name them as the neighbouring pages' anchors.
    func links(path: String, query: String, total: Int, first: String? = nil, last: String? = nil) -> (previous: String?, next: String?, pages: Int) {
        let pages = max(1, (total + size - 1) / size)
        func link(_ number: Int, _ anchor: PageAnchor?) -> String {
            var pairs = query.split(separator: "&").filter { pair in
                !["page=", "after=", "before="].contains { pair.hasPrefix($0) }
            }.map(String.init)
            pairs.append("page=\(number)")
            if let anchor { pairs.append("\(anchor.side.rawValue)=\(anchor.id)") }
            return path + "?" + pairs.joined(separator: "&")
        }
        let previous = number > 1 ? link(number - 1, number > 2 ? first.map { PageAnchor(side: .before, id: $0) } : nil) : nil
        let next = number < pages ? link(number + 1, last.map { PageAnchor(side: .after, id: $0) }) : nil
        return (previous, next, pages)
    }
}

/// A page found from its neighbour instead of by counting from the start of its list: the page `after`
/// a report (the last of the page before it) or `before` one (the first of the page after it). Page
/// links carry one, so that paging through a long list reads each page at its place in the list's
/// index — as fast at page 5,000 as at page 2 — where a bare page number has to read and skip every
/// row before it. The page number still says which page it is.
struct PageAnchor: Sendable, Equatable {
    enum Side: String, Sendable { case after, before }
    var side: Side
    /// A report's id.
    var id: String
}

extension QueryParameters {
    /// `page` and `per_page`, each problem named like any other parameter's.
    /// With `anchored`, also `after` or `before` (a list of reports; see `PageAnchor`).
    mutating func page(maximumSize: Int = PageRequest.standardMaximum, anchored: Bool = false) -> PageRequest {
        var page = PageRequest(number: integer("page", default: 1, range: 1...1_000_000),
                               size: integer("per_page", default: PageRequest.defaultSize, range: 1...maximumSize))
        if anchored { page.anchor = anchor(page: page.number) }
        return page
    }

    private mutating func anchor(page: Int) -> PageAnchor? {
        let after = single("after"), before = single("before")
        if after != nil, before != nil {
            problem("before", .notAllowed, "Give after (the last report of the page before) or before (the first of the page after), not both.")
            return nil
        }
        guard let id = after ?? before else { return nil }
        let side: PageAnchor.Side = after != nil ? .after : .before
        guard Identifier.isWellFormed(id) else {
            problem(side.rawValue, .format, "Must be a report id (26 letters and digits) from the list's page \(side == .after ? "before" : "after"); got \"\(id)\".")
            return nil
        }
        if side == .after, page == 1 {
            problem("after", .notAllowed, "Names the last report of the page before; page 1 has none before it. Give the page it leads to (page 2 or later).")
            return nil
        }
        return PageAnchor(side: side, id: id)
    }
}
