# expect: R301
# sys.modules reaches every loaded module.
import sys
os_module = sys.modules["os"]
