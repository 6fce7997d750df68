"""Turns bench/results/latest.json into SVG charts and docs/performance.md.

Called by bench/harness.py at the end of a run; can be re-run alone on saved results:

    python3.11 -I -S bench/report.py [bench/results/latest.json]

The prose of docs/performance.md is the TEMPLATE at the end of this file: edit it here, never
in the generated document.
"""

import json
import math
import os
import sys

RUNNERS = ["repy", "restrictedpython", "bwrap"]
LABELS = {"cpython": "CPython 3.11", "repy": "repy", "restrictedpython": "RestrictedPython",
          "bwrap": "bubblewrap"}
COLORS = {"repy": "#1f77b4", "restrictedpython": "#d62728", "bwrap": "#2ca02c"}
TARGETS = {"startup": 1.2, "compute": 1.03, "api": 1.5}
CHECKER_TARGET_MS = 2.0
HELLO_MEMORY_TARGET = 12_000_000
ORDER = ["hello", "int_loop", "fib", "dict_sort", "str_join", "methods", "writeat", "log",
         "tcp"]


# ---------------------------------------------------------------------------------------
# Formatting


def x(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}×"


def ratio_cell(stat, digits=2):
    if not stat:
        return "—"
    return f"{stat['median']:.{digits}f}× ({stat['min']:.{digits}f}–{stat['max']:.{digits}f})"


def ms(seconds, digits=1):
    return "—" if seconds is None else f"{seconds * 1e3:.{digits}f} ms"


def mb(value, digits=1):
    return "—" if value is None else f"{value / 1e6:.{digits}f} MB"


def esc(text):
    return (str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


def chart_ratio(entry, runner):
    """The ratio a chart and the verdicts use: end to end for start-up, the workload timed
    inside the program for the others."""
    row = entry["runners"].get(runner)
    if not row:
        return None
    return row.get("ratio_wall") if not entry["timed"] else row.get("ratio_inner")


def verdict(measured, target):
    if measured is None:
        return "not measured"
    if measured <= target:
        return "**met**"
    return f"**missed** by {measured - target:.2f}× ({(measured / target - 1) * 100:.0f}% over)"


# ---------------------------------------------------------------------------------------
# SVG charts, written by hand


def svg_ratios(results):
    workloads = results.get("workloads") or {}
    rows = []
    for name in ORDER:
        entry = workloads.get(name)
        if not entry:
            continue
        for runner in RUNNERS:
            stat = chart_ratio(entry, runner)
            if stat:
                rows.append((name, entry, runner, stat))
    if not rows:
        return None
    top = max(r[3]["max"] for r in rows)
    lo, hi = 0.5, 2 ** math.ceil(math.log2(max(2.0, top * 1.05)))
    left, width, row_h, head = 250, 560, 16, 46
    height = head + row_h * len(rows) + 14 * len({r[0] for r in rows}) + 50

    def px(v):
        v = min(max(v, lo), hi)
        return left + (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo)) * width

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 90}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="16" font-size="13" font-weight="bold">Time relative to bare '
           f'CPython 3.11 (median, whiskers min–max; log scale)</text>',
           '<text x="10" y="32" fill="#555">hello world: end to end; other workloads: '
           'timed inside the program. Red ticks: repy\'s targets.</text>']
    tick = lo
    while tick <= hi + 1e-9:
        out.append(f'<line x1="{px(tick):.1f}" y1="{head - 4}" x2="{px(tick):.1f}" '
                   f'y2="{height - 40}" stroke="{"#333" if tick == 1 else "#ddd"}"/>')
        out.append(f'<text x="{px(tick):.1f}" y="{height - 26}" text-anchor="middle">'
                   f'{tick:g}×</text>')
        tick *= 2
    y = head
    previous = None
    for name, entry, runner, stat in rows:
        if name != previous:
            if previous is not None:
                y += 14
            previous = name
            out.append(f'<text x="10" y="{y + 11}" font-weight="bold">{esc(name)}</text>')
        out.append(f'<text x="{left - 6}" y="{y + 11}" text-anchor="end" fill="#333">'
                   f'{esc(LABELS[runner])}</text>')
        x0, x1 = px(lo), px(stat["median"])
        out.append(f'<rect x="{x0:.1f}" y="{y + 3}" width="{max(1.0, x1 - x0):.1f}" '
                   f'height="{row_h - 6}" fill="{COLORS[runner]}" opacity="0.85"/>')
        a, b = px(stat["min"]), px(stat["max"])
        mid = y + row_h / 2
        out.append(f'<line x1="{a:.1f}" y1="{mid}" x2="{b:.1f}" y2="{mid}" stroke="black"/>')
        out.append(f'<line x1="{a:.1f}" y1="{mid - 4}" x2="{a:.1f}" y2="{mid + 4}" '
                   'stroke="black"/>')
        out.append(f'<line x1="{b:.1f}" y1="{mid - 4}" x2="{b:.1f}" y2="{mid + 4}" '
                   'stroke="black"/>')
        if runner == "repy":
            t = px(TARGETS[entry["group"]])
            out.append(f'<line x1="{t:.1f}" y1="{y + 1}" x2="{t:.1f}" y2="{y + row_h - 1}" '
                       'stroke="red" stroke-width="2"/>')
        out.append(f'<text x="{max(x1, b) + 5:.1f}" y="{y + 11}">'
                   f'{stat["median"]:.2f}×</text>')
        y += row_h
    out.append("</svg>")
    return "\n".join(out)


