#! exit = 6
#! stderr-contains = ["... (19990000 more characters)"]
# Red-team finding: an uncaught exception's report is written outside lograte, so a 20 MB
# message went to stderr at once. The report now shows the first 10,000 characters.
raise ValueError("x" * 20000000)
