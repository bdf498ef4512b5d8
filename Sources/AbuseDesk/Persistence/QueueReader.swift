import AbuseDeskCore
import Fluent
import Foundation
import SQLKit

/// What narrows the operators' queue. Empty lists and nils mean "any".
struct QueueFilter: Sendable, Equatable {
    enum Assignee: Sendable, Equatable {
        case nobody
        case `operator`(String)
    }

    var statuses: [ReportStatus] = []
    var types: [ReportType] = []
    var threatType: String?
    var incidentType: String?
    var accountID: String?
    /// Only reports no account was found for.
    var unassigned = false
    var assignee: Assignee?
    /// A host name; its subdomains match too.
    var domain: HostName?
    /// Reports naming an address inside this block (a single address is a /32 or /128).
    var netblock: Netblock?
    /// Words in the id, the reporter's name or address, the notes, the domain or a reported URL.
    var words: SearchWords?
    var createdAfter: Date?
    var createdBefore: Date?
}

enum QueueSortField: String, CaseIterable, Sendable {
    case createdAt = "created_at"
    case updatedAt = "updated_at"
    case status, type, domain, severity
    /// Best match of the words first (with `q`; without, newest first).
    case relevance
}

/// A report as a line of the queue shows it.
struct QueueItem: Sendable, Equatable {
    var id: String
    var createdAt: Date
    var updatedAt: Date
    var status: ReportStatus
    var denialReason: String?
    var reportType: ReportType
    var threatType: String?
    var incidentType: String?
    var attackMethod: String?
    var severity: String?
    var domain: String?
    var accountID: String?
    var accountName: String?
    var assignedTo: String?
    var assigneeEmail: String?
    var reporterName: String
    var targetCount: Int
    var channel: String

    /// A report's columns with the names of its account and assignee, each looked up by its key for the
    /// rows read (as joins, SQLite's planner would stop reading a page in the order of the sort's index).
    static let columns: SQLQueryString = """
        reports.id, reports.created_at, reports.updated_at, reports.status, reports.denial_reason, reports.report_type,
        reports.threat_type, reports.incident_type, reports.attack_method, reports.severity, reports.domain, reports.account_id,
        (SELECT accounts.name FROM accounts WHERE accounts.id = reports.account_id) AS account_name, reports.assigned_to,
        (SELECT operators.email FROM operators WHERE operators.id = reports.assigned_to) AS assignee_email, reports.reporter_name,
        reports.target_count, reports.channel
        """

    init(row: any StoredRow) throws {
        id = try row.string("id")
        createdAt = try row.date("created_at")
        updatedAt = try row.date("updated_at")
        status = ReportStatus(rawValue: try row.string("status")) ?? .new
        denialReason = try row.optionalString("denial_reason")
        reportType = ReportType(rawValue: try row.string("report_type")) ?? .general
        threatType = try row.optionalString("threat_type")
        incidentType = try row.optionalString("incident_type")
        attackMethod = try row.optionalString("attack_method")
        severity = try row.optionalString("severity")
        domain = try row.optionalString("domain")
        accountID = try row.optionalString("account_id")
        accountName = try row.optionalString("account_name")
        assignedTo = try row.optionalString("assigned_to")
        assigneeEmail = try row.optionalString("assignee_email")
        reporterName = try row.string("reporter_name")
        targetCount = try row.integer("target_count")
        channel = try row.string("channel")
    }
}

/// How many reports a list holds: exact, or at least `count` where counting them all would read more
/// than the page itself.
struct ListTotal: Sendable, Equatable {
    var count: Int
    var isExact: Bool

    static func exact(_ count: Int) -> ListTotal { ListTotal(count: count, isExact: true) }

    /// A count taken up to one past `cap`: exact below it, at least `cap` when it got there.
    static func counted(_ count: Int, upTo cap: Int) -> ListTotal { count > cap ? ListTotal(count: cap, isExact: false) : .exact(count) }
}

/// Reads the operators' queue: every report, however it came in and wherever it was routed.
///
/// Every filter and sort is answered from an index at any size of the store (M010): a page in a sort's
/// order is read from that sort's index; free text from the full-text index; a domain or an address
/// block from `report_targets`, driving the query when few reports name it and checked report by report
/// along the sort's index when many do (whichever reads fewer rows, decided by counting at most
/// ``selectiveTargets`` of them first). Totals are counted up to ``countCap`` past the page.
struct QueueReader {
    let sql: any SQLDatabase
    /// Totals are exact up to this many reports beyond the page's start; above, "at least". Counting
    /// further costs in proportion to the count (and more where a filter is checked report by report),
    /// for a number nobody pages through.
    let countCap: Int
    /// A domain or block named by at most this many targets drives the query.
    let selectiveTargets: Int
    /// Whether a column filter's few reports drive the query only when they are also few beside the
    /// store (see ``columnFilter(_:_:)``), or whenever they are at most ``selectiveTargets``.
    let weighsStoreSize: Bool
    /// A page starting within this many reports is read whole in one query; a deeper one reads its ids
    /// first and then its rows, so that the names are looked up for its rows only and not for every row
    /// it skips (PostgreSQL would).
    static let readWholeUpTo = 100
    private var isSQLite: Bool { sql.dialect.name == "sqlite" }

    /// A domain or block alone, or a case file's targets, naming at most this many targets is read in
    /// filing order from the targets' index.
    let filingOrderTargets: Int

    /// A relevance order ranks at most this many of the newest matches.
    let rankedMatches: Int

    /// A domain, block or case file of at most this many hosts and addresses has each one's targets
    /// read in filing order and merged.
    let mergedKeys: Int

    /// A page starting this far into the whole queue in filing order is found from its day (`FilingDays`).
    let filingDaysFrom: Int

    /// Where the counts that choose a plan are remembered (the service's), if anywhere.
    let hints: PlanHints?

