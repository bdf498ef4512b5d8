import AbuseDeskCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import AbuseDesk

@Suite struct ReportFormTests {
    @Test func everyControlIsLabelledAndGrouped() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            let html = try await browser.open().body.string
            #expect(html.contains("<legend>Contact information</legend>"))
            #expect(html.contains("<legend>Report details</legend>"))
            for id in ["reporterName", "reporterEmail", "reporterPhone", "reporterOrg", "anonymizeReport", "threatType", "incidentType",
                       "attackMethod", "date", "time", "timeZone", "target-0-source", "target-0-destination", "target-0-sourcePort",
                       "target-0-destinationPort", "severity", "reportNotes", "attachment"] {
                #expect(html.contains("<label for=\"\(id)\">"), "\(id) has a label")
                #expect(html.contains("id=\"\(id)\""), "\(id) exists")
            }
            #expect(html.contains("Hide my identity from the reported customer"))
            #expect(html.contains(#"<option value="IP Address">IP Address</option>"#))
            #expect(html.contains(#"<option value="URL">URL</option>"#))
            #expect(html.contains("Choose a threat type first"))
            #expect(html.contains(#"id="attackMethod-field" hidden"#))
            #expect(html.contains(#"data-autodetect="true""#))
            #expect(html.contains(#"<option value="+05:30">UTC+05:30</option>"#))
            #expect(html.contains(#"value="refresh""#), "the no-script button that redraws the choices")
            #expect(browser.token?.count == 64)
            #expect(browser.cookie != nil)
        }
    }

    @Test func incidentTypesFollowTheThreatTypeAndMethodsTheIncidentType() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            let url = try await browser.submit(["threatType": "URL", "reporterName": "Kept Name", "action": "refresh"]).body.string
            #expect(url.contains(#"<option value="Responsible AI">Responsible AI</option>"#))
            #expect(url.contains(#"<option value="Social Engineering">Social Engineering</option>"#))
            #expect(!url.contains(#"<option value="Denial of Service">"#))
            #expect(url.contains(#"value="Kept Name""#))
            #expect(url.contains("Offending URL"))

            let ip = try await browser.submit(["threatType": "IP Address", "incidentType": "Social Engineering", "action": "refresh"]).body.string
            #expect(ip.contains(#"<option value="Phishing Email">Phishing Email</option>"#))
            #expect(ip.contains(#"<option value="Business Email Compromise">"#))
            #expect(!ip.contains(#"<option value="Phishing Website">"#))
            #expect(!ip.contains(#"id="attackMethod-field" hidden"#))
            #expect(!ip.contains(#"<option value="Responsible AI">"#))

            let spam = try await browser.submit(["threatType": "IP Address", "incidentType": "Spam", "action": "refresh"]).body.string
            #expect(spam.contains(#"id="attackMethod-field" hidden"#))
        }
    }

    @Test func rowsAreAddedAndRemovedWithoutScripts() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            let two = try await browser.submit(["targetRows": "1", "target-0-source": "203.0.113.1", "action": "add-row"]).body.string
            #expect(two.contains(#"id="target-1-source""#))
            #expect(two.contains(#"value="203.0.113.1""#))
            #expect(two.contains(#"value="remove-row-1""#))
            let one = try await browser.submit(["targetRows": "2", "target-0-source": "203.0.113.1", "target-1-source": "198.51.100.2",
                                                 "action": "remove-row-0"]).body.string
            #expect(one.contains(#"id="target-0-source" name="target-0-source" value="198.51.100.2""#))
            #expect(!one.contains(#"id="target-1-source""#))
            var fields: [String: String] = ["targetRows": "10", "action": "add-row"]
            for row in 0..<10 { fields["target-\(row)-source"] = "203.0.113.\(row + 1)" }
            let full = try await browser.submit(fields).body.string
            #expect(full.occurrences(of: "class=\"target-row\"") == 10)
            #expect(!full.contains(#"id="add-row""#))
        }
    }

    @Test func problemsAreShownBesideTheirFieldsAndInASummaryWithEveryValueKept() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            var fields = FormBrowser.validFields
            fields["reporterName"] = ""
            fields["reporterEmail"] = "jane@"
            fields["date"] = "2021-02-30"
            fields["targetRows"] = "2"
            fields["target-1-source"] = "10.0.0.7"
            fields["target-1-sourcePort"] = "70000"
            fields["reportNotes"] = "<script>alert('x')</script> & more"
            let response = try await browser.submit(fields, file: ("evidence.txt", Array("log lines".utf8)))
            #expect(response.status == .badRequest)
            let html = response.body.string
            #expect(html.contains(#"id="error-summary" role="alert""#))
            #expect(html.contains("There are 6 problems with your report"))
            #expect(html.contains(##"<a href="#reporterName">Name: Enter your name.</a>"##))
            #expect(html.contains(#"<p class="field-error" id="reporterEmail-error">"#))
            #expect(html.contains(#"aria-invalid="true" aria-describedby="reporterName-error""#))
            #expect(html.contains(##"<a href="#target-1-source">Offending IP address (row 2): "##))
            #expect(html.contains("Enter a port number from 1 to 65535"))
            #expect(html.contains("February 2021 has 28 days"))
            #expect(html.contains("Choose the file again"))
            // The summary reads top to bottom, as the page is laid out.
            let start = try #require(html.range(of: "error-summary-title"))
            let end = try #require(html.range(of: "</ul>", range: start.upperBound..<html.endIndex))
            let summary = html[start.upperBound..<end.lowerBound]
            let links = summary.components(separatedBy: "<a href=\"#").dropFirst().map { String($0.prefix(while: { $0 != "\"" })) }
            #expect(links == ["reporterName", "reporterEmail", "date", "target-1-source", "target-1-sourcePort", "attachment"],
                    "\(links)")
            // Values kept, and escaped.
            #expect(html.contains(#"value="jane@""#))
            #expect(html.contains(#"value="10.0.0.7""#))
            #expect(html.contains(#"<option value="Port Scan" selected>"#))
            #expect(html.contains(#"<option value="+01:00" selected>"#))
            #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"))
            #expect(!html.contains("<script>alert"))
            #expect(try await app.count("reports") == 0)
            #expect(try await app.count("attachments") == 0)
        }
    }

    @Test func aValidReportIsFiledConfirmedAndReceiptQueued() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            var fields = FormBrowser.validFields
            fields["anonymizeReport"] = "on"
            let response = try await browser.submit(fields, file: ("headers.eml", Array("From: a@example.org\nSubject: x\n\nbody".utf8)))
            #expect(response.status == .seeOther)
            let location = try #require(response.headers.first(name: .location))
            let id = String(location.split(separator: "/").last ?? "")
            #expect(location == "/report/abuse/received/\(id)")

            let report = try #require(try await ReportModel.find(id, on: app.db))
            #expect(report.channel == "portal")
            #expect(report.anonymize)
            #expect(report.incidentType == "Network Scanning")
            #expect(report.incidentTimeZone == "+01:00")
            let attachment = try #require(try await AttachmentModel.query(on: app.db).filter(\.$reportID == id).first())
            #expect(attachment.mediaType == "message/rfc822")
            #expect(attachment.name == "headers.eml")

            let page = try await browser.open(location)
            #expect(page.status == .ok)
            #expect(page.body.string.contains(#"<p class="report-id" id="report-id">\#(id)</p>"#))

            let queued = try #require(try await OutboxMessageModel.query(on: app.db).filter(\.$reportID == id).first())
            #expect(queued.audience == "reporter")
            #expect(queued.recipient == "jane@example.org")
            #expect(queued.subject == "Report \(id) received: Network Scanning")
            #expect(queued.body.contains("Report id:  \(id)"))
            #expect(queued.body.contains("not shared with the reported customer"))

            // Without a mail server the receipt becomes an .eml file under the data directory.
            #expect(try await app.abuseDesk.mail.deliverDue(on: app.db, logger: app.logger) == 1)
            let folder = app.abuseDesk.config.dataDirectory + "/mail"
            let files = try FileManager.default.contentsOfDirectory(atPath: folder)
            #expect(files.count == 1)
            let eml = try String(contentsOfFile: folder + "/" + files[0], encoding: .utf8)
            #expect(eml.contains("To: jane@example.org\r\n"))
            #expect(eml.contains("Subject: Report \(id) received: Network Scanning\r\n"))
            #expect(eml.contains("Content-Transfer-Encoding: quoted-printable"))
            #expect(try await OutboxMessageModel.find(queued.id, on: app.db)?.sentAt != nil)
            #expect(try await app.abuseDesk.mail.deliverDue(on: app.db, logger: app.logger) == 0)
        }
    }

    @Test func responsibleAIIsReportedThroughTheForm() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            var fields = FormBrowser.validFields
            fields["threatType"] = "URL"
            fields["incidentType"] = "Responsible AI"
            fields["attackMethod"] = ""
            fields["target-0-source"] = "https://chat.example.net/"
            fields["target-0-destinationPort"] = ""
            #expect(try await browser.submit(fields).status == .seeOther)
        }
    }

    @Test func unacceptedFilesAreRefusedBesideTheAttachment() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            let response = try await browser.submit(FormBrowser.validFields, file: ("tool.exe", [0x4D, 0x5A, 0x90, 0x00, 0x03]))
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains(##"<a href="#attachment">Attachment: This kind of file is not accepted."##))
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func submissionsWithoutTheFormTokenAreRefused() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            let missing = try await browser.submit(FormBrowser.validFields, withToken: false)
            #expect(missing.status == .forbidden)
            #expect(missing.body.string.contains("This form has expired"))
            let wrong = try await browser.submit(FormBrowser.validFields.merging(["_csrf": String(repeating: "a", count: 64)]) { $1 })
            #expect(wrong.status == .forbidden)
            let otherSite = try await browser.submit(FormBrowser.validFields, headers: ["Origin": "https://evil.example", "Host": "abusedesk.example"])
            #expect(otherSite.status == .forbidden)
            var stranger = FormBrowser(app: app)
            stranger.token = browser.token  // the token without its cookie
            #expect(try await stranger.submit(FormBrowser.validFields).status == .forbidden)
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func aFilledHoneypotIsRefused() async throws {
        try await withTestApp { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            let response = try await browser.submit(FormBrowser.validFields.merging(["website": "http://spam.example"]) { $1 })
            #expect(response.status == .badRequest)
            #expect(response.body.string.contains("Your report was not accepted"))
            #expect(try await app.count("reports") == 0)
        }
    }

    @Test func theRateLimitAnswersAReadablePage() async throws {
        try await withTestApp(configure: { $0.rateLimitPerMinute = 2 }) { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            _ = try await browser.submit(["action": "refresh"])
            let limited = try await browser.submit(FormBrowser.validFields)
            #expect(limited.status == .tooManyRequests)
            #expect(limited.headers.contentType == .html)
            #expect(limited.headers.first(name: "Retry-After") != nil)
            #expect(limited.body.string.contains("Too many requests"))
        }
    }
}

