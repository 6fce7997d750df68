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
    e2e, inner, inner_cpu, detail = [head], [head], [head], []
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
            cells = [ms((base.get("inner_cpu") or {}).get("median"))]
            for runner in RUNNERS:
                row = entry["runners"].get(runner)
                cells.append(ratio_cell(row.get("ratio_inner_cpu")) if row else "not run")
            inner_cpu.append(f"| {label} | " + " | ".join(cells) + " |")
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
                            f"{ratio_cell(v['ratio_inner'])} | "
                            f"{ratio_cell(v.get('ratio_inner_cpu'))} |")
    if variants:
        variants = ["| workload | CPython baseline | end to end | in program, wall | "
                    "in program, CPU |", "|---|---|---|---|---|"] + variants
    notes = []
    for runner, why in unavailable.items():
        notes.append(f"* **{LABELS.get(runner, runner)} was not run**: {why}")
    for name in ORDER:
        entry = workloads.get(name) or {}
        for runner, row in (entry.get("runners") or {}).items():
            if row.get("failed"):
                notes.append(f"* {name} / {runner}: {row['failed']} of {row['runs']} runs "
                             f"failed ({'; '.join(row['problems'])})")
    return "\n".join(e2e), "\n".join(inner), "\n".join(inner_cpu), "\n".join(detail), \
        "\n".join(variants), "\n".join(notes)


def judged(stat, target):
    """A ratio cell with its verdict: ✓ when the median is within the target, else ✗ and
    by how much."""
    if not stat:
        return "—"
    cell = ratio_cell(stat)
    if stat["median"] <= target:
        return f"{cell} ✓"
    return f"{cell} ✗ +{stat['median'] - target:.2f}×"


def targets_table(results):
    workloads = results.get("workloads") or {}
    rows = ["| workload | target | in program, wall | in program, CPU | end to end, wall | "
            "end to end, CPU |", "|---|---|---|---|---|---|"]
    for name in ORDER:
        entry = workloads.get(name)
        if not entry or not entry["runners"].get("repy"):
            continue
        row = entry["runners"]["repy"]
        target = TARGETS[entry["group"]]
        if entry["timed"]:
            rows.append(f"| {name} | ≤ {target}× | {judged(row.get('ratio_inner'), target)} | "
                        f"{judged(row.get('ratio_inner_cpu'), target)} | "
                        f"{judged(row.get('ratio_wall'), target)} | "
                        f"{judged(row.get('ratio_cpu'), target)} |")
        else:
            rows.append(f"| {name} | ≤ {target}× (end to end) | — | — | "
                        f"{judged(row.get('ratio_wall'), target)} | "
                        f"{judged(row.get('ratio_cpu'), target)} |")
        for variant, v in (entry.get("repy_vs_variant") or {}).items():
            rows.append(f"| {name} vs {v['description']} | ≤ {target}× | "
                        f"{judged(v.get('ratio_inner'), target)} | "
                        f"{judged(v.get('ratio_inner_cpu'), target)} | "
                        f"{judged(v.get('ratio_wall'), target)} | "
                        f"{judged(v.get('ratio_cpu'), target)} |")
    rows += ["", "| target | measured (median, min–max) | verdict |", "|---|---|---|"]
    mem = results.get("memory") or {}
    hello = workloads.get("hello")
    peak = (hello or {}).get("runners", {}).get("repy", {}).get("peak_memory_bytes") \
        or mem.get("report_peak")
    if peak:
        met = peak["max"] <= HELLO_MEMORY_TARGET
        rows.append(f"| hello world: sandbox peak memory ≤ 12 MB (`peak_memory_bytes`) | "
                    f"{mb(peak['median'], 2)} ({mb(peak['min'], 2)}–{mb(peak['max'], 2)}) | "
                    + ("**met**" if met else
                       f"**missed** by {mb(peak['max'] - HELLO_MEMORY_TARGET, 2)}") + " |")
    sup = mem.get("supervisor_hwm")
    if sup:
        rows.append(f"| hello world: supervisor small (its own VmHWM) | {mb(sup['median'], 2)} "
                    f"({mb(sup['min'], 2)}–{mb(sup['max'], 2)}) | no number set: "
                    f"{sup['median'] / max(1, (peak or sup)['median']) * 100:.0f}% of the "
                    "sandbox's peak, most of it file-backed (see Memory) |")
    checker = results.get("checker") or {}
    inproc = checker.get("in_process")
    if inproc and inproc.get("check_ms"):
        check = inproc["check_ms"]["median"]
        verdict_text = "**met**" if check <= CHECKER_TARGET_MS else \
            f"**missed** by {check - CHECKER_TARGET_MS:.1f} ms"
        rows.append(f"| checker ≤ 2 ms for 1,000 lines: the check itself (lowering CPython's "
                    f"tree + rules; the parse is the compile's) | {check:.2f} ms "
                    f"({inproc['check_ms']['min']:.2f}–{inproc['check_ms']['max']:.2f}) | "
                    f"{verdict_text} |")
        own = (inproc.get("own_ms") or {}).get("median")
        if own is not None:
            rows.append(f"| … what checking adds to running: parse + check + compile of the "
                        f"checked tree, minus CPython's `compile(source)` (paired) | "
                        f"{own:.2f} ms | "
                        + ("**met**" if own <= CHECKER_TARGET_MS else
                           f"**missed** by {own - CHECKER_TARGET_MS:.1f} ms") + " |")
    diff = (checker.get("repy_check") or {}).get("median_difference_ms")
    if diff is not None:
        rows.append(f"| (context) `repy check` 1,000 lines minus an empty file, whole "
                    f"process: the parse included | {diff:.2f} ms | — |")
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
    gate = results.get("gate_to_first_statement")
    if gate:
        rows.append("")
        rows.append("From the supervisor opening the gate to the program's first statement "
                    "(`getruntime()` printed by `bench/workloads/first_statement.py`: the "
                    "child's wake-up, confinement, the first check and compilation): "
                    f"median {ms(gate['median'], 2)} ({ms(gate['min'], 2)}–"
                    f"{ms(gate['max'], 2)}).")
    trace = results.get("startup_strace")
    if trace:
        rows.append("")
        rows.append("One hello-world run under `strace -f -ttt -T` (strace slows every system "
                    "call several-fold: read the order and the proportions, not the absolute "
                    f"times; {trace['syscalls']['parent']} system calls in the supervisor, "
                    f"{trace['syscalls']['child']} in the sandbox child):")
        rows.append("")
        rows.append("| ms after `exec` | event | lasted |")
        rows.append("|---|---|---|")
        for phase in trace.get("phases", []):
            lasted = "" if phase["ms"] is None else f"{phase['ms']:.2f} ms"
            rows.append(f"| {phase['at_ms']:.2f} | {phase['name']} | {lasted} |")
        if trace.get("slowest"):
            rows.append("")
            rows.append("Slowest system calls of that run:")
            rows.append("")
            rows.append("| ms | process | call |")
            rows.append("|---|---|---|")
            for s in trace["slowest"]:
                call = s["call"].replace("|", "\\|")
                rows.append(f"| {s['ms']:.2f} | {s['who']} | `{call}` |")
    return "\n".join(rows)


