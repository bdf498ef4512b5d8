/// What an operator may do: an admin also manages accounts, tokens and operators; an analyst works reports.
public enum OperatorRole: String, Sendable, CaseIterable, Codable {
    case admin
    case analyst
}
