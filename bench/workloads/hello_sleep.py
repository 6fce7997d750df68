# Hello world, then half a second asleep, so that the supervisor's memory can be read from
# /proc while the run lasts (bench/run, memory section).
print("Hello, world!")
sleep(0.5)
