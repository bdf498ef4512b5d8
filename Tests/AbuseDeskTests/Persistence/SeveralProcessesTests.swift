import AbuseDeskCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import AbuseDesk

/// Two processes on one store (SPEC 10): what one changes, the other routes, authorises and serves by
/// at once; an upload through one is read through the other. On both stores.
@Suite struct SeveralProcessesTests {
    @Test func aReportFiledRightAfterAnAccountChangeOnAnotherProcessIsRoutedByIt() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let world = try await AccountsWorld(first)
                let versionBefore = second.abuseDesk.directory.current.version
                // The first process adds a domain to an account; the second has not looked since it started.
                let added = try await world.send(.POST, "/admin/v1/accounts/\(world.other)/domains", token: world.adminToken,
                                                 json: ["domain": "fresh.example"])
                #expect(added.status == .ok || added.status == .created, "\(added.body.string)")
                let filed = try await second.send(.POST, "/report/v2.0/abuse", json: Reports.url(["sourceUrl": "https://shop.fresh.example/login"]))
                #expect(filed.status == .ok)
                let id = try #require(try filed.json["reportId"]?.stringValue)
                let report = try #require(try await ReportModel.find(id, on: second.db))
                #expect(report.accountID == world.other, "routed by the store's routing as it was when the report was written")
                #expect(second.abuseDesk.directory.current.version > versionBefore, "and the second process's table caught up")