def engine_section(results):
    """The engine's modes: eval against bare CPython, and the cost of one call."""
    e = results.get("engine") or {}
    if not e:
        return "(not measured)"
    out = ["| command | wall (median, min–max) |", "|---|---|"]
    for name, stat in (e.get("runs") or {}).items():
        if not stat:
            out.append(f"| `{name}` | failed |")
            continue
        out.append(f"| `{name}` | {ms(stat['median'], 2)} ({ms(stat['min'], 2)}–"
                   f"{ms(stat['max'], 2)}) |")
    out.append("")
    ratio = e.get("eval_ratio")
    if ratio:
        target = verdict(ratio["median"], 1.0)
        out.append(f"`repy eval -c 'print(1)'` against `python3.11 -I -S -c 'print(1)'`, paired "
                   f"by repetition: **{ratio['median']:.2f}×** ({ratio['min']:.2f}–"
                   f"{ratio['max']:.2f}); target ≤ 1.0×: {target}. The eval makes and "
                   "removes a fresh vessel directory for the job.")
        out.append("")
    per_call = e.get("batch_per_call")
    if per_call:
        calls = e.get("batch_calls")
        total, fixed = e.get("batch_total"), e.get("batch_fixed")
        all_in = e.get("batch_per_call_all_in")
        out.append(f"`repy call --batch` of {calls} calls of `def f(n): return n + 1`: "
                   f"{ms(total['median'], 1)} in all, of which {ms(fixed['median'], 1)} is the "
                   "batch's fixed cost (the same command with no call: start, check, top "
                   "level, end).")
        out.append("")
        out.append("| per call | seconds | against a cold `repy call` |")
        out.append("|---|---|---|")
        cold = (e.get("runs") or {}).get("repy call (one cold call)")
        def against(value):
            return f"{cold['median'] / value:.0f}× cheaper" if cold and value > 0 else "—"
        out.append(f"| `repy call --batch`, fixed cost taken out | "
                   f"{ms(per_call['median'], 3)} ({ms(per_call['min'], 3)}–"
                   f"{ms(per_call['max'], 3)}) | {against(per_call['median'])} |")
        out.append(f"| `repy call --batch`, all in (total ÷ calls) | {ms(all_in['median'], 3)} "
                   f"| {against(all_in['median'])} |")
        if cold:
            out.append(f"| a cold `repy call` (one process per call) | {ms(cold['median'], 2)} "
                       "| 1× |")
        rp = e.get("restrictedpython")
        if rp:
            out.append(f"| RestrictedPython, re-executing the compiled program per call (its "
                       f"only way to keep calls apart) | {ms(rp['reexec'], 4)} | "
                       f"{against(rp['reexec'])} |")
            out.append(f"| RestrictedPython, calling in process (nothing kept apart between "
                       f"calls, no limits, no kernel walls) | {ms(rp['inprocess'], 5)} | "
                       f"{against(rp['inprocess'])} |")
        out.append("")
        target = verdict(per_call["median"], 0.001)
        out.append(f"Targets: a batch call ≤ 1 ms end to end: {target}; ≥ 8× cheaper than a "
                   "cold run: " + (verdict(1 / e["cold_over_batch_call"], 1 / 8)
                                   if e.get("cold_over_batch_call") else "not measured")
                   + ". Each batch call is a fork of a warm, confined interpreter whose top "
                   "level has run, watched by the supervisor as a run of its own (its own "
                   "limits, verdict, output and report); RestrictedPython's calls have no "
                   "limit nor kernel wall, and its in-process calls share everything.")
    return "\n".join(out)


