# Simulates a single-CPU scheduler with priorities and arrival times using heapq.
import heapq


class Task:
    def __init__(self, name, arrival, duration, priority):
        self.name = name
        self.arrival = arrival
        self.duration = duration
        self.priority = priority
        self.remaining = duration

    def __lt__(self, other):
        return (self.priority, self.arrival, self.name) < (other.priority, other.arrival, other.name)

    def __repr__(self):
        return f"<{self.name} p{self.priority} {self.remaining}/{self.duration}>"


def schedule(tasks, quantum):
    pending = sorted(tasks, key=lambda t: t.arrival)
    ready = []
    time = 0
    timeline = []
    finished = {}
    i = 0
    while i < len(pending) or ready:
        while i < len(pending) and pending[i].arrival <= time:
            heapq.heappush(ready, pending[i])
            i += 1
        if not ready:
            time = pending[i].arrival
            continue
        task = heapq.heappop(ready)
        run = min(quantum, task.remaining)
        timeline.append((time, task.name, run))
        time += run
        task.remaining -= run
        while i < len(pending) and pending[i].arrival <= time:
            heapq.heappush(ready, pending[i])
            i += 1
        if task.remaining:
            heapq.heappush(ready, task)
        else:
            finished[task.name] = time
    return timeline, finished


quantum = int(input())
tasks = []
for line in iter(input, ""):
    name, arrival, duration, priority = line.split()
    tasks.append(Task(name, int(arrival), int(duration), int(priority)))
timeline, finished = schedule(tasks, quantum)
for start, name, run in timeline:
    print(f"t={start:3d} {name:<6} {'=' * run}")
for t in tasks:
    turnaround = finished[t.name] - t.arrival
    print(f"{t.name:<6} finished {finished[t.name]:3d} turnaround {turnaround:3d} waiting {turnaround - t.duration:3d}")
print("average turnaround: %.2f" % (sum(finished[t.name] - t.arrival for t in tasks) / len(tasks)))

durations = [t.duration for t in tasks]
print("3 longest:", heapq.nlargest(3, durations), "2 shortest tasks:", heapq.nsmallest(2, tasks, key=lambda t: t.duration))
heap = durations[:]
heapq.heapify(heap)
print("heap order:", [heapq.heappop(heap) for _ in range(len(heap))])
h = [5, 1, 8]
heapq.heapify(h)
print("pushpop:", heapq.heappushpop(h, 3), "replace:", heapq.heapreplace(h, 0), sorted(h))
print("merged:", list(heapq.merge([1, 4, 9], [2, 3, 10], [0, 11])))
print("merged desc by len:", list(heapq.merge(["ccc", "a"], ["dddd", "bb"], key=len, reverse=True)))
