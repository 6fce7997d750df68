# expect: R301
# modules: os.path
# `import os.path` binds `os` itself: only the submodule is listed.
import os.path
os.system("true")
