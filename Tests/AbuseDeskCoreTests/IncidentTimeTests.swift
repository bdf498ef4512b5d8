import Foundation
import Testing
@testable import AbuseDeskCore

@Suite struct IncidentTimeTests {
    @Test(arguments: ["2021-02-28", "2020-02-29", "2000-02-29", "1970-01-01", "2026-12-31"])
    func realDates(text: String) {
        #expect(IncidentTime.CalendarDate(text) != nil)
    }

    @Test(arguments: ["2021-02-30", "2021-02-29", "1900-02-29", "2021-04-31", "2021-13-01", "2021-00-10", "2021-01-00",
                      "1969-12-31", "21-02-01", "2021/02/01", "2021-2-1", "02/01/2021", "2021-02-01T00:00:00"])
    func impossibleOrMalformedDates(text: String) {
        #expect(IncidentTime.CalendarDate(text) == nil)
    }

    @Test func tellsShapeFromExistence() {
        #expect(IncidentTime.CalendarDate.hasDateShape("2021-02-30"))
        #expect(!IncidentTime.CalendarDate.hasDateShape("02/30/2021"))
    }

    @Test(arguments: [("00:00", 0), ("23:59:59", 86_399), ("14:30:00", 52_200)])
    func times(text: String, seconds: Int) {
        #expect(IncidentTime.TimeOfDay(text)?.secondsIntoDay == seconds)
    }

    @Test(arguments: ["24:00", "12:60", "12:00:60", "7:00", "12:00:0", "noon", "12.00"])
    func badTimes(text: String) {
        #expect(IncidentTime.TimeOfDay(text) == nil)
    }

    @Test(arguments: [("Z", 0), ("+0000", 0), ("-05:00", -18_000), ("+0530", 19_800), ("+14:00", 50_400), ("-12:00", -43_200), ("+09", 32_400)])
    func offsets(text: String, seconds: Int) {
        #expect(IncidentTime.UTCOffset(text)?.seconds == seconds)
    }

    @Test(arguments: ["+15:00", "-13:00", "+14:30", "EST", "UTC", "+5:00", "+05:60", "0500", "+05-00"])
    func badOffsets(text: String) {
        #expect(IncidentTime.UTCOffset(text) == nil)
    }

    @Test func computesTheInstant() throws {
        let time = IncidentTime(date: try #require(.init("2021-02-01")), time: try #require(.init("09:30")),
                                offset: try #require(.init("-05:00")))
        #expect(time.instant == Date(timeIntervalSince1970: 1_612_189_800))
        #expect(time.date == "2021-02-01")
        #expect(time.time == "09:30:00")
        #expect(time.timeZone == "-05:00")
    }
}
