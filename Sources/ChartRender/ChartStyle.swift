/// The one stylesheet, inlined in every page: readable on screen, compact on paper.
enum ChartStyle {
    static let css = """
        :root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --band: #f6f8fa;
          --bad: #a40e26; --bad-bg: #ffebe9; --warn-bg: #fff8c5; --ok: #1a7f37; }
        * { box-sizing: border-box; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          color: var(--ink); margin: 0 auto; max-width: 1200px; padding: 0 16px 32px; }
        a { color: #0550ae; }
        .skip { position: absolute; left: -9999px; } .skip:focus { left: 8px; top: 8px; background: #fff; }
        header.banner { border-bottom: 3px solid var(--ink); padding: 12px 0 8px; margin-bottom: 8px; }
        header.banner h1 { margin: 0 0 4px; font-size: 1.6em; }
        header.banner dl { display: flex; flex-wrap: wrap; gap: 2px 20px; margin: 0; }
        header.banner dl div { display: flex; gap: 6px; } header.banner dt { color: var(--muted); }
        header.banner dd { margin: 0; font-weight: 600; }
        .side { display: inline-block; font-size: .8em; padding: 1px 8px; border: 1px solid var(--ink); border-radius: 10px; }
        nav.sections ul { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 14px; }
        section { margin: 18px 0; } h2 { font-size: 1.2em; border-bottom: 1px solid var(--line); margin: 0 0 6px; padding-bottom: 2px; }
        h3 { font-size: 1.02em; margin: 12px 0 4px; }
        table { border-collapse: collapse; width: 100%; font-size: .93em; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--line); }
        thead th { background: var(--band); font-weight: 600; }
        tbody th { font-weight: normal; } td.value { white-space: pre-line; }
        tr.component th { padding-left: 24px; }
        tr.abnormal td, tr.abnormal th { background: var(--bad-bg); }
        .flag { color: var(--bad); font-weight: 700; white-space: nowrap; }
        .flag.critical { text-decoration: underline; }
        .codes { color: var(--muted); font-size: .85em; }
        .coding { white-space: nowrap; }
        .unmapped { color: #7d4e00; background: var(--warn-bg); border: 1px dashed #9a6700; border-radius: 3px;
          padding: 0 3px; font-size: .85em; white-space: nowrap; }
        .none { color: var(--muted); font-style: italic; }
        .nka { font-weight: 700; }
        ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid var(--line); }
        ol.timeline li { padding: 2px 0 6px 12px; position: relative; }
        ol.timeline li::before { content: ""; position: absolute; left: -7px; top: 8px; width: 11px; height: 11px;
          border-radius: 50%; background: var(--ink); }
        .sparkline { color: #0550ae; vertical-align: middle; }
        .status-same { color: var(--ok); } .status-changed, .status-missing, .status-extra { color: var(--bad); font-weight: 700; }
        tr.differs td, tr.differs th { background: var(--bad-bg); }
        .compare td { width: 38%; }
        footer { margin-top: 28px; color: var(--muted); font-size: .85em; border-top: 1px solid var(--line); }
        @media print {
          body { max-width: none; font-size: 10.5pt; padding: 0; }
          nav, .skip { display: none; }
          a { color: inherit; text-decoration: none; }
          section { break-inside: auto; } h2, h3 { break-after: avoid; } tr { break-inside: avoid; }
          tr.abnormal td, tr.abnormal th, tr.differs td, tr.differs th, .unmapped {
            -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          thead { display: table-header-group; }
        }
        """
}
