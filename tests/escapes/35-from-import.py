# expect: R302
from os import system
