/// Hand-written SVG charts of evaluation results (no dependencies): ROC curves, precision–recall curves and
/// score histograms. Each function returns a standalone `<svg>` element, for the HTML report and the dashboard.
public enum EvaluationCharts {
    /// One named curve to draw; `area` (AUC or AP) is shown in the legend when given.
    public struct Series: Sendable, Hashable {
        /// Legend name.
        public var name: String
        /// The curve's points, in drawing order.
        public var points: [CurvePoint]
        /// Area under the curve for the legend, when known.
        public var area: Double?

        /// Creates a series.
        public init(name: String, points: [CurvePoint], area: Double? = nil) {
            self.name = name
            self.points = points
            self.area = area
        }
    }

    /// Colour-blind-friendly palette (Okabe–Ito) used for series in order.
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]

    /// ROC curves (false-positive rate → true-positive rate) with the chance diagonal.
    public static func rocCurve(_ series: [Series], width: Int = 480, height: Int = 360) -> String {
        var plot = Plot(
            width: width, height: height, title: "ROC curve", xLabel: "false positive rate",
            yLabel: "true positive rate")
        plot.dashedLine(from: (0, 0), to: (1, 1))
        for (i, s) in series.enumerated() {
            plot.polyline(s.points.map { ($0.x, $0.y) }, color: palette[i % palette.count])
        }
        plot.legend(series.map { legendText($0, metric: "AUC") }, corner: .bottomRight)
        return plot.svg()
    }

    /// Precision–recall curves (recall → precision); `baseline` (the positive rate, a random scorer's
    /// precision) is drawn dashed when given.
    public static func precisionRecallCurve(
        _ series: [Series], baseline: Double? = nil, width: Int = 480, height: Int = 360
    ) -> String {
        var plot = Plot(
            width: width, height: height, title: "Precision–recall curve", xLabel: "recall",
            yLabel: "precision")
        if let baseline { plot.dashedLine(from: (0, baseline), to: (1, baseline)) }
        for (i, s) in series.enumerated() {
            plot.polyline(s.points.map { ($0.x, $0.y) }, color: palette[i % palette.count])
        }
        plot.legend(series.map { legendText($0, metric: "AP") }, corner: .bottomLeft)
        return plot.svg()
    }

    /// Score histogram of normal vs anomalous rows, each class scaled to its own total (so a 5% class is
    /// visible), with the decision threshold as a vertical line. Any value binned by label works the same way
    /// (the data explorer's amounts, hours, distances): name it with `xLabel`.
    public static func scoreHistogram(
        _ histogram: ScoreHistogram, threshold: Double?, title: String = "Score distribution", xLabel: String = "score",
        width: Int = 480, height: Int = 360
    ) -> String {
        let normalCount = histogram.normal.reduce(0, +)
        let anomalyCount = histogram.anomaly.reduce(0, +)
        let normalShare = histogram.normal.map { Double($0) / Double(max(normalCount, 1)) }
        let anomalyShare = histogram.anomaly.map { Double($0) / Double(max(anomalyCount, 1)) }
        let top = max((normalShare + anomalyShare).max() ?? 0, 0.01) * 1.05
        var plot = Plot(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: "share of class",
            xRange: histogram.lower...histogram.upper, yRange: 0...top)
        let w = histogram.binWidth
        for (i, share) in normalShare.enumerated() where share > 0 {
            let x = histogram.lower + Double(i) * w
            plot.bar(x: x, width: w, height: share, color: palette[0], opacity: 0.55)
        }
        for (i, share) in anomalyShare.enumerated() where share > 0 {
            let x = histogram.lower + Double(i) * w
            plot.bar(x: x, width: w, height: share, color: palette[1], opacity: 0.55)
        }
        if let threshold, threshold >= histogram.lower, threshold <= histogram.upper {
            plot.verticalLine(at: threshold, label: "threshold \(formatFixed(threshold, decimals: 3))")
        }
        plot.legend(
            [("normal (\(normalCount))", palette[0]), ("anomaly (\(anomalyCount))", palette[1])], corner: .topRight)
        return plot.svg()
    }

    /// One bar of ``bars(_:title:width:)``.
    public struct Bar: Sendable, Hashable {
        /// The category, drawn left of the bar.
        public var label: String
        /// The length.
        public var value: Double
        /// The value as written right of the bar (e.g. `1,204` or `87.5 %`).
        public var valueText: String
        /// Fill colour (`#rrggbb`); the palette's next colour when nil.
        public var color: String?

        /// Creates a bar.
        public init(label: String, value: Double, valueText: String, color: String? = nil) {
            self.label = label
            self.value = value
            self.valueText = valueText
            self.color = color
        }
    }

    /// Horizontal bars of named categories (alerts by risk, recall per anomaly type), scaled to the largest value
    /// or to `maximum` when given.
    public static func bars(_ bars: [Bar], title: String, maximum: Double? = nil, width: Int = 480) -> String {
        let rowHeight = 26.0
        let labelWidth = 130.0
        let valueWidth = 70.0
        let w = Double(max(width, 240))
        let h = 34 + rowHeight * Double(bars.count) + 8
        let top = max(maximum ?? 0, bars.map(\.value).filter(\.isFinite).max() ?? 0)
        let span = w - labelWidth - valueWidth - 16
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" "
            + "viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"system-ui, sans-serif\" role=\"img\" "
            + "aria-label=\"\(escape(title))\">"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"\(formatFixed(w / 2, decimals: 1))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" "
        out += "font-weight=\"600\">\(escape(title))</text>"
        for (i, bar) in bars.enumerated() {
            let y = 34 + rowHeight * Double(i)
            let share = top > 0 && bar.value.isFinite ? max(bar.value, 0) / top : 0
            let length = max(span * share, bar.value > 0 ? 1 : 0)
            let color = bar.color ?? palette[i % palette.count]
            out += "<text x=\"\(formatFixed(labelWidth - 6, decimals: 1))\" y=\"\(formatFixed(y + 17, decimals: 1))\" "
            out += "text-anchor=\"end\" font-size=\"12\" fill=\"#222\">\(escape(bar.label))</text>"
            out += "<rect x=\"\(formatFixed(labelWidth, decimals: 1))\" y=\"\(formatFixed(y + 4, decimals: 1))\" "
            out += "width=\"\(formatFixed(length, decimals: 1))\" "
            out += "height=\"\(formatFixed(rowHeight - 8, decimals: 1))\" "
            out += "fill=\"\(escape(color))\"/>"
            out += "<text x=\"\(formatFixed(labelWidth + length + 6, decimals: 1))\" "
            out += "y=\"\(formatFixed(y + 17, decimals: 1))\" font-size=\"12\" fill=\"#333\">"
            out += "\(escape(bar.valueText))</text>"
        }
        return out + "</svg>"
    }

    /// Lines over any x range (time series: alerts per hour by risk, a user's amounts over time). Each series
    /// keeps its colour when given (`colors[i]`), else the palette's; `marker` draws a labelled vertical line
    /// (e.g. the alerted transaction). Ranges default to the data's, from 0 on the y axis.
    public static func lineChart(
        _ series: [Series], colors: [String] = [], title: String, xLabel: String, yLabel: String,
        xRange: ClosedRange<Double>? = nil, marker: (x: Double, label: String)? = nil, width: Int = 480,
        height: Int = 220
    ) -> String {
        let xs = series.flatMap { $0.points.map(\.x) } + (marker.map { [$0.x] } ?? [])
        let ys = series.flatMap { $0.points.map(\.y) }
        let x = xRange ?? ((xs.min() ?? 0)...(xs.max() ?? 1))
        var plot = Plot(
            width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel, xRange: x,
            yRange: 0...max((ys.max() ?? 1) * 1.1, 1))
        for (i, s) in series.enumerated() {
            let color = i < colors.count ? colors[i] : palette[i % palette.count]
            plot.polyline(s.points.map { ($0.x, $0.y) }, color: color)
            if s.points.count == 1, let only = s.points.first { plot.dot(at: (only.x, only.y), color: color) }
        }
        if let marker { plot.verticalLine(at: marker.x, label: marker.label) }
        if series.count > 1 { plot.legend(series.map { ($0.name, "") }, corner: .topRight) }
        return plot.svg()
    }

    private static func legendText(_ s: Series, metric: String) -> (String, String) {
        (s.area.map { "\(s.name) (\(metric) \(formatFixed($0, decimals: 3)))" } ?? s.name, "")
    }

    /// XML-escapes text for SVG and HTML (`&`, `<`, `>`, both quotes).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// A plotting area with axes, grid, title and legend, accumulating SVG elements.
