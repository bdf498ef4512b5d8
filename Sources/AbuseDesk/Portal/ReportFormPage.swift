import AbuseDeskCore
import Foundation

/// What the report form template shows: the values a person entered, the choices that fit them, and
/// each problem beside its field and in the summary.
struct ReportFormPage: Encodable {
    struct Option: Encodable {
        var value: String
        var label: String
        var selected: Bool
    }

    struct FieldView: Encodable {
        var name: String
        var value: String
        var error: String?
    }

    struct Fields: Encodable {
        var reporterName, reporterEmail, reporterPhone, reporterOrg: FieldView
        var threatType, incidentType, attackMethod: FieldView
        var date, time, timeZone, severity, reportNotes, attachment: FieldView
    }

    struct RowView: Encodable {
        var index: Int
        var number: Int
        var source, destination, sourcePort, destinationPort: FieldView
        var removable: Bool
    }

    struct SummaryItem: Encodable {
        var field: String
        var label: String
        var message: String
    }

    let title = "Report abuse"
    let nav = "report"
    let csrfField = FormProtection.fieldName
    let csrfToken: String
    let honeypot = FormProtection.honeypotName
    let fields: Fields
    let anonymize: Bool
    let threatTypes: [Option]
    let incidentTypes: [Option]
    let incidentPrompt: String
    let showAttackMethod: Bool
    let attackMethods: [Option]
    let timeZones: [Option]
    let autodetectTimeZone: Bool
    let severities: [Option]
    let rows: [RowView]
    let rowCount: Int
    let canAddRow: Bool
    let maximumRows = ReportForm.maximumRows
    let isURLReport: Bool
    let sourceLabel: String
    let sourceHint: String
    let errors: [SummaryItem]
    let errorCount: Int
    let taxonomyJSON: String

    /// Offsets people live in, from -12:00 to +14:00.
    static let offsets = ["-12:00", "-11:00", "-10:00", "-09:30", "-09:00", "-08:00", "-07:00", "-06:00", "-05:00", "-04:00",
                          "-03:30", "-03:00", "-02:00", "-01:00", "+00:00", "+01:00", "+02:00", "+03:00", "+03:30", "+04:00",
                          "+04:30", "+05:00", "+05:30", "+05:45", "+06:00", "+06:30", "+07:00", "+08:00", "+08:45", "+09:00",
                          "+09:30", "+10:00", "+10:30", "+11:00", "+12:00", "+12:45", "+13:00", "+14:00"]

    init(form: ReportForm, problems: [(field: String, message: String)], taxonomy: Taxonomy, taxonomyJSON: String,
         csrfToken: String, fresh: Bool, attachmentLost: Bool) {
        var errorOf: [String: String] = [:]
        var summary: [SummaryItem] = []
        // The summary reads in the order of the page, top to bottom.
        let ordered = problems.enumerated().sorted { a, b in
            (ReportForm.position(of: a.element.field), a.offset) < (ReportForm.position(of: b.element.field), b.offset)
        }.map(\.element)
        for problem in ordered {
            if let existing = errorOf[problem.field] {
                errorOf[problem.field] = existing + " " + problem.message
            } else {
                errorOf[problem.field] = problem.message
            }
            summary.append(SummaryItem(field: problem.field, label: form.label(of: problem.field), message: problem.message))
        }
        if attachmentLost, errorOf["attachment"] == nil {
            let message = "Choose the file again: files are not kept when a report has problems."
            errorOf["attachment"] = message
            summary.append(SummaryItem(field: "attachment", label: "Attachment", message: message))
        }
        func field(_ name: String, _ value: String) -> FieldView { FieldView(name: name, value: value, error: errorOf[name]) }

        self.csrfToken = csrfToken
        fields = Fields(
            reporterName: field("reporterName", form.reporterName), reporterEmail: field("reporterEmail", form.reporterEmail),
            reporterPhone: field("reporterPhone", form.reporterPhone), reporterOrg: field("reporterOrg", form.reporterOrg),
            threatType: field("threatType", form.threatType), incidentType: field("incidentType", form.incidentType),
            attackMethod: field("attackMethod", form.attackMethod), date: field("date", form.date), time: field("time", form.time),
            timeZone: field("timeZone", form.timeZone), severity: field("severity", form.severity),
            reportNotes: field("reportNotes", form.notes), attachment: field("attachment", ""))
        anonymize = form.anonymize

        let threat = taxonomy.threatType(named: form.threatType)
        threatTypes = taxonomy.threatTypes.map { Option(value: $0.name, label: $0.name, selected: $0.name == form.threatType) }
        let incidents = threat?.incidentTypes.filter { $0.accepts(.portal) } ?? []
        incidentTypes = incidents.map { Option(value: $0.name, label: $0.name, selected: $0.name == form.incidentType) }
        incidentPrompt = threat == nil ? "Choose a threat type first" : "Choose an incident type"
        let incident = threat?.incidentType(named: form.incidentType)
        let methods = incident?.attackMethods ?? []
        showAttackMethod = !methods.isEmpty
        attackMethods = methods.map { Option(value: $0.name, label: $0.name, selected: $0.name == form.attackMethod) }
        timeZones = Self.offsets.map { Option(value: $0, label: "UTC" + $0, selected: $0 == form.timeZone) }
            + (Self.offsets.contains(form.timeZone) || form.timeZone.isEmpty ? [] : [Option(value: form.timeZone, label: form.timeZone, selected: true)])
        autodetectTimeZone = fresh
        severities = [Option(value: "", label: "Not given", selected: form.severity.isEmpty)]
            + Severity.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: $0.rawValue == form.severity) }

        let rowCount = form.rows.count
        rows = form.rows.enumerated().map { index, row in
            RowView(index: index, number: index + 1,
                    source: field(ReportForm.Field.source(index), row.source),
                    destination: field(ReportForm.Field.destination(index), row.destination),
                    sourcePort: field(ReportForm.Field.sourcePort(index), row.sourcePort),
                    destinationPort: field(ReportForm.Field.destinationPort(index), row.destinationPort),
                    removable: rowCount > 1)
        }
        self.rowCount = rowCount
        canAddRow = rowCount < ReportForm.maximumRows
        isURLReport = form.isURLReport
        sourceLabel = form.isURLReport ? "Offending URL" : form.threatType.isEmpty ? "Offending IP address or URL" : "Offending IP address"
        sourceHint = form.isURLReport ? "For example https://example.com/login" : "For example 203.0.113.7 or 2001:db8::7"
        errors = summary
        errorCount = summary.count
        self.taxonomyJSON = taxonomyJSON
    }
}
