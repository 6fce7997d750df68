# expect: R204
# A context manager's __exit__ receives the traceback object directly (no __traceback__
# needed); its tb_frame leads to the failing frame and its globals.
class Catch:
    def __enter__(self):
        return self
    def __exit__(self, kind, value, trace):
        self.namespace = trace.tb_frame.f_globals
        return True
with Catch():
    1 / 0
