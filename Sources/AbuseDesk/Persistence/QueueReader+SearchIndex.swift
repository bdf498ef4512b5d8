import SQLKit

extension QueueReader {
    /// PostgreSQL: a page of the reports that hold `words`, newest or oldest first or by relevance, when
    /// one of the words is rare (not among ``CommonWords``): its GIN index finds the few reports it is in,
    /// and their rows of the search index carry their filing time (M024), so the matches are found once,
    /// counted, put in order and ranked from those rows, and only the page's reports are read. Before,
    /// each match was looked up in `reports` for the count and again for its filing time (a phrase of
    /// 200 reports, 2.2 ms of SQL; now 0.7). Nil where every word is common: the queue's filing-time
    /// index is walked and each report checked, as for any other filter.
    ///
    /// By relevance, the newest ``rankedMatches`` matches are ranked, as the queue ranks them otherwise;
    /// the total is exact (every match is read to be ordered).
    func rareWordsPage(_ words: SearchWords, sort: (QueueSortField, descending: Bool),
                       page: PageRequest) async throws -> (items: [QueueItem], total: ListTotal)? {
        let common = try await commonWords()
        guard !words.rareWords(common: common).isEmpty else { return nil }
        let (rows, count) = try await sql.rows(rareWordsStatement(words, common: common, sort: sort, page: page))
        return (try rows.map(QueueItem.init(row:)), .exact(count))
    }

    /// The statement of ``rareWordsPage(_:sort:page:)``, the matches found once and both counted and paged.
    func rareWordsStatement(_ words: SearchWords, common: Set<String>, sort: (QueueSortField, descending: Bool),
                            page: PageRequest) -> CountedSelect {
        let matching: SQLQueryString = "WITH matching AS MATERIALIZED (SELECT report_search.report_id AS id, report_search.filed_at"
            + " FROM report_search WHERE " + words.documentCondition(common: common) + ")"
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        let onPage: SQLQueryString = " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)"
        let count: SQLQueryString = "SELECT COUNT(*) AS n FROM matching"
        guard sort.0 == .relevance else {
            return CountedSelect(with: matching, select: QueueItem.columns + " FROM reports WHERE reports.id IN"
                + " (SELECT id FROM matching ORDER BY filed_at" + direction + ", id" + direction + onPage + ")"
                + " ORDER BY reports.created_at" + direction + ", reports.id" + direction, count: count)
        }
        return CountedSelect(
            with: matching + ", ranked AS MATERIALIZED (SELECT newest.id, ts_rank(report_search.document, " + words.tsquery + ") AS rank"
                + " FROM (SELECT id FROM matching ORDER BY filed_at DESC, id DESC LIMIT \(literal: rankedMatches)) AS newest"
                + " JOIN report_search ON report_search.report_id = newest.id)"
                + ", shown AS (SELECT id, rank FROM ranked ORDER BY rank" + direction + ", id" + direction + onPage + ")",
            select: QueueItem.columns + " FROM shown JOIN reports ON reports.id = shown.id"
                + " ORDER BY shown.rank" + direction + ", reports.id" + direction,
            count: count)
    }

    /// PostgreSQL: a page of the reports that hold `words`, all of them common, best match first (or
    /// worst): the newest ``rankedMatches`` matches found along the queue's filing-time index, each ranked
    /// as it is found, then ordered by rank; the total counted in the search index, capped as the queue's
    /// are. Before, the window's oldest report was found, then every match of the window looked up again
    /// and ranked in a subquery of its own (17 ms of SQL in three statements at a million reports; 6 now).
    func commonWordsRankedPage(_ words: SearchWords, descending: Bool, page: PageRequest) async throws -> (items: [QueueItem], total: ListTotal) {
        let cap = page.offset + page.size + countCap
        let counted = countQuery(try await searchIndexTotal(of: words), alongTargets: false, upTo: cap)
        let (rows, count) = try await sql.rows(commonWordsRankedStatement(words, descending: descending, page: page, counted: counted))
        return (try rows.map(QueueItem.init(row:)), .counted(count, upTo: cap))
    }

    /// The statement of ``commonWordsRankedPage(_:descending:page:)``, its list counted by `counted`.
    func commonWordsRankedStatement(_ words: SearchWords, descending: Bool, page: PageRequest, counted: SQLQueryString) -> CountedSelect {
        let direction: SQLQueryString = descending ? " DESC" : " ASC"
        return CountedSelect(
            with: "WITH ranked AS MATERIALIZED (SELECT reports.id, ts_rank(report_search.document, " + words.tsquery + ") AS rank"
                + " FROM reports JOIN report_search ON report_search.report_id = reports.id WHERE report_search.document @@ " + words.tsquery
                + " ORDER BY reports.created_at DESC, reports.id DESC LIMIT \(literal: rankedMatches))"
                + ", shown AS (SELECT id, rank FROM ranked ORDER BY rank" + direction + ", id" + direction
                + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset))",
            select: QueueItem.columns + " FROM shown JOIN reports ON reports.id = shown.id"
                + " ORDER BY shown.rank" + direction + ", reports.id" + direction,
            count: counted)
    }
}
