# expect: R302
# Exactly `from __future__ import annotations`: no alias, no other feature beside it.
from __future__ import annotations as notes
from __future__ import annotations, generator_stop
