import Foundation
import Testing
@testable import AbuseDeskCore

@Suite struct AuditChainTests {
    /// Three entries about one report: filed, accepted, mitigated.
    private func log() -> [AuditEntry] {
        let start = Date(timeIntervalSince1970: 1_795_435_200)
        let filed = AuditEntry(following: nil, occurredAt: start, actor: "reporter", subjectType: "report", subjectID: "r1",
                               action: "report.filed", before: .null, after: ["status": "new"])
        let accepted = AuditEntry(following: filed, occurredAt: start + 60, actor: "operator:o1", subjectType: "report",
                                  subjectID: "r1", action: "report.accepted", before: ["status": "new"], after: ["status": "accepted"])
        let mitigated = AuditEntry(following: accepted, occurredAt: start + 120.5, actor: "operator:o1", subjectType: "mitigation",
                                   subjectID: "m1", action: "mitigation.applied", before: .null, after: ["status": "active"])
        return [filed, accepted, mitigated]
    }

    @Test func aLogAsWrittenVerifies() {
        let entries = log()
        #expect(entries.map(\.sequence) == [1, 2, 3])
        #expect(entries[0].previousHash == AuditEntry.genesisHash)
        #expect(entries[1].previousHash == entries[0].hash && entries[2].previousHash == entries[1].hash)
        #expect(entries.allSatisfy { $0.hash.count == 64 })
        #expect(Set(entries.map(\.hash)).count == 3)
        #expect(AuditChain.firstBreak(in: entries) == nil)
        #expect(AuditChain.firstBreak(in: [AuditEntry]()) == nil)
    }

    @Test func anyAlteredFieldIsFound() {
        let alterations: [(inout AuditEntry) -> Void] = [
            { $0.actor = "operator:o2" }, { $0.action = "report.denied" }, { $0.subjectID = "r2" }, { $0.subjectType = "account" },
            { $0.after = ["status": "denied"] }, { $0.before = .null }, { $0.occurredAt += 1 },
        ]
        for alter in alterations {
            var entries = log()
            alter(&entries[1])
            #expect(AuditChain.firstBreak(in: entries) == .altered(sequence: 2))
        }
    }

    @Test func aRewrittenEntryBreaksTheLinkAfterIt() {
        var entries = log()
        // Someone changes entry 2 and recomputes its hash: entry 3 no longer links to it.
        entries[1].after = ["status": "denied"]
        entries[1].hash = entries[1].computedHash
        #expect(AuditChain.firstBreak(in: entries) == .unlinked(sequence: 3))
        #expect(AuditChain.Break.unlinked(sequence: 3).description == "entry 3 does not follow entry 2: the hashes do not link")
    }

    @Test func removedOrReorderedEntriesAreFound() {
        let entries = log()
        #expect(AuditChain.firstBreak(in: [entries[0], entries[2]]) == .gap(expected: 2, found: 3))
        #expect(AuditChain.firstBreak(in: [entries[1], entries[0], entries[2]]) == .gap(expected: 1, found: 2))
        #expect(AuditChain.firstBreak(in: Array(entries.dropLast())) == nil, "the newest entry removed leaves a shorter valid log")
    }

    @Test func theHashIsTheSameForTheSameContentAndIgnoresSubMillisecondNoise() {
        let entries = log()
        var copy = entries[2]
        copy.occurredAt += 0.0001
        #expect(copy.computedHash == entries[2].hash, "stores keep milliseconds; the hash must survive a round trip")
    }
}
