import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// The counts a list chooses its plan by — whether a status, a type or a domain names few reports or
/// many — remembered for a few seconds, so that the queue's common views do not count a status's two
/// thousand reports again on every load.
///
/// Only a plan is chosen by them: both plans give the same answer, and a count that has gone stale (a
/// rare status grown common) costs a slower plan for at most ``lifetime``, never a different page. The
/// totals a list shows are never taken from here.
final class PlanHints: Sendable {
    let lifetime: TimeAmount
    /// At most this many counts are kept; a full store forgets what has expired, then everything.
    let capacity: Int
    private let counts = NIOLockedValueBox<[String: (count: Int, until: NIODeadline)]>([:])
    private let common = NIOLockedValueBox<(words: Set<String>, until: NIODeadline)?>(nil)

    init(lifetime: TimeAmount = .seconds(10), capacity: Int = 1_024) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The count `query` gives (a statement with one integer column `n`), from the store when it is not
    /// remembered or has expired.
    func count(_ query: SQLQueryString, on sql: any SQLDatabase) async throws -> Int {
        if let known = recall(query, on: sql) { return known }
        let count = try await sql.count(query)
        remember(count, of: query, on: sql)
        return count
    }

    /// What `query` counted, if that is remembered and has not expired.
    func recall(_ query: SQLQueryString, on sql: any SQLDatabase) -> Int? {
        let key = Self.key(query, on: sql)
        let now = NIODeadline.now()
        return counts.withLockedValue { counts in counts[key].flatMap { $0.until > now ? $0.count : nil } }
    }

    /// Remembers what `query` counted (or how many rows it read), for ``lifetime``.
    func remember(_ count: Int, of query: SQLQueryString, on sql: any SQLDatabase) {
        let key = Self.key(query, on: sql)
        let now = NIODeadline.now()
        counts.withLockedValue { counts in
            if counts.count >= capacity {
                counts = counts.filter { $0.value.until > now }
                if counts.count >= capacity { counts.removeAll(keepingCapacity: true) }
            }
            counts[key] = (count, now + lifetime)
        }
    }

    /// PostgreSQL's common words of the search index (`CommonWords`), read again after ``CommonWords/lifetime``.
    func commonWords(on sql: any SQLDatabase) async throws -> Set<String> {
        let now = NIODeadline.now()
        if let known = common.withLockedValue({ $0 }), known.until > now { return known.words }
        let words = try await CommonWords.read(on: sql)
        common.withLockedValue { $0 = (words, now + CommonWords.lifetime) }
        return words
    }

    /// A statement's text with its values: two statements that differ only in a bound value are two counts.
    private static func key(_ query: SQLQueryString, on sql: any SQLDatabase) -> String {
        let (text, binds) = sql.serialize(query)
        return ([text] + binds.map { "\($0)" }).joined(separator: "\u{0}")
    }
}

extension SQLDatabase {
    /// The count `query` gives (one integer column `n`): from `hints` when they remember it, else asked.
    func count(_ query: SQLQueryString, hints: PlanHints? = nil) async throws -> Int {
        if let hints { return try await hints.count(query, on: self) }
        return try await rows(query).first?.integer("n") ?? 0
    }
}

/// The words in at least ``share`` of the reports PostgreSQL's search index holds, as its statistics
/// count them (`pg_stats`, gathered by ANALYZE): those a search leaves to be checked rather than searched
/// (`SearchWords.documentCondition(common:)`). None before the statistics are first gathered.
enum CommonWords {
    static let share = 0.01
    /// Statistics change when ANALYZE runs, minutes apart at the least.
    static let lifetime = TimeAmount.seconds(60)

    static func read(on sql: any SQLDatabase) async throws -> Set<String> {
        let rows = try await sql.rows("""
            SELECT word FROM (
              SELECT unnest(most_common_elems::text::text[]) AS word, unnest(most_common_elem_freqs) AS share
              FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'report_search' AND attname = 'document') AS words
            WHERE word IS NOT NULL AND share >= \(literal: share)
            """)
        return Set(try rows.map { try $0.string("word") })
    }
}