def python_profile_section(results):
    """The python profile against bare CPython on the same programs."""
    py = results.get("python_profile") or {}
    if not py:
        return "(not measured)"
    out = ["| program | repy, python profile | bare CPython |", "|---|---|---|"]
    runs = py.get("runs") or {}
    for name in ("hello", "pass", "imports", "format", "numpy"):
        repy, bare = runs.get(f"repy {name}"), runs.get(f"python {name}")
        cell = lambda s: f"{ms(s['median'], 2)} ({ms(s['min'], 2)}–{ms(s['max'], 2)})" if s else "failed"
        out.append(f"| {name} | {cell(repy)} | {cell(bare)} |")
    out.append("")
    rows = ["| target | measured | |", "|---|---|---|"]
    hello = py.get("hello_ratio")
    if hello:
        rows.append(f"| hello world ≤ 1.0× bare CPython | {hello['median']:.2f}× "
                    f"({hello['min']:.2f}–{hello['max']:.2f}) | {verdict(hello['median'], 1.0)} |")
    added = py.get("imports_added")
    if added is not None:
        mods = ", ".join(py.get("imports_modules") or [])
        met = "**met**" if added <= 0.001 else f"**missed** ({ms(added, 2)} over CPython's)"
        rows.append(f"| the shipped modules' imports (`{mods}`) add ≤ 1 ms over CPython's same "
                    f"imports | {ms(added, 2)} | {met} |")
    fmt = py.get("format_ratio")
    if fmt:
        rows.append(f"| `str.format` in a loop (200,000 calls, guarded) ≤ 1.2× | "
                    f"{fmt['median']:.2f}× ({fmt['min']:.2f}–{fmt['max']:.2f}) | "
                    f"{verdict(fmt['median'], 1.2)} |")
    numpy = py.get("numpy_ratio")
    if numpy:
        rows.append(f"| `import numpy` (a trusted package) ≤ 1.1× bare CPython's | "
                    f"{numpy['median']:.2f}× ({numpy['min']:.2f}–{numpy['max']:.2f}) | "
                    f"{verdict(numpy['median'], 1.1)} |")
    else:
        rows.append(f"| `import numpy` ≤ 1.1× | — | not measured: {py.get('numpy_error', 'no numpy')} |")
    return "\n".join(out + rows)


