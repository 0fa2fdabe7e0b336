import Foundation

/// A one-line progress bar on standard error, shown only when standard error is a terminal and the
/// run has more than one input. It prints file names (not contents) and counts.
final class ProgressBar {
    private let total: Int
    private let enabled: Bool
    private var done = 0
    private var lastDraw = Date.distantPast

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && total > 1 && isatty(STDERR_FILENO) == 1
    }

    func advance(label: String) {
        done += 1
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = now
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let percent = total > 0 ? 100 * done / total : 100
        FileHandle.standardError.write(Data("\r[\(bar)] \(percent)% \(done)/\(total) files".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
