# expect: R201
# Exceptions carry their traceback, context and cause.
try:
    1 / 0
except ZeroDivisionError as error:
    frame = error.__traceback__