private struct Plot {
    enum Corner {
        case topRight
        case bottomRight
        case bottomLeft
    }

    let width: Double
    let height: Double
    let xRange: ClosedRange<Double>
    let yRange: ClosedRange<Double>
    private let left = 56.0
    private let right = 16.0
    private let top = 34.0
    private let bottom = 46.0
    private var body: [String] = []
    private var seriesColors: [String] = []
    private let title: String
    private let xLabel: String
    private let yLabel: String

    init(
        width: Int, height: Int, title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double> = 0...1,
        yRange: ClosedRange<Double> = 0...1
    ) {
        self.width = Double(max(width, 160))
        self.height = Double(max(height, 120))
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = xRange.upperBound > xRange.lowerBound ? xRange : xRange.lowerBound...(xRange.lowerBound + 1)
        self.yRange = yRange.upperBound > yRange.lowerBound ? yRange : yRange.lowerBound...(yRange.lowerBound + 1)
    }

    private func px(_ x: Double) -> Double {
        left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right)
    }

    private func py(_ y: Double) -> Double {
        height - bottom - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (height - top - bottom)
    }

    private func n(_ v: Double) -> String { formatFixed(v, decimals: 1) }

    mutating func polyline(_ points: [(Double, Double)], color: String) {
        seriesColors.append(color)
        guard !points.isEmpty else { return }
        let coords = points.map { "\(n(px($0.0))),\(n(py($0.1)))" }.joined(separator: " ")
        body.append(
            "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(coords)\"/>"
        )
    }

    mutating func dot(at p: (Double, Double), color: String) {
        body.append("<circle cx=\"\(n(px(p.0)))\" cy=\"\(n(py(p.1)))\" r=\"3\" fill=\"\(color)\"/>")
    }

    mutating func dashedLine(from a: (Double, Double), to b: (Double, Double)) {
        body.append(
            "<line x1=\"\(n(px(a.0)))\" y1=\"\(n(py(a.1)))\" x2=\"\(n(px(b.0)))\" y2=\"\(n(py(b.1)))\" "
                + "stroke=\"#999\" stroke-dasharray=\"4 4\"/>")
    }

    mutating func bar(x: Double, width w: Double, height h: Double, color: String, opacity: Double) {
        let x0 = px(x)
        let x1 = px(x + w)
        let y0 = py(h)
        body.append(
            "<rect x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(max(x1 - x0 - 0.5, 0.5)))\" "
                + "height=\"\(n(py(yRange.lowerBound) - y0))\" fill=\"\(color)\" fill-opacity=\"\(opacity)\"/>")
    }

    mutating func verticalLine(at x: Double, label: String) {
        let X = n(px(x))
        body.append(
            "<line x1=\"\(X)\" y1=\"\(n(top))\" x2=\"\(X)\" y2=\"\(n(height - bottom))\" stroke=\"#333\" "
                + "stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>")
        // Right of the line in the plot's left half, left of it in the right half, so the label stays inside.
        let rightHalf = px(x) > (left + width - right) / 2
        body.append(
            "<text x=\"\(n(px(x) + (rightHalf ? -4 : 4)))\" y=\"\(n(height - bottom - 8))\" font-size=\"11\" "
                + "fill=\"#333\" text-anchor=\"\(rightHalf ? "end" : "start")\">"
                + "\(EvaluationCharts.escape(label))</text>")
    }

    /// Legend entries as (text, colour); an empty colour takes the next series colour in order.
    mutating func legend(_ entries: [(String, String)], corner: Corner) {
        guard !entries.isEmpty else { return }
        let lineHeight = 16.0
        let boxWidth = min(width - left - right - 8, 7.0 * Double(entries.map(\.0.count).max() ?? 0) + 30)
        let boxHeight = lineHeight * Double(entries.count) + 8
        let x: Double
        let y: Double
        switch corner {
        case .topRight:
            x = width - right - boxWidth - 4
            y = top + 4
        case .bottomRight:
            x = width - right - boxWidth - 4
            y = height - bottom - boxHeight - 4
        case .bottomLeft:
            x = left + 4
            y = height - bottom - boxHeight - 4
        }
        body.append(
            "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(boxWidth))\" height=\"\(n(boxHeight))\" fill=\"#fff\" "
                + "fill-opacity=\"0.85\" stroke=\"#ccc\"/>")
        for (i, entry) in entries.enumerated() {
            let color = entry.1.isEmpty ? (i < seriesColors.count ? seriesColors[i] : "#333") : entry.1
            let ly = y + 4 + lineHeight * Double(i) + lineHeight / 2
            body.append(
                "<rect x=\"\(n(x + 6))\" y=\"\(n(ly - 5))\" width=\"14\" height=\"10\" fill=\"\(color)\"/>"
                    + "<text x=\"\(n(x + 26))\" y=\"\(n(ly + 4))\" font-size=\"11\" fill=\"#222\">"
                    + "\(EvaluationCharts.escape(entry.0))</text>")
        }
    }

    func svg() -> String {
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
            + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"system-ui, sans-serif\" role=\"img\" "
            + "aria-label=\"\(EvaluationCharts.escape(title))\">"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        out += "<text x=\"\(n(width / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\">"
        out += "\(EvaluationCharts.escape(title))</text>"
        for i in 0...4 {
            let fx = xRange.lowerBound + (xRange.upperBound - xRange.lowerBound) * Double(i) / 4
            let fy = yRange.lowerBound + (yRange.upperBound - yRange.lowerBound) * Double(i) / 4
            out += "<line x1=\"\(n(px(fx)))\" y1=\"\(n(top))\" x2=\"\(n(px(fx)))\" y2=\"\(n(height - bottom))\" "
            out += "stroke=\"#eee\"/>"
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(fy)))\" x2=\"\(n(width - right))\" y2=\"\(n(py(fy)))\" "
            out += "stroke=\"#eee\"/>"
            out += "<text x=\"\(n(px(fx)))\" y=\"\(n(height - bottom + 16))\" text-anchor=\"middle\" font-size=\"11\" "
            out += "fill=\"#555\">\(tick(fx, span: xRange))</text>"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(py(fy) + 4))\" text-anchor=\"end\" font-size=\"11\" "
            out += "fill=\"#555\">\(tick(fy, span: yRange))</text>"
        }
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(width - left - right))\" "
        out += "height=\"\(n(height - top - bottom))\" fill=\"none\" stroke=\"#888\"/>"
        out += body.joined()
        out += "<text x=\"\(n((left + width - right) / 2))\" y=\"\(n(height - 10))\" text-anchor=\"middle\" "
        out += "font-size=\"12\" fill=\"#333\">\(EvaluationCharts.escape(xLabel))</text>"
        out += "<text transform=\"translate(14 \(n((top + height - bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" "
        out += "font-size=\"12\" fill=\"#333\">\(EvaluationCharts.escape(yLabel))</text>"
        return out + "</svg>"
    }

    private func tick(_ v: Double, span: ClosedRange<Double>) -> String {
        let width = span.upperBound - span.lowerBound
        return formatFixed(v, decimals: width >= 10 ? 0 : width >= 1 ? 2 : 3)
    }
}