def service_section(results):
    """repy serve under wrk, warm and cold, and the memory of idle warm interpreters."""
    sv = results.get("service") or {}
    if not sv:
        return "(not measured)"
    if sv.get("error"):
        return f"(not measured: {sv['error']})"
    out = [f"`repy serve` with its defaults on this machine (2 runs at once, the number of cores), "
           f"hello world (`print('Hello, world')`) POSTed by [wrk](https://github.com/wg/wrk) "
           f"(2 threads) for {sv['seconds']} s at 4 and 16 connections, after a warm-up; the "
           "latency is from request to answer, HTTP and JSON included:", "",
           "| executor | connections | p50 | p90 | p99 | runs/s | non-2xx |", "|---|---|---|---|---|---|---|"]
    for name, label in (("warm", "warm pool (default)"), ("cold", "cold (`--cold`: a `repy job` process per run)"),
                        ("warm_conc4", "warm pool, `--concurrency 4` (a pool per connection)")):
        for conns in ("c4", "c16"):
            r = (sv.get(name) or {}).get(conns) or {}
            if name == "warm_conc4" and conns == "c16":
                continue
            if "rps" not in r:
                out.append(f"| {label} | {conns[1:]} | failed | | | | |")
                continue
            out.append(f"| {label} | {conns[1:]} | {ms(r.get('p50', 0), 2)} | {ms(r.get('p90', 0), 2)} | "
                       f"{ms(r.get('p99', 0), 2)} | {r['rps']:.0f} | {r.get('non_2xx', 0)} |")
    warm = (sv.get("warm") or {})
    c4, c16 = warm.get("c4") or {}, warm.get("c16") or {}
    rows = ["", "| target | measured | |", "|---|---|---|"]
    if "p50" in c4:
        rows.append(f"| hello through HTTP, p50 ≤ 2 ms at concurrency 4 | {ms(c4['p50'], 2)} | "
                    f"{'**met**' if c4['p50'] <= 0.002 else '**missed**'} |")
        rows.append(f"| hello through HTTP, p99 ≤ 10 ms at concurrency 4 | {ms(c4['p99'], 2)} | "
                    f"{'**met**' if c4['p99'] <= 0.010 else '**missed**'} |")
    if "rps" in c16:
        rows.append(f"| ≥ 600 hello runs/s sustained on 2 cores | {c16['rps']:.0f}/s (16 connections) | "
                    f"{'**met**' if c16['rps'] >= 600 else '**missed**'} |")
    idle = sv.get("idle") or {}
    if idle.get("members"):
        per = idle["pss_pool_bytes"] / idle["members"]
        rows.append(f"| each idle warm sandbox ≤ 2 MB of unshared memory (PSS), 50 at once | "
                    f"{per / 1e6:.2f} MB ({idle['members']} pools: supervisors "
                    f"{idle['pss_supervisors_bytes'] / idle['members'] / 1e6:.2f} MB, zygotes "
                    f"{idle['pss_zygotes_bytes'] / idle['members'] / 1e6:.2f} MB, the processes "
                    f"forked ahead {idle.get('pss_ahead_bytes', 0) / idle['members'] / 1e6:.2f} MB "
                    f"each, the pool "
                    f"host's {idle.get('pss_host_bytes', 0) / 1e6:.1f} MB shared among them; the "
                    f"server {idle['pss_server_bytes'] / 1e6:.1f} MB) | "
                    f"{'**met**' if per <= 2e6 else '**missed**'}: the pools are forked from one "
                    f"pool host whose interpreter is built once, so every zygote shares its pages |")
    if "rps" in c4:
        conc4 = (sv.get("warm_conc4") or {}).get("c4") or {}
        rows += ["", f"At 4 connections wrk keeps 4 requests in flight on 2 cores, so the median "
                 f"latency follows from the throughput (4 ÷ {c4['rps']:.0f} runs/s = "
                 f"{4 / c4['rps'] * 1000:.2f} ms): a 2 ms p50 needs 2,000 runs a second, under "
                 "1 ms of CPU per run for everything (wrk, the server, the pool). A warm run "
                 "costs about 0.9 ms of CPU in its pool alone (by hand: `repy pool` over 800 "
                 "hello-world requests one at a time), more than half of it the kernel's: "
                 "forking the zygote (copying its page tables), the run's copy-on-write faults "
                 "(about 100 a run, since the pool host put repy's code on shared huge pages; "
                 "145 before) and tearing its address space down at exit. The interpreter's own "
                 "work (check, compile, run, report) is a small part."]
        floor = sv.get("fork_floor") or {}
        if "cpu_us" in floor:
            rows.append(f"For scale, one fresh fork of bare CPython (`bench/fork_floor.py`: "
                        f"fork, print a line, `_exit`, wait) costs {floor['cpu_us'] / 1000:.2f} ms "
                        f"of CPU here, parent and child together: {floor['cpu_us'] / 10:.0f} % "
                        "of the 1 ms a request may cost in all for a 2 ms median at 4 "
                        "connections, before HTTP, the checker, confinement or supervision.")
        if "p50" in conc4:
            rows.append(f"With one run at once per connection (`--concurrency 4`) no request "
                        f"waits for a pool: p50 {ms(conc4['p50'], 2)} at "
                        f"{conc4['rps']:.0f} runs/s, p99 {ms(conc4['p99'], 2)}: the CPU, not "
                        "the queue, sets the median.")
    return "\n".join(out + rows)


