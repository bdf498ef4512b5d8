import AbuseDeskCore
import Fluent
import SQLKit

/// Account domains are compared in one form, IDNA A-labels (`bücher.example` is `xn--bcher-kva.example`):
/// a domain stored in another spelling before is rewritten. Where an account already has the A-label
/// spelling too (two accounts split one name by its spelling), the other spelling is left as it was,
/// matching nothing, for an admin to see and resolve; the migration says which.
struct M009_NamesInOneForm: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let rows = try await AccountDomainModel.query(on: database).all()
        let stored = Set(rows.map(\.domain))
        for row in rows {
            guard let name = HostName(row.domain), name.value != row.domain else { continue }
            if stored.contains(name.value) {
                database.logger.warning("Two accounts hold one domain in two spellings; the second spelling routes nothing now",
                                        metadata: ["domain": .string(name.value), "account.id": .string(row.$account.id)])
                continue
            }
            row.domain = name.value
            try await row.save(on: database)
        }
    }

    func revert(on database: any Database) async throws {}
}
