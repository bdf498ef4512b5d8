import SQLKit

/// What an operator typed into the queue's search box, as the full-text indexes of M010 read text:
/// words are runs of letters and digits, compared without case (and on SQLite without accents). Each
/// whitespace-separated word of the query must be found, and one with punctuation inside
/// (`shop.example.com`, `a@b.example`) is found as the phrase of its parts, in order.
struct SearchWords: Sendable, Equatable {
    /// At most this many words are looked for; more add nothing a person means.
    static let maximumPhrases = 16

    /// Each a phrase of one or more lower-case words.
    let phrases: [[String]]

    /// Nil when `text` holds no letter or digit at all.
    init?(_ text: String) {
        let phrases = text.split(whereSeparator: \.isWhitespace).prefix(Self.maximumPhrases).map { word in
            word.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        }.filter { !$0.isEmpty }
        guard !phrases.isEmpty else { return nil }
        self.phrases = phrases
    }

    /// An FTS5 query: every phrase quoted (its words are letters and digits only, so nothing needs escaping).
    var fts5Query: String {
        phrases.map { "\"" + $0.joined(separator: " ") + "\"" }.joined(separator: " ")
    }

    /// A PostgreSQL `tsquery`: every phrase must be found, its words next to each other.
    var tsquery: SQLQueryString {
        let parts: [SQLQueryString] = phrases.map { "phraseto_tsquery('simple', \(bind: $0.joined(separator: " ")))" }
        return "(" + parts.joined(separator: " && ") + ")"
    }

    /// The words of these that are not `common`, in order: the GIN index finds few reports for each.
    func rareWords(common: Set<String>) -> [String] {
        Set(phrases.joined()).subtracting(common).sorted()
    }

    /// PostgreSQL: the condition on `report_search.document` of the reports whose words hold these. Its
    /// GIN index is searched for the words that are not `common` alone, and the whole query checked on
    /// the words of the reports they find. A common word's entries in the index are long, and each
    /// report of a rare word next to it lands on another page of them: at a million reports,
    /// `shop42.example.com` read 450 pages of the index for 200 reports (3 ms, twice for a page and its
    /// count); `shop42` alone, 4 (0.05 ms). Only words that are all common are searched as they are.
    func documentCondition(common: Set<String>) -> SQLQueryString {
        let all: SQLQueryString = "report_search.document @@ " + tsquery
        let rare = rareWords(common: common)
        guard !rare.isEmpty, rare.count < Set(phrases.joined()).count else { return all }
        // The whole query as an expression the index cannot answer, so it is checked, not searched.
        return "(report_search.document @@ plainto_tsquery('simple', \(bind: rare.joined(separator: " ")))"
            + " AND COALESCE(report_search.document, ''::tsvector) @@ " + tsquery + ")"
    }
}
