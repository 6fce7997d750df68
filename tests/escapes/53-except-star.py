# expect: R100
try:
    pass
except* ValueError:
    pass
