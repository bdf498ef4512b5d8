import Foundation
import Testing
@testable import AbuseDeskCore

@Suite struct NoticesTests {
    let notices: Notices
    private let hidden = CustomerNotice.Report(id: "r1", type: .phishing, domain: "login.example.com", urls: ["https://login.example.com/x"],
                                               justification: "A copy of a bank's sign-in page.", reporter: nil)
    private let named = CustomerNotice.Report(id: "r2", type: .network, domain: nil, urls: [], justification: "SSH brute force.",
                                              reporter: Reporter(name: "Jane Doe", email: "jane@example.org", organization: "CERT"))

    init() throws {
        notices = Notices(templates: try MailTemplates.bundled())
    }

    @Test(arguments: [(MitigationStatus.removed, "Appeal granted for abuse report r1", "mitigation m1 is removed."),
                      (.active, "Appeal rejected for abuse report r1", "mitigation m1 stays in effect."),
                      (.pending, "Appeal rejected for abuse report r1", "mitigation m1 stays scheduled.")])
    func anAppealDecisionSaysWhereItLeftTheMitigation(outcome: MitigationStatus, subject: String, sentence: String) {
        let message = notices.appealDecided(mitigationID: "m1", outcome: outcome, reason: "Checked by hand.", report: hidden,
                                            to: "abuse@example.com", accountID: "a1")
        #expect(message.subject == subject)
        #expect(message.body.contains(sentence) && message.body.contains("Why: Checked by hand."))
        #expect(message.body.contains("Reported by: the reporter asked not to be named"))
        #expect(message.body.hasSuffix("\n\nAbuseDesk") && message.recipient == "abuse@example.com" && message.audience == .customer)
    }

    @Test func everyNoticeIsSignedTheSameWay() {
        let accepted = notices.accepted(hidden, to: "abuse@example.com", accountID: "a1")
        let received = notices.appealReceived(mitigationIDs: ["m1"], reasons: [.removed], report: hidden, to: "abuse@example.com", accountID: "a1")
        #expect(accepted.body.hasSuffix("we will tell you what we did and why.\n\nAbuseDesk"))
        #expect(received.body.hasSuffix("We will write to you with our decision.\n\nAbuseDesk"))
        #expect(accepted.reportID == "r1" && received.accountID == "a1")
        #expect(accepted.subject == "Abuse report r1 accepted: Phishing")
        #expect(accepted.body.contains("a report of phishing about login.example.com"))
        #expect(accepted.body.contains("URLs:       https://login.example.com/x"))
    }

    @Test func theMitigationNoticeCarriesTheStatementOfReasons() {
        let statement = StatementOfReasons(ground: "Terms of service 4.2", facts: "A phishing kit at /x.", automated: false, appeal: "Reply to us.")
        let pending = CustomerNotice.Mitigation(id: "m1", type: .phishingInterstitial, entityType: .urlPattern, entityID: "login.example.com/x",
                                                effectiveDate: Date(timeIntervalSince1970: 1_800_000_000), isActive: false, statement: statement)
        let message = notices.mitigation(pending, report: hidden, to: "abuse@example.com", accountID: "a1")
        #expect(message.subject == "Mitigation scheduled for abuse report r1: phishing interstitial")
        // QA finding 19: plain words for what it applies to, and the date written as in every other e-mail.
        #expect(message.body.contains("applies to the URLs matching login.example.com/x. It will take effect at 2027-01-15 08:00 UTC."))
        for line in ["Ground:     Terms of service 4.2", "Facts:      A phishing kit at /x.", "Automated:  no, a person decided",
                     "How to appeal: Reply to us."] {
            #expect(message.body.contains(line), "\(line)")
        }
        var active = pending
        active.isActive = true
        active.statement.automated = true
        let applied = notices.mitigation(active, report: hidden, to: "abuse@example.com", accountID: "a1")
        #expect(applied.subject.hasPrefix("Mitigation applied"))
        #expect(applied.body.contains("It is in effect since") && applied.body.contains("Automated:  yes, the decision was taken by automated means"))
        let filled = StatementOfReasons(ground: "ToS", facts: "Phishing.", automated: false, appeal: StatementOfReasons.defaultAppeal)
            .filledIn(accountID: "a1", reportID: "r1")
        #expect(filled.appeal == "Ask for a review through the Accounts API, POST /client/v4/accounts/a1/abuse-reports/r1/mitigations/appeal, saying why the mitigation should be lifted.")
        #expect(!filled.appeal.contains("{") && !filled.appeal.contains("replying"))
    }