@Suite struct ReceiptTests {
    @Test func quotedPrintableKeepsLinesShortAndBytesSafe() {
        let text = "Grüße — " + String(repeating: "x", count: 100) + " end=\nnext line "
        let encoded = MIMEMessage.quotedPrintable(text)
        #expect(encoded.split(separator: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.utf8.allSatisfy { $0 < 128 })
        #expect(encoded.contains("Gr=C3=BC=C3=9Fe"))
        #expect(encoded.contains("end=3D"))
        #expect(encoded.hasSuffix("next line=20"))
        #expect(MIMEMessage.encodeHeader("Plain subject") == "Plain subject")
        #expect(MIMEMessage.encodeHeader("Meldung über Phishing").hasPrefix("=?UTF-8?B?"))
    }

    @Test func failedDeliveriesAreRetriedLater() async throws {
        struct Refusing: MailTransport {
            func open() async throws -> any MailSession { throw POSIXFailure(operation: "connect", path: "smtp") }
        }
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            var browser = FormBrowser(app: app)
            _ = try await browser.open()
            #expect(try await browser.submit(FormBrowser.validFields).status == .seeOther)
            let refusing = MailDelivery(transport: Refusing(), sender: "a@localhost", hostname: "localhost", now: { clock.now })
            #expect(try await refusing.deliverDue(on: app.db, logger: app.logger) == 0)
            let message = try #require(try await OutboxMessageModel.query(on: app.db).first())
            #expect(message.attempts == 1)
            #expect(message.lastError?.contains("connect") == true)
            #expect(message.nextAttemptAt == clock.now.addingTimeInterval(60))
            #expect(try await app.abuseDesk.mail.deliverDue(on: app.db, logger: app.logger) == 0, "not due yet")
            clock.advance(by: 61)
            #expect(try await app.abuseDesk.mail.deliverDue(on: app.db, logger: app.logger) == 1)
        }
    }
}
