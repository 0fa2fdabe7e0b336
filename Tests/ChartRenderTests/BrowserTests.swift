import ChartRender
import ClinicalModel
import Foundation
import TestSupport
import Testing

/// Charts in a real browser: headless Chromium loads sample charts from disk, takes a screenshot
/// and dumps the DOM. Runs when `chromium` is on PATH or `FHIRBRIDGE_CHROMIUM` names it; with `CI`
/// set, a missing Chromium fails instead of skipping (Tools/setup.sh installs it).
@Suite(
    .serialized,
    .enabled(
        if: Browser.executable != nil || Browser.isCI,
        "needs Chromium: put chromium on PATH (Tools/setup.sh installs it as root) or set FHIRBRIDGE_CHROMIUM"))
struct BrowserTests {
    /// Sample inputs charted in the browser, and the C-CDA corpus documents when present.
    static func inputs() -> [URL] {
        var urls = [
            "hl7v2/oru-r01-lab.hl7", "hl7v2/adt-a01-basic.hl7", "hl7v2/vxu-v04-immunization.hl7",
            "ccda/ccd-all-sections.xml",
        ]
        .map { Support.samples.appendingPathComponent($0) }
        if let synthea = TestCorpus.optional("synthea/ccda"),
            let names = try? FileManager.default.contentsOfDirectory(atPath: synthea.path)
        {
            urls += names.filter { $0.hasSuffix(".xml") }.sorted().prefix(2).map { synthea.appendingPathComponent($0) }
        }
        return urls
    }

    @Test func chartsLoadWithoutErrorsAndShowTheirSections() throws {
        guard let chromium = Browser.executable else {
            Issue.record("CI is set but Chromium is missing: run Tools/setup.sh or set FHIRBRIDGE_CHROMIUM")
            return
        }
        let folder = try Support.temporaryFolder("charts")
        defer { try? FileManager.default.removeItem(at: folder) }
        var pages: [URL] = []
        for input in Self.inputs() {
            let units = Support.engine.convert(Array(try Data(contentsOf: input)), inputName: input.lastPathComponent)
            let book = ChartBook(units.compactMap(\.record))
            #expect(!book.charts.isEmpty, "\(input.lastPathComponent) has no chart")
            guard let chart = book.charts.first else { continue }
            let page = folder.appendingPathComponent("\(chart.id).html")
            try Data(Support.renderer.chartPage(chart, directory: book.directory)).write(to: page)
            pages.append(page)
        }
        // the index and a side-by-side page of the first input load cleanly too
        var others: [(URL, String)] = []
        let book = ChartBook(
            Self.inputs().prefix(1).flatMap { input in
                Support.engine.convert(
                    Array((try? Data(contentsOf: input)) ?? Data()), inputName: input.lastPathComponent
                ).compactMap(\.record)
            })
        let index = folder.appendingPathComponent("index.html")
        try Data(Support.renderer.indexPage(book)).write(to: index)
        others.append((index, "Patient charts"))
        if let chart = book.charts.first {
            let fhir = ChartBook(
                try Support.roundTrip(
                    Support.engine.convert(
                        Array(try Data(contentsOf: Self.inputs()[0])), inputName: "sample"
                    ).compactMap(\.record)))
            let comparison = ChartComparison(id: chart.id, source: chart, fhir: fhir.charts.first)
            let page = folder.appendingPathComponent(ChartComparison.pageName(chart.id))
            try Data(
                Support.renderer.comparisonPage(
                    comparison, sourceDirectory: book.directory, fhirDirectory: fhir.directory, sourcePage: nil,
                    fhirPage: nil)
            ).write(to: page)
            others.append((page, "records have the same digest on both sides"))
        }
        for (page, expected) in others {
            let png = folder.appendingPathComponent(page.lastPathComponent + ".png")
            let shot = try Browser.run(
                chromium, ["--screenshot=\(png.path)", "--window-size=1280,900", page.absoluteString], profile: folder)
            let bytes = Array((try? Data(contentsOf: png)) ?? Data())
            #expect(
                shot.status == 0 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 5_000,
                "\(page.lastPathComponent)")
            let dump = try Browser.run(chromium, ["--dump-dom", page.absoluteString], profile: folder)
            #expect(dump.stdout.contains(expected), "\(page.lastPathComponent): \(expected)")
            #expect(Browser.pageErrors(shot.stderr + dump.stderr).isEmpty)
        }
        for page in pages {
            let png = folder.appendingPathComponent(page.deletingPathExtension().lastPathComponent + ".png")
            let shot = try Browser.run(
                chromium, ["--screenshot=\(png.path)", "--window-size=1280,2000", page.absoluteString], profile: folder)
            #expect(shot.status == 0, "screenshot exit \(shot.status)")
            let bytes = Array((try? Data(contentsOf: png)) ?? Data())
            #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG: \(page.lastPathComponent)")
            #expect(bytes.count > 20_000, "PNG too small (\(bytes.count) bytes) for \(page.lastPathComponent)")
            let dump = try Browser.run(chromium, ["--dump-dom", page.absoluteString], profile: folder)
            #expect(dump.status == 0)
            for title in ChartRenderer.sectionTitles {
                #expect(
                    dump.stdout.contains(">\(title)</h2>"), "\(page.lastPathComponent): no \(title) heading in the DOM")
            }
            #expect(dump.stdout.contains("aria-label=\"Patient demographics\""))
            for output in [shot.stderr, dump.stderr] {
                let problems = Browser.pageErrors(output)
                #expect(problems.isEmpty, "page errors: \(problems.prefix(5))")
            }
        }
    }

    @Test func aPageWithAScriptWouldBeCaught() throws {
        // The checks above must be able to fail: a page whose script throws shows up on stderr.
        guard let chromium = Browser.executable else {
            Issue.record("CI is set but Chromium is missing")
            return
        }
        let folder = try Support.temporaryFolder("charts-negative")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = folder.appendingPathComponent("broken.html")
        try Data("<!DOCTYPE html><html><body><h2>x</h2><script>undefinedFunction()</script></body></html>".utf8).write(
            to: page)
        let dump = try Browser.run(chromium, ["--dump-dom", page.absoluteString], profile: folder)
        #expect(!Browser.pageErrors(dump.stderr).isEmpty, "a throwing script was not reported")
    }
}

enum Browser {
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    /// `FHIRBRIDGE_CHROMIUM`, else `chromium` (or `chromium-browser`) on PATH.
    static var executable: String? {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["FHIRBRIDGE_CHROMIUM"], !path.isEmpty { return path }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    /// Console errors and uncaught exceptions in Chromium's log (`--enable-logging=stderr --v=0`).
    static func pageErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter {
            $0.contains(":CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused to")
        }
    }

    /// Runs headless Chromium with a throwaway profile; kills it after `timeout` seconds.
    static func run(_ executable: String, _ arguments: [String], profile: URL, timeout: TimeInterval = 90) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let profileFolder = profile.appendingPathComponent("profile-\(UUID().uuidString)")
        process.arguments =
            [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profileFolder.path)",
            ] + arguments
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("chromium did not finish within \(Int(timeout)) s")
        }
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: (try? Data(contentsOf: out)) ?? Data(), as: UTF8.self),
            String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        )
    }
}