    @Test func theReporterIsNamedOnlyWhenTheyDidNotAskToStayHidden() {
        let toCustomer = notices.accepted(named, to: "abuse@example.com", accountID: "a1")
        #expect(toCustomer.body.contains("Reported by: Jane Doe <jane@example.org>, CERT"))
        let toHost = notices.forwarded(hidden, addresses: ["203.0.113.9 port 22"], incident: "2026-11-20 10:00:00 +0000", note: "Your customer.",
                                       to: "abuse@upstream.example")
        #expect(toHost.audience == .host && toHost.recipient == "abuse@upstream.example" && toHost.accountID == nil)
        #expect(toHost.subject == "Abuse report r1 forwarded to you: Phishing")
        #expect(toHost.body.contains("Reported by: the reporter asked not to be named"))
        #expect(toHost.body.contains("A note from our trust and safety team:\nYour customer."))
        #expect(toHost.body.contains("Addresses reported:\n  203.0.113.9 port 22") && toHost.body.contains("When:       2026-11-20 10:00:00 +0000"))
        let plain = notices.forwarded(named, addresses: [], incident: nil, note: nil, to: "abuse@upstream.example")
        #expect(!plain.body.contains("A note from") && !plain.body.contains("Addresses reported") && plain.body.contains("Jane Doe"))
    }

    @Test func theReporterIsToldTheDecisionInPlainWords() {
        let view = ReporterView(id: "r3", reporter: Reporter(name: "Jane Doe", email: "jane@example.org"),
                                receivedAt: Date(timeIntervalSince1970: 1_795_435_200), headline: "Social Engineering")
        let accepted = notices.decision(.accept, about: view)
        #expect(accepted.audience == .reporter && accepted.recipient == "jane@example.org" && accepted.reportID == "r3")
        #expect(accepted.subject == "Report r3 accepted: Social Engineering")
        #expect(accepted.body.hasPrefix("Hello Jane Doe,\n\nwe have reviewed your report r3 of 2026-11-23 12:00 UTC (Social Engineering)."))
        let denied = notices.decision(.deny(.notServedHere), about: view)
        #expect(denied.subject == "Report r3 closed without action: Social Engineering")
        #expect(denied.body.contains("We could not act on it. The reason: the reported content or address is not served by us."))
        #expect(denied.body.contains("a WHOIS or RDAP lookup names it"))
        #expect(!notices.decision(.deny(.noAbuseFound), about: view).body.contains("You are welcome"))
    }

