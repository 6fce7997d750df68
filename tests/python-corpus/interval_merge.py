# Interval problems: merging, meeting rooms needed, free gaps and total coverage.

def read_intervals():
    intervals = []
    while True:
        try:
            line = input()
        except EOFError:
            return intervals
        for token in line.split():
            start, end = token.split("-")
            intervals.append((to_minutes(start), to_minutes(end)))


def to_minutes(text):
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def clock(minutes):
    return "%02d:%02d" % divmod(minutes, 60)


def merge(intervals):
    merged = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [tuple(m) for m in merged]


def rooms_needed(intervals):
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    current = best = 0
    when = None
    for t, delta in events:
        current += delta
        if current > best:
            best, when = current, t
    return best, when


def main():
    meetings = read_intervals()
    print(f"{len(meetings)} meetings")
    for s, e in sorted(meetings, key=lambda m: (m[1] - m[0], m[0]), reverse=True):
        print(f"  {clock(s)}-{clock(e)} ({e - s:3d} min)")
    busy = merge(meetings)
    print("busy:", ", ".join(f"{clock(s)}-{clock(e)}" for s, e in busy))
    day = (to_minutes("08:00"), to_minutes("18:00"))
    free = []
    cursor = day[0]
    for s, e in busy:
        if s > cursor:
            free.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < day[1]:
        free.append((cursor, day[1]))
    print("free:", ", ".join(f"{clock(s)}-{clock(e)}" for s, e in free))
    longest = max(free, key=lambda g: g[1] - g[0])
    print(f"longest gap: {clock(longest[0])} for {longest[1] - longest[0]} minutes")
    rooms, at = rooms_needed(meetings)
    print(f"rooms needed: {rooms} (first at {clock(at)})")
    covered = sum(e - s for s, e in busy)
    print(f"covered: {covered // 60}h{covered % 60:02d} of the day ({covered / (day[1] - day[0]):.0%})")


main()
