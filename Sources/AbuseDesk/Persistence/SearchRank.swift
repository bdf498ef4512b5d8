import Foundation
// SQLiteNIO's own copy of SQLite, whose FTS5 the queue's search index is (its C module is not a product
// of that package, but it is the library every SQLite connection here runs on).
import VaporCSQLite

/// `abusedesk_rank(report_search)`: how well a report matches the queue's search words, for SQLite's
/// full-text index — smaller is better, as with FTS5's own `rank`.
///
/// It is Okapi BM25 as FTS5's `bm25()` computes it, but for how many reports each phrase is found in.
/// `bm25()` counts every one (a word in half of a million reports: 500,000 postings read on every
/// search, 30 ms); here counting stops at `countedUpTo`, and a phrase found that often is estimated
/// from how far into the index the count got (postings are read in filing order, so a phrase whose
/// first 2,000 reports end a tenth of the way in is in about 20,000). A phrase that common weighs
/// almost nothing either way; a rare one is counted exactly.
enum SearchRank {
    static let functionName = "abusedesk_rank"
    static let countedUpTo: Int64 = 2_000

    /// Makes the function known to every SQLite connection opened from now on (once per process).
    static func install() {
        _ = registration
    }

    private static let registration: Void = {
        let entryPoint: @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, OpaquePointer?) -> Int32 = { db, _, _ in
            SearchRank.register(on: db)
        }
        _ = sqlite_nio_sqlite3_auto_extension(unsafeBitCast(entryPoint, to: (@convention(c) () -> Void).self))
    }()

    /// Adds the function to one connection's FTS5; a connection without FTS5 gets nothing.
    private static func register(on db: OpaquePointer?) -> Int32 {
        var api: UnsafeMutablePointer<fts5_api>?
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nil) == SQLITE_OK else { return SQLITE_OK }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        withUnsafeMutablePointer(to: &api) { pointer in
            _ = sqlite_nio_sqlite3_bind_pointer(statement, 1, pointer, "fts5_api_ptr", nil)
            _ = sqlite_nio_sqlite3_step(statement)
        }
        guard let api, api.pointee.iVersion >= 2, let create = api.pointee.xCreateFunction else { return SQLITE_OK }
        return create(api, functionName, nil, { extensionAPI, context, result, _, _ in
            guard let extensionAPI, let context else { return }
            switch SearchRank.score(extensionAPI.pointee, context) {
            case .success(let score): sqlite_nio_sqlite3_result_double(result, score)
            case .failure(let failure): sqlite_nio_sqlite3_result_error_code(result, failure.code)
            }
        }, nil)
    }

    /// What a query needs once, whichever report is ranked: each phrase's weight and the mean length.
    private final class QueryStatistics {
        var inverseFrequencies: [Double] = []
        var meanLength = 1.0
    }

    private struct Failure: Error { let code: Int32 }

    private static func score(_ api: Fts5ExtensionApi, _ context: OpaquePointer) -> Result<Double, Failure> {
        let k1 = 1.2, b = 0.75
        let statistics: QueryStatistics
        if let stored = api.xGetAuxdata(context, 0) {
            statistics = Unmanaged<QueryStatistics>.fromOpaque(stored).takeUnretainedValue()
        } else {
            switch queryStatistics(api, context) {
            case .success(let computed): statistics = computed
            case .failure(let failure): return .failure(failure)
            }
            let retained = Unmanaged.passRetained(statistics).toOpaque()
            let code = api.xSetAuxdata(context, retained) { pointer in
                if let pointer { Unmanaged<QueryStatistics>.fromOpaque(pointer).release() }
            }
            guard code == SQLITE_OK else { return .failure(Failure(code: code)) }
        }
        // How often each phrase occurs in this report, and the report's length in words.
        var frequencies = [Double](repeating: 0, count: statistics.inverseFrequencies.count)
        var instances: Int32 = 0
        guard api.xInstCount(context, &instances) == SQLITE_OK else { return .failure(Failure(code: SQLITE_ERROR)) }
        for index in 0..<instances {
            var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
            let code = api.xInst(context, index, &phrase, &column, &offset)
            guard code == SQLITE_OK else { return .failure(Failure(code: code)) }
            if frequencies.indices.contains(Int(phrase)) { frequencies[Int(phrase)] += 1 }
        }
        var length: Int32 = 0
        guard api.xColumnSize(context, -1, &length) == SQLITE_OK else { return .failure(Failure(code: SQLITE_ERROR)) }
        var score = 0.0
        for (frequency, weight) in zip(frequencies, statistics.inverseFrequencies) where frequency > 0 {
            score += weight * frequency * (k1 + 1) / (frequency + k1 * (1 - b + b * Double(length) / statistics.meanLength))
        }
        return .success(-score)
    }

    /// Counting of one phrase's reports, up to `countedUpTo`, and the filing position it got to.
    private struct PhraseCount {
        var reports: Int64 = 0
        var lastRowID: Int64 = 0
    }

    private static func queryStatistics(_ api: Fts5ExtensionApi, _ context: OpaquePointer) -> Result<QueryStatistics, Failure> {
        var rows: Int64 = 0, words: Int64 = 0
        guard api.xRowCount(context, &rows) == SQLITE_OK, api.xColumnTotalSize(context, -1, &words) == SQLITE_OK else {
            return .failure(Failure(code: SQLITE_ERROR))
        }
        let statistics = QueryStatistics()
        statistics.meanLength = rows > 0 ? max(1, Double(words) / Double(rows)) : 1
        for phrase in 0..<api.xPhraseCount(context) {
            var count = PhraseCount()
            let code = api.xQueryPhrase(context, phrase, &count) { api, context, pointer in
                guard let api, let pointer else { return SQLITE_ERROR }
                let count = pointer.assumingMemoryBound(to: PhraseCount.self)
                count.pointee.reports += 1
                guard count.pointee.reports >= SearchRank.countedUpTo else { return SQLITE_OK }
                count.pointee.lastRowID = api.pointee.xRowid(context)
                return SQLITE_DONE
            }
            guard code == SQLITE_OK else { return .failure(Failure(code: code)) }
            statistics.inverseFrequencies.append(inverseFrequency(of: count, among: rows))
        }
        return .success(statistics)
    }

    /// BM25's weight of a phrase found in `count` reports (estimated past `countedUpTo`) of `rows`.
    static func inverseFrequency(foundIn reports: Int64, lastRowID: Int64, among rows: Int64) -> Double {
        inverseFrequency(of: PhraseCount(reports: reports, lastRowID: lastRowID), among: rows)
    }

    private static func inverseFrequency(of count: PhraseCount, among rows: Int64) -> Double {
        var found = Double(count.reports)
        if count.reports >= countedUpTo, count.lastRowID > 0 {
            // The index's row ids are given in filing order from 1: the count reached its end that far in.
            found = min(Double(rows), max(found, found * Double(rows) / Double(count.lastRowID)))
        }
        let weight = log((Double(rows) - found + 0.5) / (found + 0.5))
        return weight > 0 ? weight : 1e-6
    }
}