    @Test func theReceiptTellsTheReporterWhatWasFiledWordForWord() throws {
        let targets = [ReportTarget(source: .url(try #require(ReportedURL("https://a.example/x")))),
                       ReportTarget(source: .ip(try #require(IPAddress("203.0.113.9")), port: 22))]
            + (1...9).map { ReportTarget(source: .ip(IPAddress(v4: 0xC633_6400 + UInt32($0)), port: nil)) }
        let record = ReportRecord(id: "r9", receivedAt: Date(timeIntervalSince1970: 1_795_435_200), channel: .reportAPI, reportType: .phishing,
                                  classification: Classification(threatType: "Phishing", incidentType: "Social Engineering",
                                                                 attackMethod: "Fake Login", reportType: .phishing),
                                  incident: IncidentTime(date: "2026-11-20", time: "10:00", timeZone: "+0100", instant: Date()),
                                  reporter: Reporter(name: "Jane Doe", email: "jane@example.org"), anonymize: true, severity: nil, notes: "",
                                  targets: targets, attachmentIDs: [], routing: .unassigned)
        let receipt = try #require(notices.receipt(for: [record]))
        #expect(receipt.subject == "Report r9 received: Social Engineering")
        #expect(receipt.recipient == "jane@example.org" && receipt.audience == .reporter && receipt.reportID == "r9" && receipt.isReceipt)
        // Nobody verified the address: the receipt greets no name and makes no link of what was reported.
        #expect(receipt.body == """
            Hello,

            thank you for your report. We have received it and will look into it.

            Report id:  r9
            Received:   2026-11-23 12:00 UTC
            Incident:   Phishing / Social Engineering / Fake Login
            Happened:   2026-11-20 10:00 +0100
            Reported:   hxxps://a[.]example/x
                        203[.]0[.]113[.]9 port 22
                        198[.]51[.]100[.]1
                        198[.]51[.]100[.]2
                        198[.]51[.]100[.]3
                        198[.]51[.]100[.]4
                        198[.]51[.]100[.]5
                        198[.]51[.]100[.]6
                        198[.]51[.]100[.]7
                        198[.]51[.]100[.]8
                        and 1 more

            Links and addresses are written so that they do not open by mistake: hxxp stands for http, [.] for a dot.

            What happens next: our trust and safety team reviews every report. When the abuse comes from
            a customer of ours, we ask them to stop it or act ourselves, and we write to you again once we
            have decided.

            As you asked, your name and e-mail address are not shared with the reported customer.

            Please quote the report id if you write to us about this report.

            AbuseDesk
            """)
        var plain = record
        plain.classification = nil
        plain.incident = nil
        plain.anonymize = false
        plain.targets = []
        let bare = try #require(notices.receipt(for: [plain])).body
        #expect(bare.contains("Received:   2026-11-23 12:00 UTC\nIncident:   Phishing\n\nWhat happens next"))
        #expect(!bare.contains("As you asked") && !bare.contains("hxxp"))
        #expect(notices.receipt(for: []) == nil)
    }

    @Test func oneReceiptListsEveryReportOfARequest() throws {
        let records = try (0..<53).map { index in
            ReportRecord(id: "id\(index)", receivedAt: Date(timeIntervalSince1970: 1_795_435_200), channel: .legacyAPI, reportType: .network,
                         classification: Classification(threatType: "IP Address", incidentType: "Spam", attackMethod: nil, reportType: .network),
                         incident: nil, reporter: Reporter(name: "Hello Your mailbox is full - sign in at https://evil.example", email: "victim@example.org"),
                         anonymize: false, severity: nil, notes: "", targets: [ReportTarget(source: .url(try #require(ReportedURL("https://evil.example/login"))))],
                         attachmentIDs: [], routing: .unassigned)
        }
        let receipt = try #require(notices.receipt(for: records))
        #expect(receipt.subject == "53 reports received, the first id0")
        #expect(receipt.reportID == "id0" && receipt.isReceipt)
        #expect(receipt.body.hasPrefix("Hello,\n\nthank you for your reports. We have received them and will look into them.\n\nReceived:   2026-11-23 12:00 UTC\nReport ids:\n  id0  IP Address / Spam: hxxps://evil[.]example/login\n"))
        #expect(receipt.body.contains("  id49  IP Address / Spam") && !receipt.body.contains("id50") && receipt.body.contains("  and 3 more\n"))
        #expect(!receipt.body.contains("mailbox is full") && !receipt.body.contains("https://"))
    }

    @Test func aForwardedReportListsWhatTheHostNeedsWordForWord() {
        let report = CustomerNotice.Report(id: "r4", type: .dmca, domain: "files.example.com",
                                           urls: (1...21).map { "https://files.example.com/\($0)" }, justification: "Copies of my work.",
                                           reporter: Reporter(name: "A & B", email: "ab@example.org"))
        let message = notices.forwarded(report, addresses: ["203.0.113.9 port 22"], incident: "2026-11-20 10:00:00 +0000",
                                        note: "Your customer.", to: "abuse@upstream.example")
        let urls = (2...20).map { "            https://files.example.com/\($0)\n" }.joined()
        #expect(message.body == """
            Hello,

            we received the abuse report below about files.example.com. It concerns a service or network
            you provide upstream of us, so we are forwarding it to you to act on.

            A note from our trust and safety team:
            Your customer.

            Report id:  r4
            Type:       Copyright infringement (DMCA)
            URLs:       https://files.example.com/1

            """ + urls + """
                        and 1 more
            Reported by: A & B <ab@example.org>

            What the reporter wrote:
            Copies of my work.

            Addresses reported:
              203.0.113.9 port 22

            When:       2026-11-20 10:00:00 +0000

            Please quote the report id r4 if you write to us about it.

            AbuseDesk
            """)
    }

    @Test func everyDenialReasonHasWordsForTheReporter() {
        for reason in DenialReason.allCases {
            #expect(reason.explanation.hasSuffix(".") && reason.explanation.count > 20, "\(reason)")
        }
    }

    @Test func templatesThatCannotBeRenderedAreRefusedAtStart() throws {
        var sources: [String: String] = [:]
        for name in MailTemplates.Event.allCases.map(\.rawValue) + ["report-summary", "signature"] { sources[name] = "Subject: x\n\nbody" }
        _ = try MailTemplates(sources: sources)
        var missing = sources
        missing["host-forward"] = nil
        #expect(throws: MailTemplates.Unusable.self) { try MailTemplates(sources: missing) }
        var subjectless = sources
        subjectless["reporter-decision"] = "Hello"
        let error = #expect(throws: MailTemplates.Unusable.self) { try MailTemplates(sources: subjectless) }
        #expect(error?.description.contains("reporter-decision") == true)
        var broken = sources
        broken["reporter-decision"] = "Subject: x\n\nline 3 {{#open}}"
        let unclosed = #expect(throws: MailTemplates.Unusable.self) { try MailTemplates(sources: broken) }
        #expect(unclosed?.description == "the mail template reporter-decision does not compile: line 3: the section open is never closed")
        broken = sources
        broken["signature"] = "--\n{{/x}}"
        let inPartial = #expect(throws: MailTemplates.Unusable.self) { try MailTemplates(sources: broken) }
        #expect(inPartial?.description == "the mail template signature does not compile: line 2: {{/x}} closes no section")
    }
}
