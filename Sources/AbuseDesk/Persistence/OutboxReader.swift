import AbuseDeskCore
import Fluent
import Foundation

/// Reads the outbox for operators: every e-mail, by where its delivery stands, newest first.
struct OutboxReader {
    let database: any Database

    /// Totals are exact up to this many e-mails past the page's start; above, "at least" (a year of mail
    /// is millions of e-mails, and nobody pages through them all).
    static let countCap = 1_000

    func list(states: [OutboxState], audience: MessageAudience?, page: PageRequest) async throws -> (items: [OutboxMessageModel], total: ListTotal) {
        let query = OutboxMessageModel.query(on: database)
        // E-mails not sent yet are few, and have their own index (M011).
        if !states.isEmpty, !states.contains(.sent) { query.filter(\.$sentAt == nil) }
        if !states.isEmpty {
            query.group(.or) { group in
                for state in Set(states) {
                    switch state {
                    case .sent: group.filter(\.$sentAt != nil)
                    case .failed: group.group(.and) { $0.filter(\.$sentAt == nil).filter(\.$failedAt != nil) }
                    case .retrying: group.group(.and) { $0.filter(\.$sentAt == nil).filter(\.$failedAt == nil).filter(\.$attempts > 0) }
                    case .queued: group.group(.and) { $0.filter(\.$sentAt == nil).filter(\.$failedAt == nil).filter(\.$attempts == 0) }
                    }
                }
            }
        }
        if let audience { query.filter(\.$audience == audience.rawValue) }
        let cap = page.offset + page.size + Self.countCap
        let counted = try await query.copy().range(0..<(cap + 1)).all(\.$id).count
        let total = counted > cap ? ListTotal(count: cap, isExact: false) : .exact(counted)
        return (try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).range(page.rows).all(), total)
    }

    /// What the console's navigation counts: open appeals, and e-mails that failed or wait for a retry.
    func navigationCounts() async throws -> (openAppeals: Int, troubledMail: Int) {
        let appeals = try await AppealModel.query(on: database).filter(\.$status == AppealStatus.open.rawValue).count()
        let mail = try await OutboxMessageModel.query(on: database).filter(\.$sentAt == nil).filter(\.$attempts > 0).count()
        return (appeals, mail)
    }
}
