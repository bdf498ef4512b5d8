import AbuseDeskCore
import Foundation

/// How the admin API (and the command line) writes accounts, tokens and decisions.
enum AdminRepresentation {
    static func account(_ account: AccountModel) -> JSONValue {
        [
            "id": .string(account.id ?? ""),
            "name": .string(account.name),
            "abuse_email": .optional(account.abuseEmail),
            "created_at": .string(RFC3339.format(account.createdAt)),
            "closed_at": .time(account.closedAt),
            "domains": .array(account.$domains.value?.sorted { $0.domain < $1.domain }.map(domain) ?? []),
            "netblocks": .array(account.$netblocks.value?.sorted { $0.cidr < $1.cidr }.map(netblock) ?? []),
        ]
    }

    static func domain(_ row: AccountDomainModel) -> JSONValue {
        ["id": .string(row.id ?? ""), "domain": .string(row.domain)]
    }

    static func netblock(_ row: AccountNetblockModel) -> JSONValue {
        ["id": .string(row.id ?? ""), "cidr": .string(row.cidr)]
    }

    /// A token; its secret only when it was just created.
    static func token(_ token: APITokenModel, secret: String? = nil) -> JSONValue {
        var object: JSONObject = [
            "id": .string(token.id ?? ""),
            "account_id": .optional(token.accountID),
            "operator_id": .optional(token.operatorID),
            "scopes": .array(token.scopes.split(separator: " ").map { .string(String($0)) }),
            "name": .optional(token.name),
            "created_at": .string(RFC3339.format(token.createdAt)),
            "last_used_at": .time(token.lastUsedAt),
            "revoked_at": .time(token.revokedAt),
            "expires_at": .time(token.expiresAt),
        ]
        if let secret { object["token"] = .string(secret) }
        return .object(object)
    }

    static func decision(_ report: ReportModel) -> JSONValue {
        ["id": .string(report.id ?? ""), "status": .string(report.status), "denial_reason": .optional(report.denialReason)]
    }

    static func mitigation(_ mitigation: MitigationModel) -> JSONValue {
        var object = AccountsRepresentation.mitigation(mitigation).objectValue ?? JSONObject()
        object["report_id"] = .string(mitigation.reportID)
        return .object(object)
    }

    static func appeal(_ appeal: AppealModel) -> JSONValue {
        ["id": .string(appeal.id ?? ""), "report_id": .string(appeal.reportID), "mitigation_id": .string(appeal.mitigationID),
         "request_id": .string(appeal.requestID), "account_id": .optional(appeal.accountID),
         "reason": .string(appeal.reason), "details": .optional(appeal.details), "status": .string(appeal.status),
         "created_at": .string(RFC3339.format(appeal.createdAt)), "decided_at": .time(appeal.decidedAt),
         "decision_reason": .optional(appeal.decisionReason)]
    }
}
