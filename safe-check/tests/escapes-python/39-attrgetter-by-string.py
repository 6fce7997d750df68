# expect: run namespace: module proxies must not export attribute access by string (`operator.attrgetter`, `methodcaller`)
# modules: operator
# Listed modules are matched by name only: what they export is the proxy's business.
import operator
kind = operator.attrgetter("__class__")(3)
