import Testing
@testable import AbuseDeskCore

@Suite struct TextTemplateTests {
    private func render(_ source: String, _ context: [String: TemplateValue] = [:], partials: [String: String] = [:]) throws -> String {
        try TextTemplate(source, partials: partials).render(context)
    }

    @Test func namesAreWrittenAsTheyAreAndMissingOnesWriteNothing() throws {
        let context: [String: TemplateValue] = ["name": "A & <B>", "count": 3, "report": ["id": "r1", "reporter": ["name": "Jane"]]]
        let output = try render("{{name}}|{{{name}}}|{{& name}}|{{ count }}|{{report.id}}|{{report.reporter.name}}|{{missing}}|{{report.missing.x}}",
                                context)
        #expect(output == "A & <B>|A & <B>|A & <B>|3|r1|Jane||")
        #expect(try render("{{flag}}{{list}}{{report}}", ["flag": true, "list": .texts(["x"]), "report": [:]]) == "")
    }

    @Test(arguments: [("yes", TemplateValue.flag(true), "[in]"), ("no", .flag(false), "[out]"), ("text", .text("x"), "[in]"),
                      ("empty text", .text(""), "[out]"), ("number", .number(2), "[in]"), ("zero", .number(0), "[out]"),
                      ("object", .object([:]), "[in]"), ("empty list", .list([]), "[out]")])
    func aSectionIsRenderedForTrueValuesAndTheInvertedOneForTheOthers(_ label: String, value: TemplateValue, expected: String) throws {
        #expect(try render("[{{#v}}in{{/v}}{{^v}}out{{/v}}]", ["v": value]) == expected, "\(label)")
        #expect(try render("[{{#missing}}in{{/missing}}{{^missing}}out{{/missing}}]") == "[out]")
    }

    @Test func aListRepeatsItsSectionOncePerItemWithTheItemInScope() throws {
        let context: [String: TemplateValue] = ["urls": .texts(["a", "b"]), "people": .list([["name": "Ann"], ["name": "Bo"]]), "sep": ";"]
        #expect(try render("{{#urls}}<{{.}}>{{/urls}}", context) == "<a><b>")
        #expect(try render("{{#people}}{{name}}{{sep}}{{/people}}", context) == "Ann;Bo;", "a name the item lacks comes from the scope around")
    }

    @Test func anObjectSectionLooksNamesUpInsideItFirst() throws {
        let context: [String: TemplateValue] = ["name": "outer", "who": ["name": "inner"], "other": ["x": "1"]]
        #expect(try render("{{#who}}{{name}}{{/who}} {{#other}}{{name}}{{x}}{{/other}} {{name}}", context) == "inner outer1 outer")
    }

    @Test func aLineHoldingOnlyASectionPartialOrCommentTagLeavesNoLineBehind() throws {
        let source = "Head\n  {{#on}}  \nshown\n{{/on}}\n{{^on}}\nhidden\n{{/on}}\n{{! a note for whoever edits this }}\nTail {{#on}}x{{/on}}\n"
        #expect(try render(source, ["on": true]) == "Head\nshown\nTail x\n")
        #expect(try render("{{#on}}\r\nwindows\r\n{{/on}}\r\n", ["on": true]) == "windows\r\n")
        #expect(try render("a {{name}}\n{{name}}\n", ["name": "n"]) == "a n\nn\n", "a variable alone on its line keeps the line")
    }

    @Test func partialsAreIncludedAndIndentedLikeTheirTag() throws {
        let partials = ["sig": "--\n{{name}}\n", "outer": "[{{> sig}}]"]
        #expect(try render("Hi\n{{> sig}}\nBye", ["name": "Ann"], partials: partials) == "Hi\n--\nAnn\nBye")
        #expect(try render("Hi\n  {{> sig}}\nBye", ["name": "Ann"], partials: partials) == "Hi\n  --\n  Ann\nBye")
        #expect(try render("{{> outer}}", ["name": "Ann"], partials: partials) == "[--\nAnn\n]")
    }

    @Test func theLineBreaksATemplateBeginsAndEndsWithCanBeDroppedWhenCompiled() throws {
        let template = try TextTemplate("\n\nHello {{name}}\n{{> sig}}", partials: ["sig": "--\nAnn\n\n"]).trimmingLineBreaksAtEdges()
        #expect(template.render(["name": "Bo"]) == "Hello Bo\n--\nAnn")
        #expect(try TextTemplate("\n\n").trimmingLineBreaksAtEdges().render([:]) == "")
        #expect(try TextTemplate("{{#on}}\nx\n{{/on}}").trimmingLineBreaksAtEdges().render(["on": true]) == "x\n",
                "only the template's own text is trimmed, not what its sections write")
    }

    @Test(arguments: [("line 1\n{{name", 2, "a tag opened with {{ is never closed"),
                      ("{{#a}}\n{{#b}}\n{{/b}}", 1, "the section a is never closed"),
                      ("{{#a}}\n\n{{/b}}", 3, "{{/b}} closes the section a opened on line 1"),
                      ("{{/a}}", 1, "{{/a}} closes no section"),
                      ("{{> nowhere}}", 1, "there is no partial named nowhere"),
                      ("{{}}", 1, "a tag has no name"),
                      ("{{% CONTENT_TYPE: TEXT}}", 1, "{{% CONTENT_TYPE: TEXT}}: pragmas and delimiter changes are not understood here; remove the tag (values are always written as plain text, unescaped)"),
                      ("\n{{=<% %>=}}", 2, "{{=<% %>=}}: pragmas and delimiter changes are not understood here; remove the tag (values are always written as plain text, unescaped)"),
                      ("{{a b}}", 1, "a b is not a name: use letters, digits, \".\", \"_\" and \"-\""),
                      ("{{a..b}}", 1, "a..b has an empty part between its dots"),
                      ("{{> loop}}", 1, "the partial loop includes itself, directly or through others")])
    func aTemplateThatDoesNotCompileSaysWhereAndWhy(source: String, line: Int, problem: String) {
        let error = #expect(throws: TextTemplate.SyntaxError.self) { try TextTemplate(source, partials: ["loop": "x{{> loop}}"]) }
        #expect(error == TextTemplate.SyntaxError(line: line, problem: problem))
    }
}