                // A domain removed on the first is not routed to on the second either.
                let domains = try await AccountDomainModel.query(on: first.db).filter(\.$domain == "fresh.example").all()
                let removed = try await world.send(.DELETE, "/admin/v1/accounts/\(world.other)/domains/\(try #require(domains.first?.id))",
                                                   token: world.adminToken)
                #expect(removed.status == .ok || removed.status == .noContent, "\(removed.body.string)")
                let later = try await second.send(.POST, "/report/v2.0/abuse", json: Reports.url(["sourceUrl": "https://shop.fresh.example/again"]))
                let laterID = try #require(try later.json["reportId"]?.stringValue)
                #expect(try await ReportModel.find(laterID, on: second.db)?.accountID == nil)
            }
        }
    }

    @Test func reportsFiledOnTwoProcessesAtOnceAreAllStored() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for number in 0..<100 {
                        let app = number.isMultiple(of: 2) ? first : second
                        group.addTask {
                            try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": .string("r\(number)@example.org")])).status
                        }
                    }
                    return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
                }
                #expect(statuses.allSatisfy { $0 == .ok }, "each process waits for the other's write lock instead of failing")
                #expect(try await first.count("reports") == 100)
                #expect(try await first.count("outbox_messages") == 100, "each with its receipt")
            }
        }
    }

    @Test func oneAddressGetsItsHourlyReceiptsOnceWhateverTheNumberOfProcesses() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let budget = first.abuseDesk.config.receiptsPerHour
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in 0..<(3 * budget) {
                        let app = number.isMultiple(of: 2) ? first : second
                        group.addTask {
                            let filed = try await app.send(.POST, "/report/v2.0/abuse", json: Reports.ip(["reporterEmail": "victim@example.org"]))
                            #expect(filed.status == .ok)
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await first.count("reports") == 3 * budget)
                #expect(try await OutboxMessageModel.query(on: first.db).filter(\.$receiptTo == "victim@example.org").count() == budget)
            }
        }
    }

    @Test func dueMitigationsArePutInForceOnceWhenTwoProcessesRunTheSchedulerTogether() async throws {
        let clock = TestClock()  // 2026-11-23T12:00:00Z
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let world = try await AccountsWorld(first)
                var due: [String] = []
                for number in 0..<6 {
                    let report = try await world.fileURLReport("https://login.example.com/due-\(number)")
                    try await world.accept(report)
                    due.append(try await world.mitigate(report, effective: "2026-11-24T00:00:00Z"))
                }
                clock.advance(by: 12 * 3600)
                let activated = try await withThrowingTaskGroup(of: Int.self) { group in
                    for app in [first, second, first, second] {
                        group.addTask { try await app.abuseDesk.mitigations.activateDue(on: app.db) }
                    }
                    return try await group.reduce(0, +)
                }
                #expect(activated == due.count, "each due mitigation is put in force by one pass")
                for mitigation in due {
                    let history = try await AuditLog.history(of: [(.mitigation, mitigation)], on: first.db)
                    #expect(history.map(\.action) == ["mitigation.applied", "mitigation.activated"], "one audit entry each")
                }
                #expect(try await AuditLog.verify(on: first.db).firstBreak == nil)
            }
        }
    }

    @Test func theRoutingVersionCountsEveryChangeWhoeverMadeIt() async throws {
        try await withTestApp { app in
            let sql = try app.sql
            let start = try await AccountDirectory.version(on: sql)
            let world = try await AccountsWorld(app)
            let afterAccounts = try await AccountDirectory.version(on: sql)
            #expect(afterAccounts > start, "creating accounts with domains and netblocks moves it")
            // Written straight to the store, as a tool or another version might: the trigger still counts it.
            try await sql.raw("UPDATE account_netblocks SET cidr = cidr WHERE account_id = \(bind: world.acme)").run()
            #expect(try await AccountDirectory.version(on: sql) > afterAccounts)
            #expect(try await app.abuseDesk.directory.refreshIfChanged(from: app.db))
            #expect(try await app.abuseDesk.directory.refreshIfChanged(from: app.db) == false)
        }
    }

    @Test func aTokenCreatedOnOneProcessIsAcceptedOnTheOtherAndARevokedOneRefused() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let world = try await AccountsWorld(first)
                let headers: HTTPHeaders = ["Authorization": "Bearer \(world.acmeToken)"]
                #expect(try await second.send(.GET, world.reports(world.acme), headers: headers).status == .ok)
                let tokens = try await APITokenModel.query(on: first.db).filter(\.$accountID == world.acme).all()
                for token in tokens { _ = try await world.send(.DELETE, "/admin/v1/accounts/\(world.acme)/tokens/\(try #require(token.id))", token: world.adminToken) }
                #expect(try await second.send(.GET, world.reports(world.acme), headers: headers).status == .unauthorized)
            }
        }
    }

    @Test func anUploadThroughOneProcessIsDownloadedThroughTheOther() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { first in
            try await withSecondProcess(of: first, clock: clock) { second in
                let world = try await AccountsWorld(first)
                let uploaded = try await UploadTests.upload(first, [("file", "evidence.png", UploadTests.png)])
                let id = try #require(try uploaded.json.arrayValue?.first?["id"]?.stringValue)
                let download = try await second.send(.GET, "/admin/v1/attachments/\(id)", headers: ["Authorization": "Bearer \(world.analystToken)"])
                #expect(download.status == .ok)
                #expect(Array(download.body.readableBytesView) == UploadTests.png)
            }
        }
    }

    @Test func filesAnEarlierVersionKeptInTheDataFolderMoveIntoTheStore() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let attachments = app.abuseDesk.attachments
            let id = Identifier.make(at: clock.now)
            try await AttachmentModel(id: id, name: "old.txt", size: 3, sha256: sha256Hex(Array("old".utf8)), mediaType: "text/plain",
                                      createdAt: clock.now).create(on: app.db)
            try FileManager.default.createDirectory(atPath: attachments.directory, withIntermediateDirectories: true)
            try DurableFile.write(Array("old".utf8), to: attachments.path(for: id))
            let orphan = Identifier.make(at: clock.now)
            try DurableFile.write(Array("orphan".utf8), to: attachments.path(for: orphan))
            #expect(try await attachments.contents(of: id, on: app.db) == Array("old".utf8), "read from the file until it is moved")

            #expect(try await attachments.moveFilesIntoStore(on: app.db, logger: app.logger) == 1)
            #expect(!FileManager.default.fileExists(atPath: attachments.path(for: id)))
            #expect(!FileManager.default.fileExists(atPath: attachments.path(for: orphan)), "a file without a record is removed")
            #expect(try await attachments.contents(of: id, on: app.db) == Array("old".utf8))
            #expect(try await attachments.moveFilesIntoStore(on: app.db, logger: app.logger) == 0)
        }
    }
}
