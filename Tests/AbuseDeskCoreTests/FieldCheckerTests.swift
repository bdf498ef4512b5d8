import Testing
@testable import AbuseDeskCore

@Suite struct FieldCheckerTests {
    @Test func aRequiredValueIsNamedWhenMissingNullOrBlank() {
        let object: JSONObject = ["given": "example.com", "null": .null, "blank": "  ", "number": 3]
        var check = FieldChecker()
        #expect(check.required(object, "given", "a domain") == "example.com")
        #expect(check.required(object, "number", "a domain") == 3, "the type is for the parser that reads it next")
        #expect(check.required(object, "missing", "a domain") == nil)
        #expect(check.required(object, "null", "a domain") == nil)
        #expect(check.required(object, "blank", path: "items[0].", "a domain") == nil)
        #expect(check.problems.map(\.path) == ["missing", "null", "items[0].blank"])
        #expect(check.problems.allSatisfy { $0.code == .required && $0.message == "Required: a domain." })
    }

    @Test func aRequiredChoiceNamesTheRequirementOrTheOptions() {
        let object: JSONObject = ["decision": "GRANT", "other": "maybe"]
        var check = FieldChecker()
        #expect(check.choice(object, "decision", ["grant", "reject"], required: "grant or reject") == "grant")
        #expect(check.choice(object, "missing", ["grant", "reject"], required: "grant or reject") == nil)
        #expect(check.choice(object, "missing", ["grant", "reject"]) == nil, "optional: nothing to say")
        #expect(check.choice(object, "other", ["grant", "reject"], required: "grant or reject") == nil)
        #expect(check.problems.map(\.message) == ["Required: grant or reject.", "Must be one of \"grant\" or \"reject\"; got \"maybe\"."])
    }
}
