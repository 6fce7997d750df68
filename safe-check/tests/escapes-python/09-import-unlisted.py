# expect: R301, R302
# modules: math
# A module the policy does not list is refused with the key to change.
import os
from subprocess import run
