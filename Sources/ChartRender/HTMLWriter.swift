/// Escapes text for HTML: `&`, `<`, `>`, `"` and `'` become character references, so a value can go
/// into element content or a quoted attribute without changing the markup around it.
///
///     HTMLEscaping.escape("<b>\"A&B\"</b>")   // "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
/// - Complexity: O(n) in the length of `text`.
public enum HTMLEscaping {
    public static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            // C0 controls other than tab/newline/CR are not allowed in HTML text: drop them visibly.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": result += "\u{FFFD}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}

/// Builds an HTML document. Tag and attribute names are `StaticString`s written in this module;
/// every value passed as text or attribute value is escaped, so data never becomes markup.
struct HTMLWriter {
    private(set) var output = ""

    /// Markup written in this module (never data).
    mutating func raw(_ markup: StaticString) { output += markup.description }

    /// Markup generated in this module from escaped parts (the sparkline's numbers, CSS).
    mutating func trusted(_ markup: String) { output += markup }

    mutating func text(_ text: String) { output += HTMLEscaping.escape(text) }

    mutating func open(_ tag: StaticString, _ attributes: [(StaticString, String)] = []) {
        output += "<\(tag)"
        for (name, value) in attributes { output += " \(name)=\"\(HTMLEscaping.escape(value))\"" }
        output += ">"
    }

    mutating func close(_ tag: StaticString) { output += "</\(tag)>" }

    mutating func element(_ tag: StaticString, _ attributes: [(StaticString, String)] = [], text: String) {
        open(tag, attributes)
        self.text(text)
        close(tag)
    }

    mutating func element(
        _ tag: StaticString, _ attributes: [(StaticString, String)] = [], _ body: (inout HTMLWriter) -> Void
    ) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }

    var bytes: [UInt8] { Array(output.utf8) }

    /// A `class` attribute, or none.
    static func classes(_ value: String?) -> [(StaticString, String)] {
        guard let value else { return [] }
        return [("class", value)]
    }
}
