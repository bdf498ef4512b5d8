import AbuseDeskCore

/// Which page of a list a request asks for: `page` from 1 and `per_page` from 1 to the list's maximum
/// (default 20), as every paged endpoint of the Accounts and admin APIs reads them.
struct PageRequest: Sendable, Equatable {
    /// `per_page` when the request does not say; most lists allow up to `standardMaximum`.
    static let defaultSize = 20
    static let standardMaximum = 100

    var number: Int
    var size: Int

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
    /// other parameter of the page's own query as it was.
    func links(path: String, query: String, total: Int) -> (previous: String?, next: String?, pages: Int) {
        let pages = max(1, (total + size - 1) / size)
        func link(_ number: Int) -> String {
            var pairs = query.split(separator: "&").filter { !$0.hasPrefix("page=") }.map(String.init)
            pairs.append("page=\(number)")
            return path + "?" + pairs.joined(separator: "&")
        }
        return (number > 1 ? link(number - 1) : nil, number < pages ? link(number + 1) : nil, pages)
    }
}

extension QueryParameters {
    /// `page` and `per_page`, each problem named like any other parameter's.
    mutating func page(maximumSize: Int = PageRequest.standardMaximum) -> PageRequest {
        PageRequest(number: integer("page", default: 1, range: 1...1_000_000),
                    size: integer("per_page", default: PageRequest.defaultSize, range: 1...maximumSize))
    }
}