def mixed_section(results):
    """Issue 15's 10,000 mixed requests at concurrency 32, and what the server left."""
    mx = results.get("mixed") or {}
    if not mx:
        return "(not measured)"
    if mx.get("error"):
        return f"(not measured: {mx['error']})"
    kinds = mx.get("by_kind") or {}
    statuses = lambda counts: ", ".join(f"{n}× {s}" for s, n in sorted(counts.items()))
    out = [f"`repy serve` with its defaults plus the test's limits (`--queue 64 --max-body "
           f"65536 --deadline 5s`, a token file), {mx['requests']:,} requests POSTed by "
           f"[httpx](https://www.python-httpx.org/) {mx.get('httpx', '')} from "
           f"{mx['concurrency']} clients at once (`bench/mixed_load.py`, the mix of "
           f"`tests/serve.rs`), in {mx['seconds']:.1f} s "
           f"({mx['requests'] / mx['seconds']:.0f} requests/s). Every answer is checked "
           "against its own request: the documented status, and for a run its verdict and "
           "the output or value naming the request's number.", "",
           "| kind | requests | answers |", "|---|---|---|"]
    for kind, counts in kinds.items():
        out.append(f"| {kind} | {sum(counts.values())} | {statuses(counts)} |")
    left = (len(mx.get("processes_left", [])), len(mx.get("cgroups_left", [])),
            len(mx.get("directories_left", [])))
    fds = (mx.get("fds_before"), mx.get("fds_after"))
    rows = ["", "| target | measured | |", "|---|---|---|",
            f"| 0 lost or duplicated results | {mx['lost']} lost, {mx['duplicated']} duplicated "
            f"({mx['answers']:,} answers) | {'**met**' if mx['lost'] == 0 and mx['duplicated'] == 0 else '**missed**'} |",
            f"| 0 5xx answers | {mx['server_errors']} (and {mx['no_answer']} without an answer) | "
            f"{'**met**' if mx['server_errors'] == 0 and mx['no_answer'] == 0 else '**missed**'} |",
            f"| every answer the documented one | {mx['wrong']} wrong | "
            f"{'**met**' if mx['wrong'] == 0 else '**missed**: ' + '; '.join(mx.get('wrong_first', []))[:300]} |",
            f"| 0 processes, cgroups, vessels or descriptors left | {left[0]} processes, "
            f"{left[1]} cgroups, {left[2]} directories left after the server stopped "
            f"(exit {mx.get('server_exit')}); the server's descriptors {fds[0]} before, "
            f"{fds[1]} after | "
            f"{'**met**' if left == (0, 0, 0) and fds[1] is not None and fds[0] is not None and fds[1] <= fds[0] + 4 else '**missed**'} |"]
    return "\n".join(out + rows)


def grading_section(results):
    """Grading: 100 submissions x 10 call tests, batched and not, against bare CPython."""
    g = results.get("grading") or {}
    if not g:
        return "(not measured)"
    runs = g.get("runs") or {}
    total = g["submissions"] * g["tests"]
    out = [f"`repy grade` of {g['submissions']} submissions x {g['tests']} call tests of a small "
           f"function ({total} tests), {g.get('cores', '?')} submissions at a time, each run "
           "up to 3 times, interleaved, from start to the last record:", "",
           "| how | wall (median, min–max) | per test |", "|---|---|---|"]
    labels = {
        "batched": "`repy grade`: each submission's call tests in one batch (compile once, "
                   "each test a fork with its own limits and verdict)",
        "one batch per test": "`repy grade`, every test with limits of its own (so one batch, "
                              "one top level, per test)",
        "bare CPython, one process per test": "bare CPython, one process per test running "
                                              "the submission and calling the function (no "
                                              "sandbox, no limits; as autograders bolt it on)",
    }
    for key, label in labels.items():
        s = runs.get(key)
        if s:
            out.append(f"| {label} | {s['median']:.2f} s ({s['min']:.2f}–{s['max']:.2f} s) | "
                       f"{ms(s['median'] / total, 2)} |")
        else:
            out.append(f"| {label} | failed | |")
    batched = runs.get("batched")
    if batched:
        met = "**met**" if batched["median"] <= 10.0 else "**missed**"
        out += ["", f"Target: {g['submissions']} submissions x {g['tests']} call tests in ≤ 10 s: "
                f"{batched['median']:.2f} s, {met}."]
    if any((g.get("failures") or {}).values()):
        out += ["", f"Runs that did not grade every submission fully: {g['failures']}."]
    return "\n".join(out)


