/// A small inline SVG line of readings (no script, no external resource).
///
///     Sparkline.svg(values: [120, 128, 135], label: "Systolic: 3 readings, 120 to 135 mm[Hg]")
enum Sparkline {
    static let width = 160.0
    static let height = 36.0
    static let padding = 4.0

    /// The SVG markup; `label` is escaped. `nil` for fewer than two values.
    static func svg(values: [Double], label: String) -> String? {
        guard values.count >= 2, let low = values.min(), let high = values.max() else { return nil }
        let span = high - low
        let step = (width - 2 * padding) / Double(values.count - 1)
        let points = values.enumerated().map { index, value -> (Double, Double) in
            let x = padding + Double(index) * step
            let y = span == 0 ? height / 2 : padding + (high - value) / span * (height - 2 * padding)
            return (x, y)
        }
        let path = points.map { "\(ChartFormat.coordinate($0.0)),\(ChartFormat.coordinate($0.1))" }.joined(
            separator: " ")
        let escaped = HTMLEscaping.escape(label)
        var svg =
            "<svg class=\"sparkline\" role=\"img\" aria-label=\"\(escaped)\" width=\"\(Int(width))\" height=\"\(Int(height))\""
        svg +=
            " viewBox=\"0 0 \(Int(width)) \(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escaped)</title>"
        svg += "<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" points=\"\(path)\"/>"
        for (index, point) in points.enumerated() {
            let radius = index == points.count - 1 ? "2.8" : "1.6"
            svg +=
                "<circle cx=\"\(ChartFormat.coordinate(point.0))\" cy=\"\(ChartFormat.coordinate(point.1))\" r=\"\(radius)\" fill=\"currentColor\"/>"
        }
        return svg + "</svg>"
    }
}
