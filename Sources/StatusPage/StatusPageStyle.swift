/// The status page's stylesheet, inlined in every answer (one request, nothing else to fetch).
///
/// Colours are custom properties so the SVG marks (classed `s-<series>`) follow the light or
/// dark scheme the reader's system prefers. The grid collapses to one column on narrow
/// screens. Constant.
enum StatusPageStyle {
    static let css = """
        :root{--bg:#f5f7fa;--card:#fff;--ink:#111827;--muted:#6b7280;--line:#e5e7eb;--grid:#eef0f3;--accent:#4f46e5;
        --hit:#16a34a;--coalesced:#0d9488;--miss:#f59e0b;--error:#dc2626;--bypass:#9ca3af;--p50:#2563eb;--p95:#db2777;
        --usd:#16a34a;--compute:#7c3aed;--rate:#4f46e5;--ratio:#16a34a;color-scheme:light dark}
        @media (prefers-color-scheme:dark){:root{--bg:#0b0f17;--card:#141a24;--ink:#e5e7eb;--muted:#9ca3af;--line:#273042;
        --grid:#1e2532;--accent:#818cf8}}
        *{box-sizing:border-box}
        body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
        font-variant-numeric:tabular-nums}
        header{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1rem;padding:1.1rem clamp(1rem,3vw,2rem);
        background:var(--card);border-bottom:1px solid var(--line)}
        header h1{margin:0;font-size:1.25rem;font-weight:700;letter-spacing:-.01em}
        header h1 span{color:var(--accent)}
        header .meta{color:var(--muted);font-size:.85rem;margin-left:auto}
        main{padding:1.25rem clamp(1rem,3vw,2rem) 2rem;max-width:1400px;margin:0 auto}
        .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(160px,1fr));gap:.85rem;margin-bottom:1rem}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.9rem 1rem}
        .kpi .label{color:var(--muted);font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;font-weight:600}
        .kpi .value{font-size:1.7rem;font-weight:650;margin:.15rem 0;letter-spacing:-.02em;white-space:nowrap}
        .kpi .value small{font-size:.95rem;color:var(--muted);font-weight:500}
        .kpi .sub{color:var(--muted);font-size:.82rem}
        .charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.85rem;margin-bottom:1rem}
        .tables{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:.85rem}
        @media (max-width:860px){.charts,.tables{grid-template-columns:1fr}}
        h2{font-size:.95rem;margin:0 0 .1rem;font-weight:650}
        .hint{color:var(--muted);font-size:.8rem;margin:0 0 .4rem}
        .legend{display:flex;flex-wrap:wrap;gap:.2rem .9rem;font-size:.8rem;color:var(--muted);margin:.1rem 0 .3rem}
        .legend b{color:var(--ink);font-weight:600}
        .swatch{display:inline-block;width:.7rem;height:.7rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px;background:var(--c)}
        svg.chart{width:100%;height:auto;display:block}
        svg .grid{stroke:var(--grid);stroke-width:1}
        svg text{fill:var(--muted);font-size:11px}
        svg .ylabel{text-anchor:end}
        svg .line{fill:none;stroke:var(--c);stroke-width:2.2;stroke-linejoin:round;stroke-linecap:round}
        svg .dot{fill:var(--c);opacity:0}
        svg .dot:hover{opacity:1}
        svg .dot:last-of-type{opacity:1}
        svg .bar{fill:var(--c)}
        svg .hover{fill:transparent}
        svg .hover:hover{fill:var(--ink);fill-opacity:.06}
        .empty{display:flex;align-items:center;justify-content:center;height:150px;color:var(--muted);font-size:.85rem;
        border:1px dashed var(--line);border-radius:8px}
        .s-hit{--c:var(--hit)}.s-coalesced{--c:var(--coalesced)}.s-miss{--c:var(--miss)}.s-error{--c:var(--error)}
        .s-bypass{--c:var(--bypass)}.s-p50{--c:var(--p50)}.s-p95{--c:var(--p95)}.s-usd{--c:var(--usd)}
        .s-compute{--c:var(--compute)}.s-rate{--c:var(--rate)}.s-ratio{--c:var(--ratio)}
        table{width:100%;border-collapse:collapse;font-size:.85rem}
        th{text-align:left;color:var(--muted);font-weight:600;font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;
        padding:.35rem .4rem;border-bottom:1px solid var(--line)}
        td{padding:.4rem;border-bottom:1px solid var(--line)}
        tr:last-child td{border-bottom:0}
        td.num,th.num{text-align:right;white-space:nowrap}
        td.model{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.8rem;word-break:break-all}
        .meter{height:4px;border-radius:2px;background:var(--grid);margin-top:.3rem}
        .meter i{display:block;height:100%;border-radius:2px;background:var(--c)}
        .none{color:var(--muted);font-size:.85rem;padding:.6rem 0}
        footer{color:var(--muted);font-size:.8rem;margin-top:1.2rem}
        footer a{color:var(--accent)}
        /* Last, so it overrides the sizes above: chart text scales down with the SVG on phones. */
        @media (max-width:600px){svg text{font-size:15px}.kpi .value{font-size:1.35rem}}
        """
}