def checker_section(results):
    c = results.get("checker") or {}
    out = [f"The program: {c.get('lines', '?')} lines, {c.get('bytes', '?')} bytes — 100 "
           "classes of 10 lines each, the same program as safe-check's own timing test "
           "(`safe-check/src/timing.rs`).", ""]
    out.append("| measurement | median | min–max |")
    out.append("|---|---|---|")
    inproc = c.get("in_process")
    if inproc:
        for key, label in (
                ("parse_ms", "CPython's parse into its C tree (`_PyParser_ASTFromString`)"),
                ("lower_ms", "the checker reads that tree into its own (lowering)"),
                ("rules_ms", "every rule over the tree"),
                ("check_ms", "**the check itself**: lowering + rules"),
                ("warm_ms", "`safe_check::check` (parse + lowering + rules)"),
                ("checked_compile_ms", "what a run does: `check_keeping_tree` + compiling the checked tree"),
                ("compile_ms", "bare CPython's `compile(source, 'exec')` (parse + code generation)"),
                ("own_ms", "what checking adds to running (the two rows above, paired)")):
            s = inproc.get(key)
            if s:
                out.append(f"| {label} | {s['median']:.2f} ms | {s['min']:.2f}–{s['max']:.2f} ms |")
        out.append(f"| first check in a process | {inproc['cold_ms']:.2f} ms | — |")
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
    if inproc and rp and inproc.get("checked_compile_ms"):
        out.append("")
        out.append(f"As ratios against bare CPython's `compile` of the same source, both "
                   f"including the compile: repy's parse + check + compile "
                   f"{inproc['checked_compile_ms']['median'] / inproc['compile_ms']['median']:.2f}×, "
                   f"RestrictedPython's `compile_restricted` "
                   f"{rp['compile_restricted_ms']['median'] / rp['compile_ms']['median']:.2f}×.")
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
            ("supervisor_file", "supervisor (`repy`)", "of its resident memory at the last read: file-backed (RssFile: the binary with CPython in it, libc)")):
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
    e2e, inner, inner_cpu, detail, variants, notes = workload_tables(results)
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
        "e2e": e2e, "inner": inner, "inner_cpu": inner_cpu, "detail": detail, "variants": variants or "(not run)",
        "notes": notes or "* Every runner ran every workload, and all printed the same "
                          "checksums.",
        "bars": unicode_bars(results),
        "targets": targets_table(results),
        "anatomy": anatomy_table(results),
        "checker": checker_section(results),
        "engine": engine_section(results),
        "python_profile": python_profile_section(results),
        "grading": grading_section(results),
        "service": service_section(results),
        "mixed": mixed_section(results),
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
bench/run            # full run, about 4-6 minutes on this machine
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
  the CPython whose static library `target/release/repy` links, found by `python-link`'s build script). *repy*: `repy --report R --cwd VESSEL
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

In program (the workload alone), wall-clock time:

{inner}

In program, CPU time of the process (`getresources()[1]["cpu"]` under repy,
`time.process_time()` elsewhere) — less disturbed than wall time by other load on the
machine:

{inner_cpu}

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

Release build, this machine; repy's ratio against bare CPython, median (min–max), ✓ when
the median is within the target, ✗ and by how much when not. The start-up target is end to
end; for the others the in-program ratio is the one that isolates the workload (start-up
has its own target), with end to end alongside. Wall-clock ratios carry the noise of the
shared machine; CPU-time ratios are steadier.

{targets}

## The engine's modes: eval, call, batches

Measured from outside, each command run {reps}×5 times (at least 10), interleaved; the batch
{reps} times (at least 3), with and without calls:

{engine}

## The python profile

Ordinary programs under `profile = "python"` against bare CPython running the same file, each
run {reps}×5 times (at least 10), interleaved (`pass` is the baseline the imports are
measured from):

{python_profile}

What keeps the start cheap (it measured 1.12× and +2.11 ms before these):

- **`repy` is linked position-dependent** (`-no-pie`, as Debian links its own `python3.11`;
  `build.rs`): a position-independent binary had the dynamic linker apply some 42,000
  relocations at every start, copying every page of libpython's static data it touched
  (about 1.3 ms).
- **The standard-library modules are embedded at build time** (`api/build/embed_stdlib.py`,
  `api/src/embedded.rs`): the child imports them from code in the binary through a finder of
  its own, without CPython's path-based importer (`posix` set up, the standard library's
  directory listed, a `stat` and a `.pyc` read per module). `_vet` walks each class's MRO
  once.
- **The supervisor's start and end**: the output writer thread is made while the sandbox
  starts and not joined at the end (about 1 ms after the program's last line), the usable
  cores come from the affinity mask rather than std's `available_parallelism` (which reads
  `/proc/self/mountinfo` and the cgroup files), `open()`'s error classes are made without
  importing `_io`, and the codec registry's doomed `encodings` import fails at once.

## The service

{service}

### 10,000 mixed requests

{mixed}

## Grading

{grading}

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


# Hand-written analysis: kept here so that a re-run keeps it (see the top of this file). It
# quotes measurements taken by hand while writing it (profiles, one-off experiments), each
# with how it was taken; the tables above it are regenerated by every run.
PROSE = {}