    init(_ database: any Database, hints: PlanHints? = nil, countCap: Int = 1_000, selectiveTargets: Int = TargetMatch.selectiveTargets,
         weighsStoreSize: Bool = true,
         filingOrderTargets: Int = TargetMatch.readInFilingOrder, mergedKeys: Int = TargetMatch.mergedKeys,
         rankedMatches: Int = QueueReader.rankedMatches, filingDaysFrom: Int = FilingDays.countedFrom) throws {
        guard let sql = database as? any SQLDatabase else { throw StoreError.notSQL }
        self.sql = sql
        self.hints = hints
        self.countCap = countCap
        self.selectiveTargets = selectiveTargets
        self.weighsStoreSize = weighsStoreSize
        self.filingOrderTargets = filingOrderTargets
        self.rankedMatches = rankedMatches
        self.mergedKeys = mergedKeys
        self.filingDaysFrom = filingDaysFrom
    }

    func list(_ filter: QueueFilter, sort requested: (QueueSortField, descending: Bool),
              page: PageRequest) async throws -> (items: [QueueItem], total: ListTotal) {
        // Relevance needs words to be relevant to; without them the queue is newest first.
        let sort = requested.0 == .relevance && filter.words == nil ? (QueueSortField.createdAt, descending: true) : requested
        let searchDrives = drivesFromSearch(filter, sort: sort.0)
        // Ranked, when more match than a count gives exactly, only the newest that many; several words
        // alone, counted first (one word's entries are all matches, read as fast either way).
        var counted: ListTotal?
        if searchDrives, sort.0 == .createdAt, page.anchor == nil, let words = filter.words, words.phrases.joined().count > 1,
           wordsAlone(filter) {
            let (positions, total) = try await matches(of: words, page: page)
            if total.isExact { return (try await items(atPositions: positions, page: page, descending: sort.descending), total) }
            counted = total
        }
        if searchDrives, sort.0 == .relevance, page.anchor == nil, let words = filter.words, wordsAlone(filter),
           let ranked = try await rankedPositions(of: words, bestFirst: sort.descending) {
            // No more than are ranked: each one's rank and their count from one reading of the index.
            let onPage = Array(ranked.dropFirst(page.offset).prefix(page.size))
            return (try await items(atPositions: onPage), .exact(ranked.count))
        }
        if !isSQLite, page.anchor == nil, sort.0 == .createdAt || sort.0 == .relevance, let words = filter.words, wordsAlone(filter),
           let found = try await rareWordsPage(words, sort: sort, page: page) {
            return found
        }
        if !isSQLite, sort.0 == .relevance, let words = filter.words, wordsAlone(filter) {
            return try await commonWordsRankedPage(words, descending: sort.descending, page: page)
        }
        var manyTargets = false
        if sort.0 == .createdAt, let (matching, span) = onlyTargets(filter) {
            // A domain or block alone, in filing order: its targets' index has that order (M012). Near the
            // start, when it is a few hosts or addresses, each one's first targets are merged.
            let targets = TargetMatch(sql: sql, hints: hints)
            var counting = counting(page, countedFrom: "", countedAlongTargets: " FROM report_targets WHERE " + matching)
            if page.offset + page.size <= TargetMatch.mergedDepth,
               let keys = try await targets.keys(host: filter.domain, block: filter.netblock, upTo: mergedKeys) {
                let ids = try await targets.reportIDs(at: keys, descending: sort.descending, limit: page.size, offset: page.offset)
                // Few hosts or addresses: their targets are counted along one short range of their index,
                // a page's rows found by their ids, whatever the values (planning took 0.8 ms of 2).
                counting.plan = .kept
                return try await items(ids, counting: counting)
            }
            // Else counted over one range that holds them (a host's siblings that share its name's start
            // too), cheaper than the host and its subdomains as two; more than that many, and the queue is walked.
            let sortedUpTo = try await filingOrderLimit(pageEnd: page.offset + page.size)
            if try await !targets.names(span, moreThan: sortedUpTo) {
                let ids = try await targets.reportIDs(naming: matching, descending: sort.descending, limit: page.size, offset: page.offset)
                return try await items(ids, counting: counting)
            }
            manyTargets = sortedUpTo >= selectiveTargets
        }
        let filtered = try await condition(filter, drivenBySearch: searchDrives, manyTargets: manyTargets)
        var condition = filtered.condition
        // A count reads the full-text index where it drives the list (every match, also those older than
        // the ones a relevance order ranks); otherwise any filter's index.
        let countedFrom: SQLQueryString
        if searchDrives, let words = filter.words {
            // Words alone are counted in the full-text index alone, no report looked up for each match.
            countedFrom = wordsAlone(filter) ? " FROM report_search WHERE report_search MATCH \(bind: words.fts5Query)"
                                             : Self.searchedReports(words, filtered.condition)
        } else {
            countedFrom = " FROM reports WHERE " + filtered.counted
        }
        // A total counted from the list's start: on PostgreSQL too, words alone (all common, a rare one's
        // page being found apart) are counted in the search index alone, where a report's one row is,
        // no report joined to each match (a seek's count goes on from a report, and reads the reports).
        var totalFrom = countedFrom
        if !isSQLite, let words = filter.words, wordsAlone(filter) { totalFrom = try await searchIndexTotal(of: words) }
        if sort.0 == .relevance {
            let total = try await counting(page, countedFrom: totalFrom, countedAlongTargets: searchDrives ? nil : filtered.countedAlongTargets).total(on: sql)
            guard total.count > page.offset else { return ([], total) }
            counted = total
            if !(total.isExact && total.count <= rankedMatches),
               let newest = try await relevanceWindow(filter, filtered, drivenBySearch: searchDrives) {
                condition = "(" + condition + " AND " + newest + ")"
            }
        }
        let from: SQLQueryString
        let order: SQLQueryString
        let direction: SQLQueryString = sort.descending ? " DESC" : " ASC"
        if searchDrives, let words = filter.words {
            // SQLite: the full-text index read in filing order (newest first) or by rank, joined to the reports.
            from = Self.searchedReports(words, condition)
            order = sort.0 == .relevance
                ? " ORDER BY " + SQLQueryString(SearchRank.functionName) + "(report_search)" + (sort.descending ? " ASC" : " DESC")
                    + ", report_search.rowid DESC"
                : " ORDER BY report_search.rowid" + direction
        } else {
            from = " FROM reports WHERE " + condition
            order = " ORDER BY " + sortExpression(sort.0, words: filter.words) + direction + ", reports.id" + direction
        }
        // A filter that binds no values (none, or statuses, whose ranks are written out) leaves the anchor's
        // values alone in a seek's statements: their plan is the same for every anchor.
        let seekPlan: StatementPlan = [filtered.condition, filtered.counted].allSatisfy { sql.serialize($0).binds.isEmpty } ? .kept : .perValue
        // The whole queue's total is known without counting its reports (M018).
        let wholeQueue = filter == QueueFilter()
        let knownTotal = wholeQueue ? Self.wholeQueueTotal : nil
        if let sought = try await soughtPage(page, from: from, countedFrom: countedFrom, sort: sort, drivenBySearch: searchDrives, plan: seekPlan,
                                             knownTotal: knownTotal) {
            return sought
        }
        if page.offset <= Self.readWholeUpTo, !(searchDrives && sort.0 == .relevance) {
            // A page near the start in one query, with its total. (Not one SQLite ranks: it would look up
            // the names of every match it ranks, not of the page's.)
            let select = pageQuery(from: from, order: order, page: page, sorted: filtered.isSorted && !searchDrives)
            if let counted { return (try await sql.rows("SELECT " + select).map(QueueItem.init(row:)), counted) }
            let counting = knownTotal ?? counting(page, countedFrom: totalFrom, countedAlongTargets: searchDrives ? nil : filtered.countedAlongTargets)
            let (rows, total) = try await counting.rows(select, on: sql)
            return (try rows.map(QueueItem.init(row:)), total)
        }
        let countedAlongTargets = searchDrives ? nil : filtered.countedAlongTargets
        if counted == nil, countedAlongTargets == nil, var seek = seek(from, sort: sort, drivenBySearch: searchDrives) {
            seek.countedFrom = countedFrom
            seek.plan = seekPlan
            var start: (condition: SQLQueryString, before: Int)?
            if wholeQueue, sort.0 == .createdAt, page.offset >= filingDaysFrom {
                // Deep into the whole queue in filing order: from the day that holds the page (M018).
                start = try await FilingDays(sql: sql).start(of: .queue, at: page.offset, descending: sort.descending)
            }
            return try await numberedPage(page, from: from, order: order, countedFrom: totalFrom, along: seek, startingAt: start,
                                          knownTotal: knownTotal)
        }
        let (ids, total) = try await numberedPage(page, from: from, order: order, countedFrom: totalFrom,
                                                  countedAlongTargets: countedAlongTargets, counted: counted)
        return (try await items(ids), total)
    }

