import Testing
@testable import AbuseDeskCore

@Suite struct CustomerNoticeTests {
    private let report = CustomerNotice.Report(id: "r1", type: .phishing, domain: "login.example.com", urls: ["https://login.example.com/x"],
                                               justification: "A copy of a bank's sign-in page.", reporter: nil)

    @Test(arguments: [(MitigationStatus.removed, "Appeal granted for abuse report r1", "mitigation m1 is removed."),
                      (.active, "Appeal rejected for abuse report r1", "mitigation m1 stays in effect."),
                      (.pending, "Appeal rejected for abuse report r1", "mitigation m1 stays scheduled.")])
    func anAppealDecisionSaysWhereItLeftTheMitigation(outcome: MitigationStatus, subject: String, sentence: String) {
        let message = CustomerNotice.appealDecided(mitigationID: "m1", outcome: outcome, reason: "Checked by hand.", report: report,
                                                   to: "abuse@example.com", accountID: "a1")
        #expect(message.subject == subject)
        #expect(message.body.contains(sentence) && message.body.contains("Why: Checked by hand."))
        #expect(message.body.contains("Reported by: the reporter asked not to be named"))
        #expect(message.body.hasSuffix("\n\nAbuseDesk") && message.recipient == "abuse@example.com" && message.audience == .customer)
    }

    @Test func everyNoticeIsSignedTheSameWay() {
        let accepted = CustomerNotice.accepted(report, to: "abuse@example.com", accountID: "a1")
        let received = CustomerNotice.appealReceived(mitigationIDs: ["m1"], reasons: [.removed], report: report, to: "abuse@example.com", accountID: "a1")
        #expect(accepted.body.hasSuffix("we will tell you what we did and why.\n\nAbuseDesk"))
        #expect(received.body.hasSuffix("We will write to you with our decision.\n\nAbuseDesk"))
        #expect(accepted.reportID == "r1" && received.accountID == "a1")
    }
}