PROSE["startup_prose"] = """\
Bubblewrap runs the same bare CPython inside a sandbox, so its in-program ratios are a
control: they should be 1.00×, and how far they stray shows the noise of the shared machine
at the time of the run. The compute workloads run the same bytecode on the same interpreter
under repy (nothing is traced or hooked while a program computes), and the short ones move
either side of 1.03× from run to run (fib takes 20 ms): by hand, the best of 15 `fib(25)`
inside one process was 18.1–19.4 ms under bare CPython and 17.8–19.3 ms under repy, three
runs each.

**Reading the start-up numbers.** A hello world costs repy about what it costs bare CPython:
the run is one fork longer, and the child's start-up is shorter than CPython's own (it
stops CPython after its core phase, imports nothing, and needs no dynamic linking of
libpython: callgrind counts 12.1 M instructions in the sandbox child against 27.9 M for
`python3.11 -I -S hello.py`, plus 2.5 M in the supervisor; run with `--allow-degraded
landlock,rlimits,seccomp,drop-privileges`, which valgrind needs). In order:

1. **Before the fork** (`repy restrictions check` ≈ `repy --version`): loading the binary,
   which has CPython linked in statically (no libpython to find and relocate), the policy,
   and the cgroup `mkdir`s.
2. **Joining the cgroups.** The child moves itself into its CPU, memory and pids groups first
   thing after the fork, by writing `0` to each group's `tasks` file while it has one
   thread. On cgroup v1 (this machine) the other way, the supervisor writing the child's pid
   into `cgroup.procs`, takes the kernel's global `cgroup_threadgroup_rwsem` for writing,
   and its first use waits an RCU grace period: 6–15 ms, measured by hand by timing the
   write of a fresh child's pid into a fresh cgroup 6 times, spaced 0.3 s apart. A
   single-threaded task moving itself skips that lock: 0.5 ms in the same experiment. This
   used to be most of the gap to bare CPython.
3. **Before the gate** (nothing untrusted yet): CPython's core initialisation, the
   namespace, the checker's preparation (a version check and the parser's
   `unicodedata.normalize`, provided in Rust) and the confinement
   (`confinement.elapsed_us` ≈ 1.2 ms in the report, most of it the kernel installing the
   seccomp filters; Landlock adds one rule per `connport` port, 100 for these
   restrictions). **After the gate**: the parse, the check, compiling the checked tree and
   running it (the program's first statement, below).
"""

PROSE["checker_prose"] = """\
**What "the check" costs.** The checker parses with CPython's own parser, the C function
behind `compile()`, and a program that passes is compiled from that same C tree: the parse
is not a cost of checking, it is the first half of the compile every Python run pays (the
`bare CPython's compile(source)` row is parse + code generation). What checking adds is
reading the C tree into the checker's own (the lowering) and running the rules: the
**check itself** row, and, measured the other way, repy's whole route from source to code
object minus CPython's `compile(source)` in the same process (the `what checking adds`
row, a paired difference, so it is noisier). By safe-check's timing test (`cargo test
--release -p safe-check --lib timing -- --ignored --nocapture`, best of 50, by hand on a
quiet moment): parse 5.6 ms, lowering of the 9,601 nodes 0.6–0.9 ms, rules 0.3 ms, compiling
the checked tree 4.1 ms, against 10.7 ms for `compile(source)`.

**How it got there.** The first checker parsed with `compile(..., PyCF_ONLY_AST)`, which
builds a Python object for every node, read each field back with a `getattr`, and the run
then compiled that object tree, converting it back to C: 16 ms + 3.3 ms + 13 ms for this
program, twice bare CPython's compile. CPython's parser entry point is not exported by the
shared libpython, so repy now links CPython statically and walks the C tree through
bindgen-generated mirrors of CPython 3.11's `pycore_ast.h` (layouts asserted at compile
time, the version at run time); a differential test checks that the C-level lowering gives
the same tree as the object-level one for every program of the test suite and the standard
library's top-level modules. Interning identifier text by object address took the lowering
from 0.94 to 0.63 ms per 1,000 lines (the profiling loop of the same test).
"""

