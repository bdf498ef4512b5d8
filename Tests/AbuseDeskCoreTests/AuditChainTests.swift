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
        #expect(AuditChain.firstBreak(in: Array(entries.dropLast())) == nil, "the entries alone cannot show the newest removed; the head can")
    }

    @Test func theHashIsTheSameForTheSameContentAndIgnoresSubMillisecondNoise() {
        let entries = log()
        var copy = entries[2]
        copy.occurredAt += 0.0001
        #expect(copy.computedHash == entries[2].hash, "stores keep milliseconds; the hash must survive a round trip")
    }
}

@Suite struct AuditChainEndTests {
    @Test func theHeadRecordedBesideTheLogShowsRemovedNewestEntries() {
        let start = Date(timeIntervalSince1970: 1_795_435_200.123_456)
        let first = AuditEntry(following: nil, occurredAt: start, actor: "system", subjectType: "mitigation", subjectID: "m1",
                               action: "mitigation.activated", before: ["status": "pending"], after: ["status": "active"])
        #expect(first.occurredAt.timeIntervalSince1970 * 1000 == (start.timeIntervalSince1970 * 1000).rounded(), "kept to the millisecond")
        let second = AuditEntry(sequence: 2, previousHash: first.hash, occurredAt: start + 1, actor: "system", subjectType: "mitigation",
                                subjectID: "m2", action: "mitigation.activated", before: ["status": "pending"], after: ["status": "active"])
        var chain = AuditChain()
        #expect(chain.check(first) == nil && chain.check(second) == nil)
        #expect(chain.checkEnd(headSequence: 2, headHash: second.hash) == nil)
        var shorter = AuditChain()
        _ = shorter.check(first)
        #expect(shorter.checkEnd(headSequence: 2, headHash: second.hash) == .truncated(head: 2, last: 1))
        #expect(AuditChain.Break.truncated(head: 2, last: 1).description == "the log ends at entry 1, but its head records entry 2")
    }
}
