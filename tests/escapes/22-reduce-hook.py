# expect: R203
# __reduce__ controls what pickling and copying call.
class Payload:
    def __reduce__(self):
        return (print, ("pwned",))