    /// A page of `from` in `order` (the columns of ``QueueItem``, SELECT left out). Where the rows are
    /// sorted (`sorted`), SQLite sorts the ids and looks the page's rows up after: sorting whole rows, it
    /// would look up the names of every report it sorts, not of the page's fifty (PostgreSQL looks them up
    /// after the sort by itself).
    func pageQuery(from: SQLQueryString, order: SQLQueryString, page: PageRequest, sorted: Bool) -> SQLQueryString {
        page.ofReports(QueueItem.columns, from: from, order: order, idsFirst: sorted && isSQLite)
    }

    /// A relevance order ranks the newest this many matches by default: ranking reads every match it ranks (at a
    /// million reports, a common word is in 750,000, 1.6 s to rank them all), and past the first few
    /// pages a person pages by time, not by fit.
    static let rankedMatches = 1_000

    /// How many of a search's words are counted to learn whether one of them is rare enough for all
    /// matches to be ranked in one reading (``rankedPositions(of:bestFirst:)``).
    static let wordsCountedForRanking = 8

    /// Where a relevance order's matches begin when more than ``rankedMatches`` match: the filing
    /// position (SQLite's index) or time (PostgreSQL) of the oldest of the newest that many.
    private func relevanceWindow(_ filter: QueueFilter, _ filtered: Condition, drivenBySearch: Bool) async throws -> SQLQueryString? {
        guard let words = filter.words else { return nil }
        if drivenBySearch {
            let bound = try await sql.rows("SELECT report_search.rowid AS bound" + Self.searchedReports(words, filtered.condition)
                + " ORDER BY report_search.rowid DESC LIMIT 1 OFFSET \(literal: rankedMatches - 1)")
            return try bound.first.map { "report_search.rowid >= \(bind: try $0.integer("bound"))" }
        }
        let bound = try await sql.rows("SELECT reports.created_at, reports.id FROM reports WHERE " + filtered.condition
            + " ORDER BY reports.created_at DESC, reports.id DESC LIMIT 1 OFFSET \(literal: rankedMatches - 1)")
        return try bound.first.map { "(reports.created_at, reports.id) >= (\(bind: try $0.date("created_at")), \(bind: try $0.string("id")))" }
    }

    /// The reports of a page whose ids were read first, in their order (their names looked up for a page
    /// of rows, not for every row a deep page skips).
    private func items(_ ids: [String]) async throws -> [QueueItem] {
        guard !ids.isEmpty else { return [] }
        return try await sql.rows("SELECT " + QueueItem.columns + " FROM reports WHERE reports.id IN (\(binds: ids))", plan: .kept)
            .map(QueueItem.init(row:)).ordered(as: ids, by: \.id)
    }