PROSE["api_prose"] = """\
Measured by hand with `perf record` (software clock: this VM has no hardware counters) on
the repy runs of the workload programs, and with `hyperfine` against the previous binary:

* **writeat** — what is left over `os.pwrite` is the call (pyo3's argument handling with
  RepyV2's error messages, the handle's lock and size check) and one charge after the write
  (`charge_without_waiting` and a clock read, about 8% of the run). The charge *before* the
  write no longer takes the bucket's lock or the clock when the last charge left the rate
  within its limit (a bucket only goes over by being charged): 145 → 136 ms per 100,000
  calls by hand, bare `os.pwrite` 100 ms. A write that grows its file also reserves the
  growth against `diskused` first (two uncontended lock acquisitions; the quota then holds
  at its value whatever threads write at once): the run of 2026-12-06 measured 1.29× against
  1.21× before it, on a different processor (AMD EPYC against Intel Xeon), so the two are not
  directly comparable.
* **log** — standard output goes into a 256 KiB ring in memory shared with the supervisor
  (`nanny::ring`): a line costs the program a copy, and the supervisor is woken once per
  burst and relays what gathered a millisecond later, in large writes. Nothing is buffered
  inside the sandbox, so output written before a kill is still relayed after it; standard
  error waits for the ring to be relayed, so a traceback follows the output before it.
  100,000 `log` calls of 40 bytes: 143 ms with one `write(2)` per call, 62 ms with the
  ring, against 68 ms for bare CPython's buffered `print` (by hand, one run each).
* **tcp** — repy's sockets never block (RepyV2's API): a program retries after
  `SocketWouldBlockError`, typically with `sleep(0)` so its other threads run. `sleep(0)`
  released the interpreter and took it straight back, so the echo thread rarely got it and
  the client spun; it now yields the processor once with the interpreter released: 2,061 →
  404 ms for the 10,000 round trips (hyperfine medians, same run; blocking CPython 166 ms,
  the same retry loop on plain non-blocking sockets 1,062 ms). What remains against
  *blocking* sockets is the API's design, not its implementation: each round trip needs at
  least one failed `recv`, its exception and a hand-over of the interpreter per direction,
  where a blocking `recv` sleeps in the kernel until the data is there. Against the same
  retry pattern in bare CPython (the "plain sockets, non-blocking" baseline) repy is faster; a
  blocking or `select`-like call would be an extension of RepyV2's API. The run of 2026-12-06
  measured 0.48× wall and 0.91× CPU (2.42× CPU before) after two changes that touch this
  workload and were not measured apart: `createthread` hands the interpreter to the new
  (echo) thread at once, and a thread waiting for a rate no longer holds the bucket's lock.
"""

PROSE["nanny_prose"] = """\
How to read these. The CPU share is held by a cgroup CPU quota (CFS period 20 ms), which
keeps the share over the whole window within about a percent of the limit, with more
spread between 0.25 s intervals. Rates are RepyV2's pay-after leaky buckets: the first
second of a run delivers about one second's worth on top of the rate (the bucket starts
empty and a call is charged after it has run), after which the delivered rate follows the
limit closely (the `rate after the first second` column).

Memory is sampled every 20 ms, so how far a program gets past the limit depends on how fast
it allocates: growing 1 MB every 10 ms it is stopped within a couple of MB; allocating as
fast as it can (about 1 MB per millisecond here) it gets up to one sampling period's worth
past the limit, 10–15 MB (20–30%) in some runs. The kernel's backstop did not act in these
runs: the cgroup cap (limit + 1/16 + 8 MiB = 61.5 MB for 50 MB) counts only memory charged
to the child's cgroup, while resident memory also counts the pages the child shares with
the supervisor from before it entered the cgroup (the interpreter's and the libraries'
pages), so resident memory can pass the cap's number by several MB before the cap bites.
A shorter sampling period while memory is near the limit, or a cgroup cap closer to the
limit (with the supervisor reading the cgroup's own usage), would tighten the fast case.
"""

PROSE["bugs_prose"] = """\
Found while writing this harness, and fixed since (the numbers above are from runs after the
fixes):

1. **Accounting cost more than the call it accounts for** (`Accountant::charge`, api
   `charge::after`): a charge that did not wait read the clock twice, recorded twice and
   released the interpreter. Now `charge_without_waiting` charges with one clock read and
   one record, the interpreter is released only to wait, and the charge before an operation
   is a flag read unless the rate is in debt.
2. **`log` wrote each item and each separating space separately**; then each call was one
   `write(2)` and one supervisor wake-up. Now one copy into the output ring per call.
3. **`recv` zeroed a buffer of the requested size before every read** (42 µs for
   `recv(1000000)` on an empty socket): now at most 64 KiB, what a socket can deliver, and
   `getmessage` reuses one buffer per thread.
4. **Start-up waited for the cgroup migration** (an RCU grace period on cgroup v1): the child
   now joins its cgroups itself, which skips it.
5. **The program was parsed twice, and through Python objects**: the checker now reads
   CPython's C tree and the run compiles that same tree.
6. **`sleep(0)` did not let other threads run**: it now yields the processor.
7. **The report's memory peak could be below the value that triggered the kill**: it is now
   the larger of `wait4`'s `ru_maxrss` and the supervisor's own samples.
"""


def _escaped(text):
    return text.replace("{", "{{").replace("}", "}}")


for _key, _text in PROSE.items():
    TEMPLATE = TEMPLATE.replace("{" + _key + "}", _escaped(_text.rstrip("\n")))


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "results", "latest.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    write_all(data, os.path.dirname(path), os.path.join(os.path.dirname(here), "docs",
                                                          "performance.md"))
