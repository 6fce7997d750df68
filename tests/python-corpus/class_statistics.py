# Summary statistics of exam scores with the statistics module, by group.
import statistics

groups = {}
for line in iter(input, ""):
    group, *scores = line.split()
    groups.setdefault(group, []).extend(map(float, scores))

for group, scores in sorted(groups.items()):
    print(f"{group}: n={len(scores)} mean={statistics.mean(scores):.2f} median={statistics.median(scores)}"
          f" stdev={statistics.stdev(scores):.3f} mode={statistics.mode(scores)}")
everything = [s for scores in groups.values() for s in scores]
print("overall quartiles:", statistics.quantiles(everything, n=4))
print("pvariance:", round(statistics.pvariance(everything), 4), "harmonic mean:", round(statistics.harmonic_mean(everything), 4))
print("median_low/high:", statistics.median_low(everything), statistics.median_high(everything))