    /// The same with the list's total, counted in the same statement (or alone, when the page is empty).
    private func items(_ ids: [String], counting: Counting) async throws -> (items: [QueueItem], total: ListTotal) {
        guard !ids.isEmpty else { return ([], try await counting.total(on: sql)) }
        let (rows, total) = try await counting.rows(QueueItem.columns + " FROM reports WHERE reports.id IN (\(binds: ids))", on: sql)
        return (try rows.map(QueueItem.init(row:)).ordered(as: ids, by: \.id), total)
    }

    /// Up to how many targets a domain or block alone is read from the targets' index and sorted in
    /// filing order, rather than found by walking the queue's filing-time index and checking each report:
    /// the sort reads every target, the walk about the page's end × stored ÷ targets reports (a domain of
    /// a fifth of 100,000 reports, 20,000 targets, took 22 ms to sort; the walk reads 250 reports). So
    /// the targets are sorted up to √(page's end × stored), and never more than ``filingOrderTargets``.
    private func filingOrderLimit(pageEnd: Int) async throws -> Int {
        guard weighsStoreSize else { return filingOrderTargets }
        let stored = try await storedReports()
        return min(filingOrderTargets, Int(Double(max(pageEnd, 1) * max(stored, 1)).squareRoot()))
    }

    /// Whether words are the list's only filter.
    private func wordsAlone(_ filter: QueueFilter) -> Bool {
        var others = filter
        others.words = nil
        return others == QueueFilter()
    }

    /// Where in the full-text index the reports that hold `words` are, in filing order, oldest first, as
    /// far as a total is counted exactly (one past it, when more hold them), and that total: read forward
    /// once, as one row. FTS5 reads forward fast, seeking a common word's entries to a rare one's;
    /// backward it steps through them (at a million reports, the newest fifty of a phrase of 200 like
    /// `shop42.example.com` and their count took three times as long).
    private func matches(of words: SearchWords, page: PageRequest) async throws -> (positions: [Int], total: ListTotal) {
        let cap = page.offset + page.size + countCap
        let listed = try await sql.rows("SELECT group_concat(rowid, ',' ORDER BY rowid) AS positions FROM (SELECT rowid FROM report_search"
            + " WHERE report_search MATCH \(bind: words.fts5Query) ORDER BY rowid LIMIT \(literal: cap + 1)) AS matches")
        let positions = try listed.first?.optionalString("positions")?.split(separator: ",").compactMap { Int($0) } ?? []
        return (positions, .counted(positions.count, upTo: cap))
    }

