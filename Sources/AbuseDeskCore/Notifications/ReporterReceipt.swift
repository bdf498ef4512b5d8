import Foundation

/// The receipt a reporter gets when a report is filed: its id, what was reported, what happens next.
public enum ReporterReceipt {
    public static func message(for record: ReportRecord) -> OutgoingMessage {
        let incident = record.classification.map { [$0.threatType, $0.incidentType, $0.attackMethod].compactMap { $0 }.joined(separator: " / ") }
            ?? record.reportType.title
        var lines = [
            "Hello \(record.reporter.name),",
            "",
            "thank you for your report. We have received it and will look into it.",
            "",
            "Report id:  \(record.id)",
            "Received:   \(utcMinute(record.receivedAt)) UTC",
            "Incident:   \(incident)",
        ]
        if let time = record.incident {
            lines.append("Happened:   \(time.date) \(time.time) \(time.timeZone)")
        }
        let shown = record.targets.prefix(10).map(describe)
        if let first = shown.first {
            lines.append("Reported:   \(first)")
            lines += shown.dropFirst().map { "            \($0)" }
            if record.targets.count > shown.count {
                lines.append("            and \(record.targets.count - shown.count) more")
            }
        }
        lines += [
            "",
            "What happens next: our trust and safety team reviews every report. When the abuse comes from",
            "a customer of ours, we ask them to stop it or act ourselves, and we write to you again once we",
            "have decided.",
        ]
        if record.anonymize {
            lines += ["", "As you asked, your name and e-mail address are not shared with the reported customer."]
        }
        lines += ["", "Please quote the report id if you write to us about this report.", "", "AbuseDesk"]
        return OutgoingMessage(audience: .reporter, recipient: record.reporter.email,
                               subject: "Report \(record.id) received: \(record.classification?.incidentType ?? record.reportType.title)",
                               body: lines.joined(separator: "\n"), reportID: record.id)
    }

    static func describe(_ target: ReportTarget) -> String {
        switch target.source {
        case .ip(let address, let port): port.map { "\(address) port \($0)" } ?? address.description
        case .url(let url): url.text
        }
    }

    /// `2026-11-23 14:05`
    static func utcMinute(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970)
        let day = IncidentTime.CalendarDate.from(daysSinceEpoch: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        return day.description + " " + padded(secondOfDay / 3600, 2) + ":" + padded(secondOfDay / 60 % 60, 2)
    }
}