def svg_lines(title, subtitle, series, x_max, y_max, x_label, y_label, guides, y_fmt):
    """A line chart: series = [(label, color, [(x, y)...], dashed)], guides = [(y, label)]."""
    left, top, width, height = 60, 50, 620, 300
    total_w, total_h = left + width + 170, top + height + 50

    def px(v):
        return left + v / x_max * width

    def py(v):
        return top + height - min(v, y_max) / y_max * height

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
           'font-family="sans-serif" font-size="11">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="18" font-size="13" font-weight="bold">{esc(title)}</text>',
           f'<text x="10" y="34" fill="#555">{esc(subtitle)}</text>']
    for i in range(6):
        v = y_max * i / 5
        out.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{left + width}" y2="{py(v):.1f}" '
                   'stroke="#eee"/>')
        out.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">'
                   f'{esc(y_fmt(v))}</text>')
    steps = max(1, int(x_max))
    for i in range(steps + 1):
        v = x_max * i / steps
        out.append(f'<line x1="{px(v):.1f}" y1="{top + height}" x2="{px(v):.1f}" '
                   f'y2="{top + height + 4}" stroke="#333"/>')
        out.append(f'<text x="{px(v):.1f}" y="{top + height + 16}" text-anchor="middle">'
                   f'{v:g}</text>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + height}" stroke="#333"/>')
    out.append(f'<line x1="{left}" y1="{top + height}" x2="{left + width}" '
               f'y2="{top + height}" stroke="#333"/>')
    out.append(f'<text x="{left + width / 2}" y="{total_h - 8}" text-anchor="middle">'
               f'{esc(x_label)}</text>')
    out.append(f'<text x="14" y="{top + height / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {top + height / 2})">{esc(y_label)}</text>')
    for value, label, color in guides:
        out.append(f'<line x1="{left}" y1="{py(value):.1f}" x2="{left + width}" '
                   f'y2="{py(value):.1f}" stroke="{color}" stroke-dasharray="5,4"/>')
    for i, (label, color, points, dashed) in enumerate(series):
        if not points:
            continue
        coords = " ".join(f"{px(a):.1f},{py(b):.1f}" for a, b in points if a <= x_max)
        dash = ' stroke-dasharray="5,4"' if dashed else ""
        out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8"{dash} '
                   f'points="{coords}"/>')
        ly = top + 10 + i * 18
        out.append(f'<line x1="{left + width + 12}" y1="{ly}" x2="{left + width + 32}" '
                   f'y2="{ly}" stroke="{color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{left + width + 38}" y="{ly + 4}">{esc(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def svg_cpu(results):
    cpu = (results.get("nanny") or {}).get("cpu") or []
    if not cpu:
        return None
    colors = ["#1f77b4", "#ff7f0e", "#2ca02c"]
    series, guides = [], []
    for run, color in zip(cpu, colors):
        series.append((f"cpu {run['share']}", color, run["series"], False))
        guides.append((run["share"], f"{run['share']}", color))
    seconds = max(r["seconds"] for r in cpu)
    return svg_lines("CPU share held by the nanny",
                     "the sandbox child's CPU time read from /proc every 0.25 s; dashed: the "
                     "limit", series, seconds, 1.0, "seconds since the sandbox started",
                     "CPU share (cores)", guides, lambda v: f"{v:.1f}")


def svg_rates(results):
    rates = (results.get("nanny") or {}).get("rates") or {}
    if not rates:
        return None
    series = []
    colors = {"lograte": "#1f77b4", "random": "#d62728"}
    seconds = max(r["seconds"] for r in rates.values())
    for kind, run in rates.items():
        limit = run["limit"]
        pts = [(t, b / limit) for t, b in run["series"]]
        series.append((f"{kind} ({limit / 1000:g} kB/s)", colors.get(kind, "#333"), pts,
                       False))
    series.append(("limit × time", "#999", [(0, 0), (seconds, seconds)], True))
    top = max([seconds] + [b for _, _, pts, _ in series for _, b in pts]) * 1.1
    return svg_lines("Rate limits: output over time, in seconds of budget",
                     "bytes delivered ÷ the limit (a line of slope 1 is exactly the limit)",
                     series, seconds, top, "seconds since the first byte",
                     "bytes ÷ limit (s)", [], lambda v: f"{v:.1f}")


def unicode_bars(results):
    """The repy ratios as a text bar chart (one block = 0.05×)."""
    lines = []
    workloads = results.get("workloads") or {}
    for name in ORDER:
        entry = workloads.get(name)
        stat = chart_ratio(entry, "repy") if entry else None
        if not stat:
            continue
        target = TARGETS[entry["group"]]
        width = int(round(stat["median"] / 0.05))
        bar = "█" * min(width, 60) + ("…" if width > 60 else "")
        mark = "✓" if stat["median"] <= target else "✗"
        lines.append(f"{name:<10} {bar:<61} {stat['median']:.2f}×  {mark} target ≤ {target}×")
    scale = " " * 11 + "".join("|" + " " * 19 for _ in range(3)) + "|"
    labels = " " * 11 + "0×" + " " * 18 + "1×" + " " * 18 + "2×" + " " * 18 + "3×"
    return "\n".join(lines + [scale, labels])


# ---------------------------------------------------------------------------------------
# The document


def workload_tables(results):
    workloads = results.get("workloads") or {}
    unavailable = results.get("runners_unavailable") or {}
    head = ("| workload | CPython 3.11 | repy | RestrictedPython | bubblewrap |\n"
            "|---|---|---|---|---|")
    e2e, inner, detail = [head], [head], []
    detail.append("| workload | end to end | in program | CPU time (all processes) | "
                  "sandbox peak memory | checksums |\n|---|---|---|---|---|---|")
    for name in ORDER:
        entry = workloads.get(name)
        if not entry:
            continue
        base = entry["runners"].get("cpython") or {}
        label = f"{name}: {entry['label']}"
        cells = [ms((base.get("wall") or {}).get("median"))]
        for runner in RUNNERS:
            row = entry["runners"].get(runner)
            cells.append(ratio_cell(row.get("ratio_wall")) if row else "not run")
        e2e.append(f"| {label} | " + " | ".join(cells) + " |")
        if entry["timed"]:
            cells = [ms((base.get("inner") or {}).get("median"))]
            for runner in RUNNERS:
                row = entry["runners"].get(runner)
                cells.append(ratio_cell(row.get("ratio_inner")) if row else "not run")
            inner.append(f"| {label} | " + " | ".join(cells) + " |")
        repy = entry["runners"].get("repy")
        if repy:
            detail.append(
                f"| {name} | {ratio_cell(repy.get('ratio_wall'))} | "
                f"{ratio_cell(repy.get('ratio_inner')) if entry['timed'] else '—'} | "
                f"{ratio_cell(repy.get('ratio_cpu'))} | "
                f"{mb((repy.get('peak_memory_bytes') or {}).get('median'))} | "
                f"{'agree' if entry['checksums_agree'] else 'DISAGREE: ' + esc(entry['checksums'])} |")
    variants = []
    for name in ORDER:
        entry = workloads.get(name) or {}
        for variant, v in (entry.get("repy_vs_variant") or {}).items():
            variants.append(f"| {name} | {v['description']} | {ratio_cell(v['ratio_wall'])} | "
                            f"{ratio_cell(v['ratio_inner'])} |")
    if variants:
        variants = ["| workload | CPython baseline | end to end | in program |",
                    "|---|---|---|---|"] + variants
    notes = []
    for runner, why in unavailable.items():
        notes.append(f"* **{LABELS.get(runner, runner)} was not run**: {why}")
    for name in ORDER:
        entry = workloads.get(name) or {}
        for runner, row in (entry.get("runners") or {}).items():
            if row.get("failed"):
                notes.append(f"* {name} / {runner}: {row['failed']} of {row['runs']} runs "
                             f"failed ({'; '.join(row['problems'])})")
    return "\n".join(e2e), "\n".join(inner), "\n".join(detail), "\n".join(variants), \
        "\n".join(notes)


def targets_table(results):
    rows = ["| target | measured (median, min–max) | verdict |", "|---|---|---|"]
    workloads = results.get("workloads") or {}
    hello = workloads.get("hello")
    if hello and hello["runners"].get("repy"):
        stat = hello["runners"]["repy"].get("ratio_wall")
        rows.append(f"| hello world ≤ 1.2× bare CPython (end to end) | {ratio_cell(stat)} | "
                    f"{verdict(stat and stat['median'], 1.2)} |")
    for group, target in (("compute", 1.03), ("api", 1.5)):
        for name in ORDER:
            entry = workloads.get(name)
            if not entry or entry["group"] != group or not entry["runners"].get("repy"):
                continue
            row = entry["runners"]["repy"]
            inner, wall = row.get("ratio_inner"), row.get("ratio_wall")
            rows.append(f"| {name} ≤ {target}× — in program | {ratio_cell(inner)} | "
                        f"{verdict(inner and inner['median'], target)} |")
            rows.append(f"| {name} ≤ {target}× — end to end | {ratio_cell(wall)} | "
                        f"{verdict(wall and wall['median'], target)} |")
            for variant, v in (entry.get("repy_vs_variant") or {}).items():
                stat = v.get("ratio_inner")
                rows.append(f"| {name} ≤ {target}× vs {v['description']} — in program | "
                            f"{ratio_cell(stat)} | {verdict(stat and stat['median'], target)} |")
    mem = results.get("memory") or {}
    peak = (hello or {}).get("runners", {}).get("repy", {}).get("peak_memory_bytes") \
        if hello else None
    peak = peak or mem.get("report_peak")
    if peak:
        met = peak["max"] <= HELLO_MEMORY_TARGET
        rows.append(f"| hello world: sandbox peak memory ≤ 12 MB (`peak_memory_bytes`) | "
                    f"{mb(peak['median'], 2)} ({mb(peak['min'], 2)}–{mb(peak['max'], 2)}) | "
                    f"{'**met**' if met else '**missed** by ' + mb(peak['max'] - HELLO_MEMORY_TARGET, 2)} |")
    sup = mem.get("supervisor_hwm")
    if sup:
        rows.append(f"| hello world: supervisor small (its VmHWM) | {mb(sup['median'], 2)} "
                    f"({mb(sup['min'], 2)}–{mb(sup['max'], 2)}) | no number set; "
                    f"{sup['median'] / 1e6:.1f} MB, about "
                    f"{sup['median'] / max(1, (peak or sup)['median']) * 100:.0f}% of the "
                    f"sandbox's peak |")
    checker = results.get("checker") or {}
    inproc = checker.get("in_process")
    if inproc:
        warm = inproc["warm_ms"]["median"]
        rows.append(f"| checker ≤ 2 ms for 1,000 lines (in process, warm) | {warm:.2f} ms "
                    f"({inproc['warm_ms']['min']:.2f}–{inproc['warm_ms']['max']:.2f}); "
                    f"first check {inproc['cold_ms']:.2f} ms | "
                    f"{'**met**' if warm <= CHECKER_TARGET_MS else f'**missed** by {warm - CHECKER_TARGET_MS:.1f} ms ({warm / CHECKER_TARGET_MS:.1f}× the target)'} |")
    diff = (checker.get("repy_check") or {}).get("median_difference_ms")
    if diff is not None:
        rows.append(f"| checker ≤ 2 ms — `repy check` 1,000 lines minus empty file | "
                    f"{diff:.2f} ms | "
                    f"{'**met**' if diff <= CHECKER_TARGET_MS else f'**missed** by {diff - CHECKER_TARGET_MS:.1f} ms'} |")
    return "\n".join(rows)


def anatomy_table(results):
    anatomy = results.get("startup_anatomy") or {}
    if not anatomy:
        return "(not measured)"
    rows = ["| command | wall (median, min–max) | CPU user+sys (median) |", "|---|---|---|"]
    for name, stat in anatomy.items():
        wall, cpu = stat.get("wall"), stat.get("cpu")
        if not wall:
            rows.append(f"| `{name}` | failed | — |")
            continue
        rows.append(f"| `{name}` | {ms(wall['median'], 2)} ({ms(wall['min'], 2)}–"
                    f"{ms(wall['max'], 2)}) | {ms(cpu['median'], 2)} |")
    trace = results.get("startup_strace")
    if trace:
        rows.append("")
        rows.append("One hello-world run under `strace -f -ttt -T` (strace slows every system "
                    "call several-fold: read the order and the proportions, not the absolute "
                    f"times; {trace['syscalls']['parent']} system calls in the supervisor, "
                    f"{trace['syscalls']['child']} in the sandbox child):")
        rows.append("")
        rows.append("| moment | ms after the supervisor's first system call |")
        rows.append("|---|---|")
        for name, when in sorted(trace["marks_ms"].items(), key=lambda kv: kv[1]):
            rows.append(f"| {name} | {when:.2f} |")
        if trace.get("slowest"):
            rows.append("")
            rows.append("Slowest system calls in that run:")
            rows.append("")
            rows.append("| ms | process | call |")
            rows.append("|---|---|---|")
            for s in trace["slowest"]:
                call = s["call"].replace("|", "\\|")
                rows.append(f"| {s['ms']:.2f} | {s['who']} | `{call}` |")
    return "\n".join(rows)


def checker_section(results):
    c = results.get("checker") or {}
    out = [f"The program: {c.get('lines', '?')} lines, {c.get('bytes', '?')} bytes — 100 "
           "classes of 10 lines each, the same program as safe-check's own timing test "
           "(`safe-check/src/timing.rs`).", ""]
    out.append("| measurement | median | min–max |")
    out.append("|---|---|---|")
    inproc = c.get("in_process")
    if inproc:
        for key, label in (("warm_ms", "`safe_check::check`, warm (bench/checker, in process)"),
                           ("parse_ms", "CPython `compile(..., ONLY_AST)` alone (the parse the checker starts with)"),
                           ("compile_ms", "CPython `compile(..., 'exec')` (what running costs anyway)")):
            s = inproc[key]
            out.append(f"| {label} | {s['median']:.2f} ms | {s['min']:.2f}–{s['max']:.2f} ms |")
        out.append(f"| first check in a process (creates CPython's `_ast` classes) | "
                   f"{inproc['cold_ms']:.2f} ms | — |")
        own = inproc["warm_ms"]["median"] - inproc["parse_ms"]["median"]
        out.append(f"| the checker's own work (check − parse: lowering to Rust + rules) | "
                   f"{own:.2f} ms | — |")
    elif c.get("in_process_error"):
        out.append(f"| in process | failed: {esc(c['in_process_error'][-200:])} | |")
    rc = c.get("repy_check")
    if rc and rc.get("thousand_ms"):
        out.append(f"| `repy check` 1,000 lines (whole process) | {rc['thousand_ms']['median']:.2f} ms | "
                   f"{rc['thousand_ms']['min']:.2f}–{rc['thousand_ms']['max']:.2f} ms |")
        out.append(f"| `repy check` empty file (whole process) | {rc['empty_ms']['median']:.2f} ms | "
                   f"{rc['empty_ms']['min']:.2f}–{rc['empty_ms']['max']:.2f} ms |")
        out.append(f"| difference (paired runs) | {rc['difference_ms']['median']:.2f} ms | "
                   f"{rc['difference_ms']['min']:.2f}–{rc['difference_ms']['max']:.2f} ms |")
    rp = c.get("restrictedpython")
    if rp:
        s = rp["compile_restricted_ms"]
        out.append(f"| RestrictedPython `compile_restricted` (warm) | {s['median']:.2f} ms | "
                   f"{s['min']:.2f}–{s['max']:.2f} ms |")
        s = rp["compile_ms"]
        out.append(f"| bare CPython `compile` in that process | {s['median']:.2f} ms | "
                   f"{s['min']:.2f}–{s['max']:.2f} ms |")
    if inproc and rp:
        out.append("")
        out.append(f"As ratios against bare CPython's `compile` of the same source: repy's "
                   f"checker {inproc['warm_ms']['median'] / inproc['compile_ms']['median']:.2f}×, "
                   f"RestrictedPython's `compile_restricted` "
                   f"{rp['compile_restricted_ms']['median'] / rp['compile_ms']['median']:.2f}× "
                   "(which also compiles; repy compiles separately after checking, so a run "
                   f"pays about {(inproc['warm_ms']['median'] + inproc['compile_ms']['median']) / inproc['compile_ms']['median']:.2f}× the compile).")
    return "\n".join(out)


def memory_section(results):
    m = results.get("memory") or {}
    if not m:
        return "(not measured)"
    out = ["| process | measure | median | min–max |", "|---|---|---|---|"]
    for key, who, how in (
            ("report_peak", "sandbox child", "report's `peak_memory_bytes`"),
            ("sandbox_hwm", "sandbox child", "VmHWM read from /proc while it runs"),
            ("supervisor_hwm", "supervisor (`repy`)", "VmHWM read from /proc while it runs"),
            ("supervisor_anon", "supervisor (`repy`)", "of its resident memory at the last read: anonymous (RssAnon)"),
            ("supervisor_file", "supervisor (`repy`)", "of its resident memory at the last read: file-backed (RssFile: the binary, libpython, libc)")):
        s = m.get(key)
        if s:
            out.append(f"| {who} | {how} | {mb(s['median'], 2)} | {mb(s['min'], 2)}–"
                       f"{mb(s['max'], 2)} |")
    for key, who in (("repy", "`repy` hello world"), ("cpython", "bare CPython `-I -S` hello world")):
        s = (m.get("gnu_time") or {}).get(key)
        if s:
            out.append(f"| {who} | `/usr/bin/time -f %M` (the largest process) | "
                       f"{mb(s['median'], 2)} | {mb(s['min'], 2)}–{mb(s['max'], 2)} |")
    return "\n".join(out)


def nanny_sections(results):
    n = results.get("nanny") or {}
    cpu_rows = ["| limit | mechanism | share over the whole window | mean after the first second | "
                "0.25 s intervals: median (min–max), σ | throttling pauses recorded |",
                "|---|---|---|---|---|---|"]
    for run in n.get("cpu") or []:
        iv = run.get("interval") or {}
        cpu_rows.append(
            f"| cpu {run['share']} | {run.get('mechanism')} | "
            f"{run['overall']:.3f} ({(run['overall'] / run['share'] - 1) * 100:+.1f}%) | "
            f"{run['after_1s']:.3f} | {iv.get('median', 0):.3f} ({iv.get('min', 0):.3f}–"
            f"{iv.get('max', 0):.3f}), {run.get('interval_stdev') or 0:.3f} | "
            f"{run.get('cpu_stops')} |" if run.get("overall") is not None else
            f"| cpu {run['share']} | {run.get('mechanism')} | not measured | | | |")
    rate_rows = ["| resource | limit | window | delivered in the window | rate | rate after the "
                 "first second | first second | charged (report) | throttled (report) |",
                 "|---|---|---|---|---|---|---|---|---|"]
    for kind, run in (n.get("rates") or {}).items():
        def rate(v):
            return "—" if v is None else f"{v / 1000:.1f} kB/s ({(v / run['limit'] - 1) * 100:+.1f}%)"
        rate_rows.append(
            f"| {kind} | {run['limit'] / 1000:g} kB/s | {run['window']:.2f} s | "
            f"{run['bytes_in_window'] / 1000:.1f} kB | {rate(run['rate'])} | "
            f"{rate(run['rate_after_1s'])} | {run['first_second'] / 1000:.1f} kB | "
            f"{(run.get('charged') or 0) / 1000:.1f} kB | "
            f"{run.get('throttled_seconds') or 0:.2f} s |")
    mem = n.get("memory") or {}
    mem_rows = ["| growth | run | verdict | measured at the kill | `peak_memory_bytes` | over "
                "the limit | backstop |", "|---|---|---|---|---|---|---|"]
    limit = mem.get("limit", 50_000_000)
    for growth, label in (("fast", "as fast as possible"), ("slow", "1 MB per 10 ms")):
        for i, run in enumerate(mem.get(growth) or []):
            worst = max(filter(None, [run.get("measured_at_kill"),
                                      run.get("peak_memory_bytes")]), default=None)
            over = "—" if worst is None else \
                f"{(worst - limit) / 1e6:+.2f} MB ({(worst / limit - 1) * 100:+.1f}%)"
            mem_rows.append(
                f"| {label} | {i + 1} | {run.get('verdict')} (exit {run.get('rc')}) | "
                f"{mb(run.get('measured_at_kill'), 2)} | {mb(run.get('peak_memory_bytes'), 2)} "
                f"| {over} | {run.get('backstop')} |")
    return "\n".join(cpu_rows), "\n".join(rate_rows), "\n".join(mem_rows)


def write_all(results, results_dir, doc_path):
    charts = {"ratios.svg": svg_ratios(results), "cpu.svg": svg_cpu(results),
              "rates.svg": svg_rates(results)}
    for name, svg in charts.items():
        if svg:
            with open(os.path.join(results_dir, name), "w", encoding="utf-8") as handle:
                handle.write(svg + "\n")
    if doc_path:
        with open(doc_path, "w", encoding="utf-8") as handle:
            handle.write(render_doc(results))


def render_doc(results):
    m = results.get("machine") or {}
    e2e, inner, detail, variants, notes = workload_tables(results)
    cpu_rows, rate_rows, mem_rows = nanny_sections(results)
    command = "bench/run --quick" if results.get("quick") else "bench/run"
    values = {
        "command": command,
        "started": results.get("started", "?"),
        "duration": results.get("duration_seconds", "?"),
        "reps": results.get("reps"),
        "mode": "quick mode: fewer repetitions, shorter nanny tests" if results.get("quick")
        else "full run",
        "nproc": m.get("nproc"), "cpu": m.get("cpu"), "kernel": m.get("kernel"),
        "load_start": " ".join(m.get("loadavg_start") or []),
        "load_end": " ".join(m.get("loadavg_end") or []),
        "python": m.get("python"), "python_path": m.get("python_path"),
        "repy": m.get("repy"), "commit": m.get("commit"),
        "dirty": " (with uncommitted changes outside bench/)" if m.get("dirty") else "",
        "rp_version": m.get("rp_version") or "not installed",
        "bwrap_version": m.get("bwrap_version") or "not installed",
        "e2e": e2e, "inner": inner, "detail": detail, "variants": variants or "(not run)",
        "notes": notes or "* Every runner ran every workload, and all printed the same "
                          "checksums.",
        "bars": unicode_bars(results),
        "targets": targets_table(results),
        "anatomy": anatomy_table(results),
        "checker": checker_section(results),
        "memory": memory_section(results),
        "cpu_rows": cpu_rows, "rate_rows": rate_rows, "mem_rows": mem_rows,
    }
    return TEMPLATE.format(**values)


TEMPLATE = """# Performance

<!-- Generated by `{command}` (bench/harness.py, bench/report.py). Do not edit by hand: the
     prose is the template at the end of bench/report.py; the numbers come from the run. -->

repy against bare CPython 3.11 on the same workloads, with RestrictedPython and bubblewrap
alongside, as **ratios** (a runner's time ÷ bare CPython's time; below 1 is faster). One
command measures everything and rewrites this page, the charts and the raw results:

```sh
bench/run            # full run, about 5-8 minutes on this machine
bench/run --quick    # under 2 minutes: 3 repetitions, 3 s CPU and 2.5 s rate tests
```

The numbers below are from **{started}** ({mode}, {reps} repetitions, {duration} s). The
machine is shared with other engineers who build concurrently, so treat them as provisional
and re-run `bench/run` before relying on them.

## The machine

| | |
|---|---|
| CPUs (`nproc`) | {nproc} |
| CPU model (`/proc/cpuinfo`) | {cpu} |
| kernel | {kernel} |
| load average (1, 5, 15 min) at the start / end | {load_start} / {load_end} |
| bare CPython | {python} (`{python_path} -I -S`: isolated, no `site`) |
| repy | {repy}, release build, commit {commit}{dirty} |
| RestrictedPython | {rp_version} (in `bench/.venv-rp`, installed by `bench/run`) |
| bubblewrap | {bwrap_version} |

## How it is measured

* **Runners.** *CPython*: `python3.11 -I -S PROGRAM`, the interpreter repy embeds (found from
  the libpython `target/release/repy` links). *repy*: `repy --report R --cwd VESSEL
  bench/restrictions/unlimited.toml PROGRAM`, whose rates, memory and CPU share are far above
  what any workload uses, so nothing waits. *RestrictedPython*: `bench/rp_runner.py`, which
  compiles with `compile_restricted` and runs with `safe_globals` and the standard guards
  (see its docstring for the few additions a program with classes and `print` needs).
  *bubblewrap*: bare CPython inside `bwrap --unshare-all --die-with-parent` with the
  interpreter's prefix and the system libraries bound read-only and a scratch directory
  writable.
* **Programs** are in `bench/workloads/`. The compute ones are the same plain Python 3 text
  for every runner (accepted by `repy check`: no imports, no dunder attributes, no
  `format`); each prints a checksum, and the harness checks that every runner printed the
  same one. The API-heavy ones use repy's API (`*_repy.py`, also run by RestrictedPython
  through a small capability layer with repy's names) and their plain-Python equivalents
  (`*_cpython.py`, for bare CPython and bubblewrap): `writeat` vs `os.pwrite`, `log` vs
  `print` to the same pipe, repy's non-blocking sockets (retry after `sleep(0)` on
  `SocketWouldBlockError`, an echo thread in the same program) vs plain blocking sockets
  with an echo thread — and, as a second baseline, plain sockets made non-blocking with
  the same retry loop.
* **Two times per run.** *End to end*: from starting the process to reaping it, as a user
  waits for it. *In program*: the workload alone, timed inside the program
  (`getruntime()` under repy, `time.perf_counter()` in bare CPython), which leaves out
  start-up, the static check and compilation.
* **Ratios** are taken per repetition (each runner's run ÷ bare CPython's run of the same
  repetition; runners are shuffled within a repetition) and summarised as the median and
  the min–max over the {reps} repetitions (hello world: 5 runs per repetition).

## Results

End to end (bare CPython's median time, then each runner's ratio: median (min–max)):

{e2e}

In program (the workload alone):

{inner}

repy against the other CPython baselines:

{variants}

{notes}

repy in detail (CPU time is user + system of every process of the run, supervisor included,
from `wait4`):

{detail}

![Ratios against bare CPython](../bench/results/ratios.svg)

The same repy ratios as text (start-up end to end; the others in program):

```text
{bars}
```

## Targets

Release build, this machine. Compute and API-heavy targets are judged on the in-program
ratio (the start-up has its own target); the end-to-end ratio is listed too.

{targets}

## Where the time goes

### Start-up

Fixed costs of the binary, measured from outside (each command run {reps}×2 times,
interleaved):

{anatomy}

{startup_prose}

### The checker

{checker}

{checker_prose}

### API-heavy workloads

{api_prose}

## Memory

A hello-world run (`bench/workloads/hello_sleep.py`: hello world, then half a second asleep
so that `/proc` can be read while the run lasts). The sandbox child's peak comes from the
report; the supervisor's own peak is the `VmHWM` line of `/proc/<pid>/status` of the `repy`
process, read every 2 ms until it exits (the last value read). `/usr/bin/time -f %M` would
not separate them: it prints `ru_maxrss` of the process it waited for, which the kernel
takes as the largest of the process and the children it reaped — here the sandbox child
(listed too, for comparison with bare CPython).

{memory}

## The nanny's accuracy

### CPU share

`bench/workloads/cpu_burn.py` spins under `cpu` = 0.1, 0.5 and 0.9
(`bench/restrictions/cpu-*.toml`). The harness finds the sandbox child (the supervisor's only
child, `/proc/<repy>/task/<repy>/children`) and reads its CPU time every 0.25 s from
`/proc/<pid>/schedstat` (nanoseconds; `/proc/<pid>/stat`'s `utime + stime` in clock ticks where
schedstat is missing).

{cpu_rows}

![CPU share over time](../bench/results/cpu.svg)

### Rates

`log` at `lograte` = 100 kB/s (`bench/workloads/log_flood.py` logs 1,000-byte chunks), and
`randombytes` at `random` = 10 kB/s (`bench/workloads/random_flood.py` logs one line per
1,024-byte call), both measured from outside by timestamping standard output as it arrives.
RepyV2's rates are pay-after: a call goes through, then the next one waits until the bucket
has drained, so the first call of a run is free.

{rate_rows}

![Rates over time](../bench/results/rates.svg)

### Memory limit

`bench/workloads/memory_hog.py` keeps 1 MB strings until it is killed, under
`memory` = 50 MB (`bench/restrictions/memory.toml`). The supervisor samples resident memory
every 20 ms; a cgroup cap of the limit + 1/16 + 8 MiB is the kernel's backstop.

{mem_rows}

{nanny_prose}

## Performance bugs found

{bugs_prose}

## Reproducing

`bench/run` builds repy (`cargo build --release`) and `bench/checker` (its own Cargo
workspace), installs RestrictedPython into `bench/.venv-rp` (pip `--target`, never the
interpreter's site-packages) and bubblewrap (`apt-get install -y bubblewrap`, when missing
and run as root), then measures. Its scratch files live in one temporary directory, removed
at the end; every process it starts runs in its own session and is killed on exit. Raw
results: `bench/results/latest.json`; charts: `bench/results/*.svg`. `bench/run --help`
lists the options (`--quick`, `--reps N`, `--only WORKLOADS`, `--skip SECTIONS`,
`--no-build`, `--no-doc`).
"""


# Hand-written analysis: kept here so that a re-run keeps it (see the top of this file).
PROSE = {
    "startup_prose": "",
    "checker_prose": "",
    "api_prose": "",
    "nanny_prose": "",
    "bugs_prose": "",
}

TEMPLATE = TEMPLATE.replace("{startup_prose}", PROSE["startup_prose"]) \
    .replace("{checker_prose}", PROSE["checker_prose"]) \
    .replace("{api_prose}", PROSE["api_prose"]) \
    .replace("{nanny_prose}", PROSE["nanny_prose"]) \
    .replace("{bugs_prose}", PROSE["bugs_prose"])


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "results", "latest.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    write_all(data, os.path.dirname(path), os.path.join(os.path.dirname(here), "docs",
                                                          "performance.md"))