    /// Where in the full-text index the reports that hold `words` are, in the order of their rank (the
    /// best first, or the worst), when a word of them is in at most ``rankedMatches`` reports (so all
    /// matches are ranked): read once, each match ranked as it is read. Ranking in SQL read the index
    /// twice, once to count the matches (whether all are ranked, and the total) and once to rank them.
    /// Nil when every word is more common, or nothing matches: those are ranked in SQL, and a common
    /// word's matches are not ranked here first to no purpose (a thousand of them, 5 ms).
    private func rankedPositions(of words: SearchWords, bestFirst: Bool) async throws -> [Int]? {
        // Counting a word's reports up to the limit reads its entries in the index and nothing else.
        let fewHold: [SQLQueryString] = Set(words.phrases.joined()).sorted().prefix(Self.wordsCountedForRanking).map { word in
            "(SELECT COUNT(*) FROM (SELECT 1 FROM report_search WHERE report_search MATCH \(bind: "\"" + word + "\"")"
                + " LIMIT \(literal: rankedMatches + 1))) <= \(literal: rankedMatches)"
        }
        // The search itself is chosen before the index is read: the words when one is that rare, else
        // the empty phrase, which matches nothing. (As a condition beside MATCH, SQLite checked it on
        // every match, after reading them all.)
        let asked: SQLQueryString = "(SELECT CASE WHEN " + fewHold.joined(separator: " OR ")
            + " THEN \(bind: words.fts5Query) ELSE '\"\"' END AS words) AS asked"
        let rows = try await sql.rows("SELECT report_search.rowid AS position, " + SQLQueryString(SearchRank.functionName) + "(report_search) AS rank"
            + " FROM " + asked + " CROSS JOIN report_search WHERE report_search MATCH asked.words LIMIT \(literal: rankedMatches + 1)")
        guard !rows.isEmpty, rows.count <= rankedMatches else { return nil }
        // As the statement that ranks them orders them: by rank (smaller is better), then newest first.
        let ranked = try rows.map { (position: try $0.integer("position"), rank: try $0.double("rank")) }
        return ranked.sorted {
            $0.rank != $1.rank ? (bestFirst ? $0.rank < $1.rank : $0.rank > $1.rank) : $0.position > $1.position
        }.map(\.position)
    }

    /// The page's reports, where the full-text index has them (``matches(of:page:)``, all of them).
    private func items(atPositions positions: [Int], page: PageRequest, descending: Bool) async throws -> [QueueItem] {
        let ordered = descending ? Array(positions.reversed()) : positions
        return try await items(atPositions: Array(ordered.dropFirst(page.offset).prefix(page.size)))
    }

    /// The reports at these positions of the full-text index, in their order.
    private func items(atPositions onPage: [Int]) async throws -> [QueueItem] {
        guard !onPage.isEmpty else { return [] }
        // Their reports by position, in the statement that reads them (a round trip costs more than the rows).
        let rows = try await sql.rows("SELECT report_search_rows.id AS position, " + QueueItem.columns
            + " FROM report_search_rows JOIN reports ON reports.id = report_search_rows.report_id WHERE report_search_rows.id IN (\(binds: onPage))",
            plan: .kept)
        let itemAt = try Dictionary(uniqueKeysWithValues: rows.map { (try $0.integer("position"), try QueueItem(row: $0)) })
        return onPage.compactMap { itemAt[$0] }
    }

    /// The targets a filter names when it names nothing else — a domain or a block, not both — and one
    /// range of the targets' index that holds them.
    private func onlyTargets(_ filter: QueueFilter) -> (matching: SQLQueryString, span: SQLQueryString)? {
        var others = filter
        others.domain = nil
        others.netblock = nil
        guard others == QueueFilter() else { return nil }
        let targets = TargetMatch(sql: sql, hints: hints)
        switch (filter.domain, filter.netblock) {
        case (let domain?, nil): return (targets.host(domain), targets.span(of: domain))
        case (nil, let block?): return (targets.block(block), targets.block(block))
        default: return nil
        }
    }

    /// A page next to one already read: its ids from its anchor along the index, then its rows with the
    /// total counted on from the anchor, in one statement. Nil when the page has no anchor or nothing is
    /// past it (a removed report, or a list shorter than the anchor says): then the page is found by its number.
    private func soughtPage(_ page: PageRequest, from: SQLQueryString, countedFrom: SQLQueryString, sort: (QueueSortField, descending: Bool),
                            drivenBySearch: Bool, plan: StatementPlan, knownTotal: Counting?) async throws -> (items: [QueueItem], total: ListTotal)? {
        guard let anchor = page.anchor, var seek = seek(from, sort: sort, drivenBySearch: drivenBySearch) else { return nil }
        seek.countedFrom = countedFrom
        seek.plan = plan
        let fromAnchor = counting(page, along: seek, from: anchor, before: anchor.side == .after ? page.offset : page.offset + page.size)
        let ids = try await seek.ids(next: anchor, limit: page.size)
        guard !ids.isEmpty else {
            // Nothing before a `before` anchor that is still there (counted from it): an empty page.
            guard anchor.side == .before else { return nil }
            let counted = try await fromAnchor.total(on: sql)
            guard counted.count > fromAnchor.before else { return nil }
            return ([], try await knownTotal?.total(on: sql) ?? counted)
        }
        return try await items(ids, counting: knownTotal ?? fromAnchor)
    }

    /// A page by its number: the rows before it read and skipped, from the indexes alone.
    private func numberedPage(_ page: PageRequest, from: SQLQueryString, order: SQLQueryString,
                              countedFrom: SQLQueryString, countedAlongTargets: SQLQueryString?,
                              counted: ListTotal? = nil) async throws -> (ids: [String], total: ListTotal) {
        let select: SQLQueryString = "reports.id AS id" + from + order + " LIMIT \(literal: page.size) OFFSET \(literal: page.offset)"
        if let counted { return (try await sql.rows("SELECT " + select).map { try $0.string("id") }, counted) }
        let (rows, total) = try await counting(page, countedFrom: countedFrom, countedAlongTargets: countedAlongTargets).rows(select, on: sql)
        return (try rows.map { try $0.string("id") }, total)
    }

    /// A page by its number whose total is counted on from its own first report: the reports before it
    /// are read and skipped once (to find the page), not twice (to count them as well) — from where the
    /// list's filing days say its day starts, where they do (`start`).
    private func numberedPage(_ page: PageRequest, from: SQLQueryString, order: SQLQueryString, countedFrom: SQLQueryString,
                              along seek: PageSeek, startingAt start: (condition: SQLQueryString, before: Int)?,
                              knownTotal: Counting?) async throws -> (items: [QueueItem], total: ListTotal) {
        let skipped = page.offset - (start?.before ?? 0)
        let ids = try await sql.rows("SELECT reports.id AS id" + from + (start.map { " AND " + $0.condition } ?? "") + order
            + " LIMIT \(literal: page.size) OFFSET \(literal: skipped)", plan: seek.plan)
            .map { try $0.string("id") }
        guard let first = ids.first else {
            // Past the end: how far the list goes is counted from its start.
            return ([], try await (knownTotal ?? counting(page, countedFrom: countedFrom, countedAlongTargets: nil)).total(on: sql))
        }
        return try await items(ids, counting: knownTotal ?? counting(page, along: seek, from: PageAnchor(side: .before, id: first), before: page.offset))
    }

    /// How a page of `from` is found from a neighbour's anchor in this order; nil for a ranked order
    /// (a rank is the query's own, not a report's).
    private func seek(_ from: SQLQueryString, sort: (QueueSortField, descending: Bool), drivenBySearch: Bool) -> PageSeek? {
        guard sort.0 != .relevance else { return nil }
        if drivenBySearch {
            return PageSeek(sql: sql, from: from, key: "report_search.rowid", keyOfReport: { id in
                "(SELECT report_search_rows.id FROM report_search_rows WHERE report_search_rows.report_id = \(bind: id))"
            }, keyIsUnique: true, descending: sort.descending)
        }
        return PageSeek(sql: sql, from: from, key: sortExpression(sort.0, words: nil), descending: sort.descending)
    }

    /// The whole queue's total, exact: summed from its reports per filing day (M018), a row a day, where a
    /// count read a thousand reports past the page (0.6 ms on PostgreSQL) to say "more than".
    static let wholeQueueTotal = Counting(query: FilingDays.totalQuery(of: .queue), cap: .max, plan: .kept)

    /// How the total of a page found by its number is counted: along the targets where a filter on them
    /// names many.
    private func counting(_ page: PageRequest, countedFrom: SQLQueryString, countedAlongTargets: SQLQueryString?) -> Counting {
        let cap = page.offset + page.size + countCap
        let queries = countQueries(countedAlongTargets ?? countedFrom, alongTargets: countedAlongTargets != nil, upTo: cap)
        return Counting(query: queries.first, cap: cap, undecided: queries.undecided)
    }

    /// How a page's total is counted on from `anchor` along the seek's ranges (`before` reports lie
    /// before where the count starts), up to ``countCap`` past the page.
    private func counting(_ page: PageRequest, along seek: PageSeek, from anchor: PageAnchor, before: Int) -> Counting {
        Counting(query: seek.countQuery(from: anchor, limit: page.size + countCap + 1), cap: before + page.size + countCap, before: before,
                 plan: seek.plan)
    }

    /// A list's total: a count of up to one past `cap`, at least `cap` when it reaches it.
    struct Counting {
        /// One integer column `n`.
        let query: SQLQueryString
        let cap: Int
        /// Reports of the list before those the query counts (a total counted on from a page's anchor).
        var before = 0
        /// How PostgreSQL plans the count with a page's rows by their ids.
        var plan: StatementPlan = .perValue
        /// Run when `query` answers -1: it could not tell the count from what it read.
        var undecided: SQLQueryString?

        func total(on sql: any SQLDatabase) async throws -> ListTotal {
            .counted(before + (try await decided(sql.count(query), on: sql)), upTo: cap)
        }

        /// The rows of a SELECT (from its columns on) with this total, in one statement (two, where it
        /// leaves the count undecided).
        func rows(_ select: SQLQueryString, on sql: any SQLDatabase) async throws -> (rows: [any StoredRow], total: ListTotal) {
            let (rows, count) = try await sql.rows(select, counted: query, plan: plan)
            return (rows, .counted(before + (try await decided(count, on: sql)), upTo: cap))
        }

        private func decided(_ count: Int, on sql: any SQLDatabase) async throws -> Int {
            guard count < 0, let undecided else { return count }
            return try await sql.count(undecided)
        }
    }

    /// How many rows of `from` (a FROM and WHERE clause) there are, counting no further than `cap` + 1;
    /// along the targets, a report with two matching targets once (on SQLite, `from` reads report_targets:
    /// its first targets are counted first). SQLite is told not to take the
    /// distinct ids from their own index: it would read every target in that order rather than the
    /// filter's range (65 ms at a million reports, not 1).
    func countQuery(_ from: SQLQueryString, alongTargets: Bool, upTo cap: Int) -> SQLQueryString {
        countQueries(from, alongTargets: alongTargets, upTo: cap).first
    }

    /// ``countQuery(_:alongTargets:upTo:)``, and the statement to run when it answers -1 (only ever
    /// with it: a count is never shown as -1).
    private func countQueries(_ from: SQLQueryString, alongTargets: Bool, upTo cap: Int) -> (first: SQLQueryString, undecided: SQLQueryString?) {
        guard alongTargets, !isSQLite else { return (cappedCount(from, alongTargets: alongTargets, upTo: cap), nil) }
        // PostgreSQL makes the distinct ids in a hash, which gives none before it has read every target
        // (a /28 of 11,800: 12 ms for the 1,051 a count needs). So twice that many targets are read first:
        // more than `cap` reports among them, or all of them read, and that is the count. Fewer reports
        // than that among so many targets (reports naming many addresses of a block each) leave it
        // undecided, -1, for ``deeperCountQuery(_:upTo:)``. Before either, their first targets (M025).
        return (moreThan(cap, firstTargetsOf: from, otherwise: countReading(2, from, upTo: cap, otherwise: "-1")),
                deeperCountQuery(from, upTo: cap))
    }

    /// `cap` + 1 when more than `cap` first targets (position 0, one per report) are among the targets of
    /// `from`, so that many reports are there, counted from the targets' index alone (M023, M025); else
    /// `otherwise`, a count of one integer column `n`. The first targets do not tell a smaller count:
    /// a report may be there by a later target only.
    private func moreThan(_ cap: Int, firstTargetsOf from: SQLQueryString, otherwise: SQLQueryString) -> SQLQueryString {
        "SELECT CASE WHEN (SELECT COUNT(*) FROM (SELECT 1" + from + " AND report_targets.position = 0 LIMIT \(literal: cap + 1)) AS firsts)"
            + " > \(literal: cap) THEN \(literal: cap + 1) ELSE (" + otherwise + ") END AS n"
    }

    /// PostgreSQL, where the first read of a filter's targets left the count undecided: sixteen times as
    /// many read the same way, and only fewer reports still among them counts them all (a /16 of 600,000
    /// targets would be read whole for a count of 1,051 where reports name every other address of a few
    /// /24s). A statement of its own, so that the common case is planned without these.
    private func deeperCountQuery(_ from: SQLQueryString, upTo cap: Int) -> SQLQueryString {
        countReading(16, from, upTo: cap, otherwise: cappedCount(from, alongTargets: true, upTo: cap))
    }

    /// Up to one past `cap` rows of `from`; along the targets, each report once.
    private func cappedCount(_ from: SQLQueryString, alongTargets: Bool, upTo cap: Int) -> SQLQueryString {
        let select: SQLQueryString = alongTargets ? (isSQLite ? "DISTINCT +report_targets.report_id" : "DISTINCT report_targets.report_id") : "1"
        let counted: SQLQueryString = "SELECT COUNT(*) AS n FROM (SELECT " + select + " AS one" + from + " LIMIT \(literal: cap + 1)) AS matches"
        guard alongTargets, isSQLite else { return counted }
        // Else each report is counted once by its id, as a temporary B-tree of the ids read.
        return moreThan(cap, firstTargetsOf: from, otherwise: counted)
    }

    /// PostgreSQL: the distinct reports of `times` × (`cap` + 1) targets of `from` when that tells the
    /// count (all of them read, or more than `cap` reports among them); else `otherwise`, run only then.
    private func countReading(_ times: Int, _ from: SQLQueryString, upTo cap: Int, otherwise: SQLQueryString) -> SQLQueryString {
        let read = times * (cap + 1)
        return "SELECT CASE WHEN seen.targets < \(literal: read) OR seen.reports > \(literal: cap) THEN seen.reports ELSE (" + otherwise + ") END AS n"
            + " FROM (SELECT COUNT(DISTINCT one COLLATE \"C\") AS reports, COUNT(*) AS targets FROM (SELECT report_targets.report_id AS one" + from
            + " LIMIT \(literal: read)) AS targets) AS seen"
    }

    /// Whether the full-text index drives the query (SQLite, newest or most relevant first): it reads
    /// the matches in that order itself, so a common word costs no more than a rare one.
    private func drivesFromSearch(_ filter: QueueFilter, sort: QueueSortField) -> Bool {
        isSQLite && filter.words != nil && (sort == .createdAt || sort == .relevance)
    }

    /// Other reports about a host or an address this report names, newest first: each of up to
    /// ``mergedKeys`` hosts and addresses read from the targets' indexes in filing order (M012) and
    /// merged; more, from their range when up to ``filingOrderTargets`` targets share them, along the
    /// queue's filing-time index when more do.
    func related(to reportID: String, limit: Int = 20) async throws -> [QueueItem] {
        // Its hosts and addresses first, so the match is a list of values each index looks up (PostgreSQL
        // reads no index for an OR of subqueries, and scanned every target).
        let mine = try await sql.rows("SELECT host_reversed, ip_key FROM report_targets WHERE report_id = \(bind: reportID)", plan: .kept)
        let hosts = Set(try mine.compactMap { try $0.optionalString("host_reversed") }).sorted()
        let keys = Set(try mine.compactMap { try $0.optionalString("ip_key") }).sorted()
        let targets = TargetMatch(sql: sql, hints: hints)
        let each = hosts.map { TargetMatch.Key(column: .host, value: $0) } + keys.map { TargetMatch.Key(column: .address, value: $0) }
        guard !each.isEmpty else { return [] }
        if each.count <= mergedKeys {
            return try await items(targets.reportIDs(at: each, excluding: reportID, descending: true, limit: limit, offset: 0))
        }
        var shared: [SQLQueryString] = []
        if !hosts.isEmpty { shared.append("report_targets.host_reversed IN (\(binds: hosts))") }
        if !keys.isEmpty { shared.append("report_targets.ip_key IN (\(binds: keys))") }
        let matching = "(" + shared.joined(separator: " OR ") + ")"
        if try await !targets.names(matching, moreThan: filingOrderTargets) {
            return try await items(targets.reportIDs(naming: matching, excluding: reportID, descending: true, limit: limit, offset: 0))
        }
        let query: SQLQueryString = "SELECT " + QueueItem.columns + " FROM reports WHERE reports.id <> \(bind: reportID) AND "
            + targets.eachReport(naming: matching) + " ORDER BY reports.created_at DESC, reports.id DESC LIMIT \(literal: limit)"
        return try await sql.rows(query).map(QueueItem.init(row:))
    }

    /// A filter as SQL.
    struct Condition {
        /// The filter as a condition on `reports`.
        var condition: SQLQueryString
        /// The same, as a count reads it: no order to keep, so free to read any filter's index.
        var counted: SQLQueryString
        /// Where a domain or block names many reports: a FROM and WHERE clause over their targets, joined
        /// to their reports, that a count reads along the targets' index (a report with two matching
        /// targets is there twice).
        var countedAlongTargets: SQLQueryString?
        /// The ids of few reports drive the query (a rare status, a domain few reports name, words), so its
        /// rows are sorted rather than read in order.
        var isSorted = false
    }

    /// The filter as a condition on `reports`. A domain or block names targets of few reports or of many;
    /// a count of at most ``selectiveTargets`` of them decides which (see the type's description), unless
    /// the caller knows them to be many (`manyTargets`).
    /// `drivenBySearch` leaves the words out: the full-text index they come from drives the query.
    func condition(_ filter: QueueFilter, drivenBySearch: Bool = false, manyTargets knownMany: Bool = false) async throws -> Condition {
        var parts: [SQLQueryString] = []
        var counted: [SQLQueryString] = []  // the same parts as a count reads them
        func add(_ part: SQLQueryString, counted countedPart: SQLQueryString? = nil) {
            parts.append(part)
            counted.append(countedPart ?? part)
        }
        var isSorted = false
        func add(_ filter: (listed: SQLQueryString, counted: SQLQueryString, few: Bool)) {
            isSorted = isSorted || filter.few
            add(filter.listed, counted: filter.counted)
        }
        var manyTargets: (part: Int, targets: SQLQueryString)?
        func add(_ naming: TargetMatch.Naming) {
            switch naming {
            case .many(_, let targets): if manyTargets == nil { manyTargets = (parts.count, targets) }
            case .few: isSorted = true
            }
            add(naming.condition)
        }
        if !filter.statuses.isEmpty {
            // By rank, the expression the status sort's index holds: a status's reports are a range of it.
            let ranks = filter.statuses.compactMap { ReportStatus.allCases.firstIndex(of: $0) }.map(String.init).joined(separator: ", ")
            add(try await columnFilter("(" + SQLQueryString(Self.statusRank) + ")", SQLQueryString(ranks)))
        }
        if !filter.types.isEmpty { add(try await columnFilter("report_type", "\(binds: filter.types.map(\.rawValue))")) }
        if let threat = filter.threatType { add(try await columnFilter("threat_type", "\(bind: threat)")) }
        if let incident = filter.incidentType { add(try await columnFilter("incident_type", "\(bind: incident)")) }
        if let account = filter.accountID { add("reports.account_id = \(bind: account)") }
        if filter.unassigned { add("reports.account_id IS NULL") }
        switch filter.assignee {
        case .nobody?: add("reports.assigned_to IS NULL")
        case .operator(let id)?: add("reports.assigned_to = \(bind: id)")
        case nil: break
        }
        let targets = TargetMatch(sql: sql, hints: hints)
        func naming(_ matching: SQLQueryString) async throws -> TargetMatch.Naming {
            knownMany ? .many(targets.eachReport(naming: matching), targets: matching)
                : try await targets.reports(naming: matching, selectiveUpTo: selectiveTargets)
        }
        if let domain = filter.domain { add(try await naming(targets.host(domain))) }
        if let block = filter.netblock { add(try await naming(targets.block(block))) }
        if let words = filter.words, !drivenBySearch {
            isSorted = true
            if isSQLite {
                add("reports.id IN (SELECT report_search_rows.report_id FROM " + Self.sqliteSearch + " WHERE report_search MATCH \(bind: words.fts5Query))")
            } else {
                let common = try await commonWords()
                add("reports.id IN (SELECT report_search.report_id FROM report_search WHERE " + words.documentCondition(common: common) + ")")
            }
        }
        if let after = filter.createdAfter { add("reports.created_at > \(bind: after)") }
        if let before = filter.createdBefore { add("reports.created_at < \(bind: before)") }
        func all(_ parts: [SQLQueryString]) -> SQLQueryString { parts.isEmpty ? "TRUE" : "(" + parts.joined(separator: " AND ") + ")" }
        return Condition(condition: all(parts), counted: all(counted), countedAlongTargets: manyTargets.map { many in
            var others = counted
            others.remove(at: many.part)
            // The reports themselves only where another filter asks about them.
            return others.isEmpty ? " FROM report_targets WHERE " + many.targets
                : " FROM report_targets JOIN reports ON reports.id = report_targets.report_id WHERE " + many.targets + " AND " + all(others)
        }, isSorted: isSorted)
    }

    /// A filter on a column of few values (a status, a type): `column IN (values)`, the column or expression
    /// being the first of an index (M010, M011). When at most ``selectiveTargets`` reports match (counted
    /// first along that index, reading no more), their ids drive the query and are sorted — unless they
    /// are a large share of a small store: a page of fifty is then found by walking the sort's index
    /// within fewer reports than sorting would read (the walk reads about 50 × stored ÷ matching, so the
    /// ids drive up to √(25 × stored), where the walk would read twice as many). When more match, the
    /// filter is checked report by report along the sort's index, and SQLite is told not to read
    /// the filter's index instead (`+`): its statistics know a column's average, not that this value is
    /// common, and it would read half a million reports of a type to sort them. The count chooses a plan
    /// only, so it is remembered in ``hints``.
    /// `column` is a column of `reports` (or an expression of its columns), unqualified.
    private func columnFilter(_ column: SQLQueryString, _ values: SQLQueryString) async throws
        -> (listed: SQLQueryString, counted: SQLQueryString, few: Bool) {
        let matching: SQLQueryString = column + " IN (" + values + ")"
        let named = try await sql.count("SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM reports WHERE " + matching
            + " LIMIT \(literal: selectiveTargets + 1)) AS named", hints: hints)
        var few = named <= selectiveTargets
        if few, weighsStoreSize { few = try await named * named <= 25 * storedReports() }
        if few {
            let few: SQLQueryString = "reports.id IN (SELECT reports.id FROM reports WHERE " + matching + ")"
            return (few, few, true)
        }
        return ((isSQLite ? "+" : "") + matching, matching, false)
    }

    /// PostgreSQL: the FROM and WHERE of a total of words alone, read in the search index alone (a report
    /// has one row there): joined to `reports`, a word in most reports was counted along two indexes at
    /// once (1.3 ms of SQL at a million reports, 0.5 ms of it planning).
    func searchIndexTotal(of words: SearchWords) async throws -> SQLQueryString {
        " FROM report_search WHERE " + words.documentCondition(common: try await commonWords())
    }

    /// PostgreSQL's common words of the search index, remembered in ``hints`` for a while when there are any.
    func commonWords() async throws -> Set<String> {
        if let hints { try await hints.commonWords(on: sql) } else { try await CommonWords.read(on: sql) }
    }

    /// About how many reports are stored, read from no report: SQLite's largest row number, PostgreSQL's
    /// statistics (none before its first analysis). A plan's count, remembered in ``hints``.
    private func storedReports() async throws -> Int {
        try await sql.count(isSQLite ? "SELECT COALESCE(MAX(rowid), 0) AS n FROM reports"
                                     : "SELECT CAST(GREATEST(reltuples, 0) AS BIGINT) AS n FROM pg_class WHERE oid = 'reports'::regclass", hints: hints)
    }

    /// How the queue is ordered by `field`; each has its index (M010), with the id after it for ties.
    func sortExpression(_ field: QueueSortField, words: SearchWords?) -> SQLQueryString {
        switch field {
        case .createdAt: return "reports.created_at"
        case .updatedAt: return "reports.updated_at"
        case .status: return SQLQueryString(Self.statusRank)
        case .type: return "reports.report_type"
        case .domain: return "COALESCE(reports.domain, '')"
        case .severity: return SQLQueryString(Self.severityRank)
        case .relevance:
            // PostgreSQL (SQLite ranks in its full-text index): the better match is the higher rank.
            guard let words else { return "reports.created_at" }
            return "(SELECT ts_rank(report_search.document, " + words.tsquery + ") FROM report_search WHERE report_search.report_id = reports.id)"
        }
    }

    /// SQLite's full-text index with the report id each of its entries stands for (M010).
    private static let sqliteSearch: SQLQueryString = "report_search JOIN report_search_rows ON report_search_rows.id = report_search.rowid"

    /// SQLite: the FROM and WHERE of the reports that hold `words` and meet `condition`, read from the
    /// full-text index.
    private static func searchedReports(_ words: SearchWords, _ condition: SQLQueryString) -> SQLQueryString {
        " FROM " + sqliteSearch + " JOIN reports ON reports.id = report_search_rows.report_id"
            + " WHERE report_search MATCH \(bind: words.fts5Query) AND " + condition
    }

    /// A status's place in `ReportStatus.allCases`.
    static let statusRank = "CASE status WHEN 'new' THEN 0 WHEN 'triage' THEN 1 WHEN 'accepted' THEN 2 WHEN 'denied' THEN 3 ELSE 4 END"
    static let severityRank = "CASE severity WHEN 'High' THEN 0 WHEN 'Medium' THEN 1 WHEN 'Low' THEN 2 ELSE 3 END"
}
